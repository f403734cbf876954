/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The termination signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT). main() holds
 * them blocked from its start, so none can kill ptvm half-way through
 * setup or teardown: while the guest runs, the main loop reads them from a
 * signalfd; before that, setup looks for a pending one between its steps
 * and inside its long ones (pinning guest RAM, resetting devices) and stops
 * early, undoing what it did.
 */
#ifndef PTVM_SIGNALS_H
#define PTVM_SIGNALS_H

#include <signal.h>

#include "util.h"

/* Fill @set with the termination signals. */
void signals_term_set(sigset_t *set);
/* The lowest-numbered termination signal pending (blocked and not yet taken), or 0. */
int signals_term_pending(void);
/*
 * -EINTR if a termination signal is pending, else 0: the check setup makes
 * between its steps. The signal stays pending, for the caller to name.
 */
int signals_setup_check(void) __must_check;
/* "SIGINT" for SIGINT; "signal N" for one without a name. @buf holds 16 bytes. */
const char *signals_name(int sig, char buf[16]);

#endif
