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

/*
 * Read @path into private anonymous memory; one log line naming @what and
 * the file on failure. A copy, not a mapping of the file: a guest reboot
 * loads the kernel again from it, and the guest must then get what it
 * booted first, whatever happened to the file meanwhile (a `cp` over it
 * rewrites it in place; a truncated file would SIGBUS a mapping of it).
 */
static int vm_boot_map(const char *what, const char *path, void **map, size_t *len)
{
	struct stat st;
	size_t done = 0;
	int fd, ret = 0;
	void *p;

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
	p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		log_err("cannot load %s '%s' (%lld bytes): %s", what, path, (long long)st.st_size,
			strerror(-ret));
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = pread(fd, (char *)p + done, st.st_size - done, done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n ? -errno : -EIO;
			log_err("cannot read %s '%s': %s", what, path,
				n ? strerror(-ret) : "it shrank while being read");
			munmap(p, st.st_size);
			goto out;
		}
		done += n;
	}
	*map = p;
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
		/*
		 * Bus 0 and the root ports' buses (vm_port.c), no more: Linux
		 * (x86 pcibios_fixup_peer_bridges()) probes 32 devices on every
		 * bus up to MCFG's last one for peer root buses, 8k config reads
		 * for 0-255, which cost an L2 guest in the rig some 20 s.
		 */
		.ecam_bus_end = vm_nr_ports(vm),
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
