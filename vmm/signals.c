// SPDX-License-Identifier: GPL-2.0
/* The termination signals: which they are, and whether one is waiting. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "signals.h"

static const int signals_term[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

void signals_term_set(sigset_t *set)
{
	sigemptyset(set);
	for (unsigned i = 0; i < ARRAY_SIZE(signals_term); i++)
		sigaddset(set, signals_term[i]);
}

/*
 * sigpending(2) reports the signals pending for the calling thread and for
 * the whole process; a blocked signal stays there until a signalfd read or
 * sigwait takes it, so looking does not consume it.
 */
int signals_term_pending(void)
{
	sigset_t pending;
	int found = 0;

	if (sigpending(&pending))
		return 0;
	for (unsigned i = 0; i < ARRAY_SIZE(signals_term); i++)
		if (sigismember(&pending, signals_term[i]) == 1 &&
		    (!found || signals_term[i] < found))
			found = signals_term[i];
	return found;
}

int signals_setup_check(void)
{
	return signals_term_pending() ? -EINTR : 0;
}

const char *signals_name(int sig, char buf[16])
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, 16, "SIG%s", abbrev);
	else
		snprintf(buf, 16, "signal %d", sig);
	return buf;
}
