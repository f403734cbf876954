// SPDX-License-Identifier: GPL-2.0
/* From files on disk to a guest ready to enter Linux: its 64-bit entry or PVH. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/acpi.h"
#include "boot/file.h"
#include "boot/kcache.h"
#include "boot/pvh.h"
#include "boot/resetvec.h"
#include "layout.h"
#include "vm.h"

/* Read @path into private memory (boot/file.h); one log line naming @what on failure. */
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
	ret = boot_file_copy(fd, 0, st.st_size, map);
	if (ret == -EIO)
		log_err("cannot read %s '%s': it shrank while being read", what, path);
	else if (ret == -ENOMEM)
		log_err("cannot load %s '%s' (%lld bytes): %s", what, path, (long long)st.st_size,
			strerror(-ret));
	else if (ret)
		log_err("cannot read %s '%s': %s", what, path, strerror(-ret));
	else
		*len = st.st_size;
out:
	close(fd);
	return ret;
}

/* --kernel is an ELF vmlinux: PVH or nothing. */
static int vm_boot_elf(struct vm *vm)
{
	const char *why = NULL;
	int ret;

	ret = elf_parse(vm->kernel_map, vm->kernel_len, &vm->elf, &why);
	if (ret) {
		log_err("kernel '%s': %s", vm->cfg->kernel, why);
		return ret;
	}
	if (vm->cfg->no_pvh) {
		log_err("kernel '%s': an ELF vmlinux boots only through PVH: drop --no-pvh, or "
			"boot its bzImage",
			vm->cfg->kernel);
		return -EINVAL;
	}
	if (!vm->elf.has_pvh) {
		log_err("kernel '%s': ELF kernel without a PVH entry note "
			"(XEN_ELFNOTE_PHYS32_ENTRY); "
			"build it with CONFIG_PVH=y, or boot its bzImage",
			vm->cfg->kernel);
		return -ENOEXEC;
	}
	vm->boot_mode = BOOT_MODE_PVH;
	log_info("kernel: '%s': ELF vmlinux, booting through PVH (entry 0x%x)", vm->cfg->kernel,
		 vm->elf.entry32);
	return 0;
}

static const char *const vm_kcache_how[] = {
	[KCACHE_HIT] = "from the kernel cache",
	[KCACHE_STORED] = "decompressed, now in the kernel cache",
	[KCACHE_UNCACHED] = "decompressed",
};

/*
 * A bzImage: its payload decompressed on the host (once, with the cache)
 * and booted through PVH when that vmlinux has the note; anything in the
 * way falls back to the bzImage's own 64-bit entry, which always works.
 */
static void vm_boot_unpack(struct vm *vm)
{
	const char *path = vm->cfg->kernel, *why = NULL;
	struct kcache_result *r;
	struct unpack_payload p;
	char msg[UNPACK_WHY_LEN];

	if (unpack_find(&vm->bz, &p, msg, sizeof(msg))) {
		log_info("kernel: '%s': bzImage through the 64-bit boot protocol: %s", path, msg);
		return;
	}
	r = malloc(sizeof(*r));
	if (!r)
		return;
	if (kcache_get(vm->cfg->no_kernel_cache ? NULL : kcache_dir(), vm->kernel_map,
		       vm->kernel_len, &p, r, msg, sizeof(msg))) {
		log_info("kernel: '%s': bzImage through the 64-bit boot protocol: %s", path, msg);
		goto out;
	}
	if (r->why[0])
		log_info("kernel: cache: %s", r->why);
	if (elf_parse(r->map, r->len, &vm->elf, &why) || !vm->elf.has_pvh) {
		log_info("kernel: '%s': bzImage through the 64-bit boot protocol: its vmlinux %s",
			 path, why ?: "has no PVH entry note");
		munmap(r->map, r->len);
		memset(&vm->elf, 0, sizeof(vm->elf));
		goto out;
	}
	vm->vmlinux_map = r->map;
	vm->vmlinux_len = r->len;
	vm->boot_mode = BOOT_MODE_PVH;
	/* The vmlinux is what a reboot loads again: the bzImage can go. */
	munmap(vm->kernel_map, vm->kernel_len);
	vm->kernel_map = NULL;
	log_info("kernel: '%s': bzImage's %s vmlinux (%zu bytes, %s%s%s), booting through PVH "
		 "(entry 0x%x)",
		 path, unpack_format_name(p.format), r->len, vm_kcache_how[r->how],
		 r->path[0] ? " " : "", r->path, vm->elf.entry32);
out:
	free(r);
}

int vm_boot_read(struct vm *vm)
{
	const char *why = NULL;
	int ret;

	ret = vm_boot_map("kernel", vm->cfg->kernel, &vm->kernel_map, &vm->kernel_len);
	if (ret)
		return ret;
	if (elf_is_elf(vm->kernel_map, vm->kernel_len)) {
		ret = vm_boot_elf(vm);
	} else {
		ret = bzimage_parse(vm->kernel_map, vm->kernel_len, &vm->bz, &why);
		if (ret)
			log_err("kernel '%s': %s", vm->cfg->kernel, why);
		else if (vm->cfg->no_pvh)
			log_info(
				"kernel: '%s': bzImage through the 64-bit boot protocol (--no-pvh)",
				vm->cfg->kernel);
		else
			vm_boot_unpack(vm);
	}
	if (ret)
		return ret;
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
	if (vm->boot_mode == BOOT_MODE_PVH)
		ret = pvh_load(&vm->mem, &vm->elf, vm->initrd_map, vm->initrd_len, vm->cfg->cmdline,
			       rsdp, entry, &why);
	else
		ret = boot_load(&vm->mem, &vm->bz, vm->initrd_map, vm->initrd_len, vm->cfg->cmdline,
				rsdp, entry, &why);
	if (ret)
		log_err("cannot boot '%s': %s", vm->cfg->kernel, why ?: strerror(-ret));
	return ret;
}

void vm_boot_release(struct vm *vm)
{
	if (vm->kernel_map)
		munmap(vm->kernel_map, vm->kernel_len);
	if (vm->vmlinux_map)
		munmap(vm->vmlinux_map, vm->vmlinux_len);
	if (vm->initrd_map)
		munmap(vm->initrd_map, vm->initrd_len);
	vm->kernel_map = vm->initrd_map = vm->vmlinux_map = NULL;
}
