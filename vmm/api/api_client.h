/* SPDX-License-Identifier: GPL-2.0 */
/* `ptvm ctl`: a client of the control socket (api.h). */
#ifndef PTVM_API_CLIENT_H
#define PTVM_API_CLIENT_H

#include <stdio.h>

#include "api/api.h"

/* How long ctl waits for the server (a "pause" takes up to API_PAUSE_TIMEOUT_MS). */
#define API_CTL_TIMEOUT_MS 10000
/* device-del/add: the VM answers within API_HOTPLUG_TIMEOUT_MS plus the host's part. */
#define API_CTL_HOTPLUG_TIMEOUT_MS (API_HOTPLUG_TIMEOUT_MS + 30000)

/*
 * `ptvm ctl PATH VERB [BDF]`: send {"id":1,"verb":VERB[,"bdf":BDF]}, print
 * the reply's "ok" object as one line of JSON on @out: 0. An "error" reply,
 * or no connection or no reply: one line on @err, 1. A bad command line: 2.
 * `ptvm ctl PATH --raw`: stdin goes to the socket as it is, every reply line
 * to @out, until the server closes or API_CTL_TIMEOUT_MS pass in silence.
 * @argv[0] is "ptvm", @argv[1] "ctl".
 */
int api_ctl(int argc, char *const argv[], int in_fd, FILE *out, FILE *err);

#endif
