/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Capture what ptvm logs to stderr, so a test can assert on exact lines:
 * stderr is pointed at a temporary file between start and end.
 */
#ifndef PTVM_TEST_LOG_CAPTURE_H
#define PTVM_TEST_LOG_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct log_capture {
	FILE *tmp;
	int saved_fd;
	char *text; /* after log_capture_end(): everything logged, NUL-terminated */
};

static inline void log_capture_start(struct log_capture *lc)
{
	fflush(stderr);
	lc->text = NULL;
	lc->tmp = tmpfile();
	lc->saved_fd = dup(STDERR_FILENO);
	if (!lc->tmp || lc->saved_fd < 0 || dup2(fileno(lc->tmp), STDERR_FILENO) < 0)
		abort();
}

/* Restore stderr; returns the captured text (freed by log_capture_free). */
static inline const char *log_capture_end(struct log_capture *lc)
{
	long n;

	fflush(stderr);
	dup2(lc->saved_fd, STDERR_FILENO);
	close(lc->saved_fd);
	n = ftell(lc->tmp);
	lc->text = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
	if (!lc->text)
		abort();
	rewind(lc->tmp);
	if (n > 0 && fread(lc->text, 1, (size_t)n, lc->tmp) != (size_t)n)
		abort();
	fclose(lc->tmp);
	return lc->text;
}

static inline void log_capture_free(struct log_capture *lc)
{
	free(lc->text);
	lc->text = NULL;
}

/* Run @call under a log capture into @log (a char array); evaluates to its return. */
#define LOG_CAPTURED(log, call)                             \
	({                                                  \
		struct log_capture lc_;                     \
		int r_;                                     \
		log_capture_start(&lc_);                    \
		r_ = (call);                                \
		log_capture_end(&lc_);                      \
		snprintf(log, sizeof(log), "%s", lc_.text); \
		log_capture_free(&lc_);                     \
		r_;                                         \
	})

#endif
