// SPDX-License-Identifier: GPL-2.0
/* The reset-vector stub: exact bytes at F000:FFF0. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "boot/resetvec.h"

static void test_stub_bytes(void **state)
{
	static const uint8_t want[] = { 0xba, 0x02, 0x06, 0xb0, 0x01, 0xee, 0xf4, 0xeb, 0xfd };
	struct guest_mem m;
	uint8_t *ram = calloc(1, 2 << 20);

	assert_int_equal(mem_layout(&m, MEM_MIN_SIZE), 0);
	m.r[0].hva = ram;
	m.r[0].size = 2 << 20;
	assert_int_equal(boot_reset_vector(&m), 0);
	assert_memory_equal(ram + 0xffff0, want, sizeof(want));
	/* The rest of the 16-byte vector stays zero. */
	for (unsigned i = sizeof(want); i < 16; i++)
		assert_int_equal(ram[0xffff0 + i], 0);
	free(ram);
}

static void test_no_ram_there(void **state)
{
	struct guest_mem m;

	assert_int_equal(mem_layout(&m, MEM_MIN_SIZE), 0);
	assert_int_equal(boot_reset_vector(&m), -EFAULT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stub_bytes),
		cmocka_unit_test(test_no_ram_there),
	};

	return cmocka_run_group_tests_name("resetvec", tests, NULL, NULL);
}
