// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's protocol (api_proto.c) against a fake VM: the exact
 * reply to every verb, and to garbage, bad ids, missing or unknown verbs
 * and members, NUL bytes, bad UTF-8, deep nesting and trailing bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "api_fake.h"

static char reply[API_REPLY_MAX];
static struct api_later later;

static const char *answer_len(struct api_fake *f, const char *line, size_t len)
{
	size_t n = api_answer(&api_fake_ops, f, line, len, &later, reply, sizeof(reply));

	assert_int_equal(n, strlen(reply));
	/* One line, always: the newline is the last byte and the only one. */
	assert_true(n > 0 && reply[n - 1] == '\n');
	assert_ptr_equal(strchr(reply, '\n'), reply + n - 1);
	return reply;
}

/* As answer(), with no slot for a reply that would come later. */
static const char *answer_null(struct api_fake *f, const char *line)
{
	size_t n = api_answer(&api_fake_ops, f, line, strlen(line), NULL, reply, sizeof(reply));

	assert_int_equal(n, strlen(reply));
	return reply;
}

static const char *answer(struct api_fake *f, const char *line)
{
	return answer_len(f, line, strlen(line));
}

#define STATUS_OK(state)                                                        \
	"{\"state\":\"" state                                                   \
	"\",\"vcpus\":2,\"memory\":268435456,\"uptime_ms\":1234,\"reboots\":3," \
	"\"devices\":[{\"bdf\":\"0000:01:00.0\",\"iommu_group\":7}]}"

static void test_status(void **state)
{
	struct api_fake f = {0};

	assert_string_equal(answer(&f, "{\"id\":1,\"verb\":\"status\"}"),
			    "{\"id\":1,\"ok\":" STATUS_OK("running") "}\n");
	/* Members in any order, blanks around them, a string id echoed as it came. */
	assert_string_equal(answer(&f, " { \"verb\" : \"status\", \"id\" : \"a b\" } \r"),
			    "{\"id\":\"a b\",\"ok\":" STATUS_OK("running") "}\n");
	assert_int_equal(f.nr_status, 2);
}

/* The same counters --stats prints, by the same names (vm_wake_names). */
static void test_stats(void **state)
{
	struct api_fake f = {0};

	assert_string_equal(answer(&f, "{\"id\":2,\"verb\":\"stats\"}"),
			    "{\"id\":2,\"ok\":{"
			    "\"exits\":{\"pio\":11,\"mmio\":22,\"intr\":33,\"halt\":5,\"other\":4},"
			    "\"vcpus\":[{\"pio\":1,\"mmio\":2,\"intr\":3,\"halt\":0,\"other\":4},"
			    "{\"pio\":10,\"mmio\":20,\"intr\":30,\"halt\":5,\"other\":0}],"
			    "\"wakeups\":{\"console\":100,\"wake\":101,\"signal\":102,\"vfio\":103,"
			    "\"api\":104,\"output\":105},\"reboots\":3,\"console_written\":6,"
			    "\"console_dropped\":7,"
			    "\"devices\":[{\"bdf\":\"0000:01:00.0\",\"trapped_reads\":17,"
			    "\"trapped_writes\":18446744073709551615}]}}\n");
	assert_int_equal(f.nr_stats, 1);
}

/* Pause and resume are idempotent: twice is ok, and status follows. */
static void test_pause_resume(void **state)
{
	struct api_fake f = {0};

	assert_string_equal(answer(&f, "{\"id\":3,\"verb\":\"pause\"}"),
			    "{\"id\":3,\"ok\":{\"state\":\"paused\"}}\n");
	assert_string_equal(answer(&f, "{\"id\":4,\"verb\":\"pause\"}"),
			    "{\"id\":4,\"ok\":{\"state\":\"paused\"}}\n");
	assert_string_equal(answer(&f, "{\"id\":5,\"verb\":\"status\"}"),
			    "{\"id\":5,\"ok\":" STATUS_OK("paused") "}\n");
	assert_string_equal(answer(&f, "{\"id\":6,\"verb\":\"resume\"}"),
			    "{\"id\":6,\"ok\":{\"state\":\"running\"}}\n");
	assert_string_equal(answer(&f, "{\"id\":7,\"verb\":\"resume\"}"),
			    "{\"id\":7,\"ok\":{\"state\":\"running\"}}\n");
	assert_int_equal(f.nr_pause, 2);
	assert_int_equal(f.nr_resume, 2);
	assert_false(f.paused);
}

static void test_pause_timeout(void **state)
{
	struct api_fake f = {.pause_ret = -ETIMEDOUT};

	assert_string_equal(answer(&f, "{\"id\":8,\"verb\":\"pause\"}"),
			    "{\"id\":8,\"error\":\"pause: the vCPUs did not stop within 2000 ms "
			    "(Connection timed out); still running\"}\n");
	assert_false(f.paused);
}

static void test_poweroff(void **state)
{
	struct api_fake f = {0};

	assert_string_equal(answer(&f, "{\"id\":9,\"verb\":\"poweroff\"}"),
			    "{\"id\":9,\"ok\":{\"state\":\"stopping\"}}\n");
	assert_int_equal(f.nr_poweroff, 1);
}

/* device-del and device-add under way: no reply now; the later one carries the id. */
static void test_hotplug_later(void **state)
{
	const char *del = "{\"id\":\"d1\",\"verb\":\"device-del\",\"bdf\":\"01:00.0\"}";
	const char *add = "{\"id\":10,\"verb\":\"device-add\",\"bdf\":\"0000:01:00.0\"}";
	struct api_fake f = {0};
	char out[256];

	assert_int_equal(
		api_answer(&api_fake_ops, &f, del, strlen(del), &later, reply, sizeof(reply)), 0);
	assert_int_equal(f.nr_del, 1);
	assert_ptr_equal(f.later, &later);
	/* Canonical, whatever form the client wrote. */
	assert_string_equal(later.bdf, "0000:01:00.0");
	assert_string_equal(later.verb, "device-del");
	api_later_line(&later, 0, out, sizeof(out));
	assert_string_equal(out, "{\"id\":\"d1\",\"ok\":{\"bdf\":\"0000:01:00.0\","
				 "\"state\":\"removed\"}}\n");
	api_later_line(&later, -ETIMEDOUT, out, sizeof(out));
	assert_string_equal(out, "{\"id\":\"d1\",\"error\":\"device-del: 0000:01:00.0: the "
				 "guest did not release it within 30 s; the device stays in the "
				 "guest\"}\n");
	assert_int_equal(
		api_answer(&api_fake_ops, &f, add, strlen(add), &later, reply, sizeof(reply)), 0);
	api_later_line(&later, 0, out, sizeof(out));
	assert_string_equal(out, "{\"id\":10,\"ok\":{\"bdf\":\"0000:01:00.0\",\"state\":"
				 "\"added\"}}\n");
	api_later_line(&later, -ECANCELED, out, sizeof(out));
	assert_string_equal(out, "{\"id\":10,\"error\":\"device-add: 0000:01:00.0: the guest "
				 "stopped or rebooted first\"}\n");
	/* No slot for a later reply: refused now. */
	assert_string_equal(answer_null(&f, del), "{\"id\":\"d1\",\"error\":\"device-del: "
						  "0000:01:00.0 is being added or removed "
						  "already; try again when that is done\"}\n");
}

/* Refused at once: the exact texts; a bad address never reaches the VM. */
static void test_hotplug_refused(void **state)
{
	struct api_fake f = {.hp_ret = -ENODEV};

	assert_string_equal(
		answer(&f, "{\"id\":1,\"verb\":\"device-del\",\"bdf\":\"0000:00:09.0\"}"),
		"{\"id\":1,\"error\":\"device-del: 0000:00:09.0 is not a device of this VM\"}\n");
	f.hp_ret = -ENOSPC;
	assert_string_equal(
		answer(&f, "{\"id\":2,\"verb\":\"device-add\",\"bdf\":\"0000:00:09.0\"}"),
		"{\"id\":2,\"error\":\"device-add: 0000:00:09.0: no free slot (every root port "
		"holds a device; start ptvm with more --hotplug-slots)\"}\n");
	f.hp_ret = -EEXIST;
	assert_string_equal(
		answer(&f, "{\"id\":3,\"verb\":\"device-add\",\"bdf\":\"0000:00:09.0\"}"),
		"{\"id\":3,\"error\":\"device-add: 0000:00:09.0 is in the guest already\"}\n");
	f.hp_ret = -EACCES;
	assert_string_equal(
		answer(&f, "{\"id\":4,\"verb\":\"device-add\",\"bdf\":\"0000:00:09.0\"}"),
		"{\"id\":4,\"error\":\"device-add: 0000:00:09.0: Permission denied (ptvm's log "
		"says more)\"}\n");
	assert_int_equal(f.nr_del + f.nr_add, 4);
	assert_string_equal(
		answer(&f, "{\"id\":5,\"verb\":\"device-del\",\"bdf\":\"0000:00:20.0\"}"),
		"{\"id\":5,\"error\":\"device-del: '0000:00:20.0' is not a PCI address (use "
		"DDDD:BB:DD.F)\"}\n");
	assert_int_equal(f.nr_del + f.nr_add, 4);
	assert_string_equal(answer(&f, "{\"id\":12,\"verb\":\"device-del\"}"),
			    "{\"id\":12,\"error\":\"device-del needs \\\"bdf\\\": the device's PCI "
			    "address, a string\"}\n");
	assert_string_equal(answer(&f, "{\"id\":13,\"verb\":\"device-add\",\"bdf\":3}"),
			    "{\"id\":13,\"error\":\"device-add needs \\\"bdf\\\": the device's PCI "
			    "address, a string\"}\n");
	assert_int_equal(f.nr_pause + f.nr_resume + f.nr_poweroff + f.nr_status + f.nr_stats, 0);
}

#define NOT_JSON(why) "{\"id\":null,\"error\":\"request is not JSON: " why "\"}\n"
#define NOT_OBJECT    "{\"id\":null,\"error\":\"request is not a JSON object\"}\n"
#define NO_ID                                                                                     \
	"{\"id\":null,\"error\":\"request has no usable \\\"id\\\" (a number, or a string of at " \
	"most 128 bytes)\"}\n"
#define VERBS "status, stats, pause, resume, poweroff, device-del, device-add"

/* Nothing a client sends reaches the VM but a whole, valid request. */
static void test_bad_requests(void **state)
{
	char long_id[200];
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"garbage", NOT_JSON("unexpected character")},
		{"", NOT_JSON("it ends early")},
		{"{\"id\":1,\"verb\":\"status\"", NOT_JSON("it ends early")},
		{"{\"id\":1,\"verb\":\"status\"} {}", NOT_JSON("unexpected character")},
		{"{'id':1,'verb':'status'}", NOT_JSON("unexpected character")},
		{"{\"id\":1,\"verb\":\"status\",}", NOT_JSON("unexpected character")},
		{"{\"id\":1,\"verb\":\"\xff\"}", NOT_JSON("invalid utf-8 string")},
		{"{\"id\":1,\"verb\":\"status\",\"x\":[[[[1]]]]}", NOT_JSON("nesting too deep")},
		{"[1,2]", NOT_OBJECT},
		{"\"status\"", NOT_OBJECT},
		{"42", NOT_OBJECT},
		{"null", NOT_OBJECT},
		{"{\"verb\":\"status\"}", NO_ID},
		{"{\"id\":null,\"verb\":\"status\"}", NO_ID},
		{"{\"id\":true,\"verb\":\"status\"}", NO_ID},
		{"{\"id\":{},\"verb\":\"status\"}", NO_ID},
		{"{\"id\":[1],\"verb\":\"status\"}", NO_ID},
		{"{\"id\":1}",
		 "{\"id\":1,\"error\":\"request has no \\\"verb\\\" (a string: " VERBS ")\"}\n"},
		{"{\"id\":1,\"verb\":7}", "{\"id\":1,\"error\":\"request has no \\\"verb\\\" (a "
					  "string: " VERBS ")\"}\n"},
		{"{\"id\":1.5,\"verb\":\"reboot\"}",
		 "{\"id\":1.5,\"error\":\"unknown verb \\\"reboot\\\" (the verbs: " VERBS ")\"}\n"},
		{"{\"id\":-3,\"verb\":\"status\",\"bdf\":\"x\"}",
		 "{\"id\":-3,\"error\":\"status: unknown member \\\"bdf\\\" (it takes no "
		 "arguments)\"}\n"},
		{"{\"id\":\"q\\\"\\n\",\"verb\":\"stats\",\"verbose\":1}",
		 "{\"id\":\"q\\\"\\n\",\"error\":\"stats: unknown member \\\"verbose\\\" (it takes "
		 "no "
		 "arguments)\"}\n"},
		{"{\"id\":2,\"verb\":\"device-del\",\"bdf\":\"x\",\"force\":1}",
		 "{\"id\":2,\"error\":\"device-del: unknown member \\\"force\\\" (it takes "
		 "\\\"bdf\\\")\"}\n"},
		{"{\"id\":3,\"verb\":\"statusstatusstatusstatusstatusstatusstatus\"}",
		 "{\"id\":3,\"error\":\"unknown verb \\\"statusstatusstatusstatusstatusst\\\" (the "
		 "verbs: " VERBS ")\"}\n"},
	};
	struct api_fake f = {0};
	char line[300];

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		print_message("%s\n", cases[i].in);
		assert_string_equal(answer(&f, cases[i].in), cases[i].out);
	}
	/* A NUL inside the line. */
	assert_string_equal(answer_len(&f, "{\"id\":1,\0\"verb\":\"status\"}", 26),
			    NOT_JSON("it holds a NUL byte"));
	/* A string id too long to echo. */
	memset(long_id, 'i', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	snprintf(line, sizeof(line), "{\"id\":\"%s\",\"verb\":\"status\"}", long_id);
	assert_string_equal(answer(&f, line), NO_ID);
	assert_int_equal(f.nr_pause + f.nr_resume + f.nr_poweroff + f.nr_status + f.nr_stats, 0);
}

/* A reply that does not fit says so, in one line that does. */
static void test_reply_too_long(void **state)
{
	struct api_fake f = {0};
	char small[64];
	size_t n = api_answer(&api_fake_ops, &f, "{\"id\":1,\"verb\":\"status\"}", 24, NULL, small,
			      sizeof(small));

	assert_string_equal(small, "{\"id\":null,\"error\":\"reply too long\"}\n");
	assert_int_equal(n, strlen(small));
}

static void test_error_line(void **state)
{
	char out[128];

	size_t n = api_error_line("too \"many\"", out, sizeof(out));

	assert_string_equal(out, "{\"id\":null,\"error\":\"too \\\"many\\\"\"}\n");
	assert_int_equal(n, strlen(out));
}

/* Found by fuzz_api: an error line cut at the buffer's end was neither one line nor JSON. */
static void test_error_line_small(void **state)
{
	char out[64];
	size_t n = api_error_line("request is not JSON: an error text longer than this buffer", out,
				  sizeof(out));

	assert_string_equal(out, "{\"id\":null,\"error\":\"reply too long\"}\n");
	assert_int_equal(n, strlen(out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status),		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_pause_resume),	cmocka_unit_test(test_pause_timeout),
		cmocka_unit_test(test_poweroff),	cmocka_unit_test(test_hotplug_later),
		cmocka_unit_test(test_hotplug_refused), cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_reply_too_long),	cmocka_unit_test(test_error_line),
		cmocka_unit_test(test_error_line_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
