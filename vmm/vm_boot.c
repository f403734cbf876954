// SPDX-License-Identifier: GPL-2.0
/* From files on disk to a guest ready to enter Linux's 64-bit entry point. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/acpi.h"
#include "boot/resetvec.h"
#include "layout.h"
#include "vm.h"

/* Map @path read-only; one log line naming @what and the file on failure. */
static int vm_boot_map(const char *what, const char *path, void **map, size_t *len)
{
	struct stat st;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		log_err("cannot read %s '%s': %s", what, path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		log_err("cannot read %s '%s': %s", what, path, strerror(-ret));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		ret = -EINVAL;
		log_err("%s '%s' is %s", what, path,
			S_ISREG(st.st_mode) ? "empty" : "not a regular file");
		goto out;
	}
	*map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (*map == MAP_FAILED) {
		ret = -errno;
		*map = NULL;
		log_err("cannot map %s '%s': %s", what, path, strerror(-ret));
		goto out;
	}
	*len = st.st_size;
out:
	close(fd);
	return ret;
}

int vm_boot_read(struct vm *vm)
{
	const char *why = NULL;
	int ret;

	ret = vm_boot_map("kernel", vm->cfg->kernel, &vm->kernel_map, &vm->kernel_len);
	if (ret)
		return ret;
	ret = bzimage_parse(vm->kernel_map, vm->kernel_len, &vm->bz, &why);
	if (ret) {
		log_err("kernel '%s': %s", vm->cfg->kernel, why);
		return ret;
	}
	if (vm->cfg->initrd)
		return vm_boot_map("initrd", vm->cfg->initrd, &vm->initrd_map, &vm->initrd_len);
	return 0;
}

int vm_boot_setup(struct vm *vm, struct boot_entry *entry)
{
	struct acpi_cfg acfg = {
		.ncpus = vm->cfg->cpus,
		.mmio64_base = vm->mmio64_base,
		.mmio64_size = vm->mmio64_size,
		.ecam_bus_start = 0,
		.ecam_bus_end = 0,
	};
	const char *why = NULL;
	uint64_t rsdp;
	int ret;

	ret = acpi_build(&vm->mem, &acfg, &rsdp);
	if (ret) {
		log_err("cannot build the ACPI tables: %s", strerror(-ret));
		return ret;
	}
	ret = boot_reset_vector(&vm->mem);
	if (ret)
		return ret;
	ret = boot_load(&vm->mem, &vm->bz, vm->initrd_map, vm->initrd_len, vm->cfg->cmdline, rsdp,
			entry, &why);
	if (ret)
		log_err("cannot boot '%s': %s", vm->cfg->kernel, why ?: strerror(-ret));
	return ret;
}

void vm_boot_release(struct vm *vm)
{
	if (vm->kernel_map)
		munmap(vm->kernel_map, vm->kernel_len);
	if (vm->initrd_map)
		munmap(vm->initrd_map, vm->initrd_len);
	vm->kernel_map = vm->initrd_map = NULL;
}
