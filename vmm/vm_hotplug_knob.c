// SPDX-License-Identifier: GPL-2.0
/*
 * TEST KNOB, for the e2e rig until the control socket (issue 9) drives
 * vm_device_del() and vm_device_add(): with PTVM_TEST_HOTPLUG_FIFO=PATH in
 * the environment, ptvm reads lines "device-del BDF" and "device-add BDF"
 * from the fifo PATH in its main loop and says on stderr what became of
 * each: "ptvm: test-knob: device-del BDF: started|done|<error>". Not a
 * user interface: the lead replaces it with the socket's verbs and
 * deletes this file (and its call in vm_create()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm.h"

#define KNOB_ENV "PTVM_TEST_HOTPLUG_FIFO"

struct vm_knob {
	int fd;
};

static void knob_say(const char *verb, const struct pci_bdf *bdf, int err, const char *what)
{
	char name[PCI_BDF_STRLEN];

	fprintf(stderr, "ptvm: test-knob: %s %s: %s\n", verb, pci_bdf_format(bdf, name),
		err ? strerror(-err) : what);
}

static void knob_del_done(void *opaque, const struct pci_bdf *bdf, int err)
{
	knob_say("device-del", bdf, err, "done");
}

static void knob_add_done(void *opaque, const struct pci_bdf *bdf, int err)
{
	knob_say("device-add", bdf, err, "done");
}

static void knob_line(struct vm *vm, char *line)
{
	char *arg = strchr(line, ' ');
	struct pci_bdf bdf;
	bool del;
	int ret;

	if (!arg)
		return;
	*arg++ = '\0';
	del = !strcmp(line, "device-del");
	if ((!del && strcmp(line, "device-add")) || pci_bdf_parse(arg, &bdf)) {
		fprintf(stderr, "ptvm: test-knob: '%s %s' not understood\n", line, arg);
		return;
	}
	ret = del ? vm_device_del(vm, &bdf, knob_del_done, NULL)
		  : vm_device_add(vm, &bdf, knob_add_done, NULL);
	knob_say(line, &bdf, ret, "started");
}

static void knob_read(struct vm *vm, struct vm_source *src)
{
	char buf[256], *p, *nl;
	ssize_t n = read(src->fd, buf, sizeof(buf) - 1);

	if (n <= 0)
		return;
	buf[n] = '\0';
	for (p = buf; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		knob_line(vm, p);
	}
}

int vm_hotplug_knob_init(struct vm *vm)
{
	const char *path = getenv(KNOB_ENV);
	int fd, ret;

	if (!path)
		return 0;
	/* Read-write: the fifo never reports end-of-file when a writer closes. */
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		log_err(KNOB_ENV ": cannot open %s: %s", path, strerror(-ret));
		return ret;
	}
	vm->knob = calloc(1, sizeof(*vm->knob));
	ret = vm->knob ? vm_add_source(vm, fd, VM_WAKE_WAKE, knob_read, NULL) : -ENOMEM;
	if (ret < 0) {
		close(fd);
		free(vm->knob);
		vm->knob = NULL;
		return ret;
	}
	vm->knob->fd = fd;
	return 0;
}

void vm_hotplug_knob_close(struct vm *vm)
{
	if (!vm->knob)
		return;
	close(vm->knob->fd);
	free(vm->knob);
	vm->knob = NULL;
}
