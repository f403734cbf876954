/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The little JSON `ptvm devices --json` and `ptvm check --json` write: one
 * object per line, strings escaped per RFC 8259 sec 7.
 */
#ifndef PTVM_HOSTDEV_JSON_H
#define PTVM_HOSTDEV_JSON_H

#include <stdbool.h>
#include <stdio.h>

/*
 * @s as a JSON string, quotes included; NULL as null. Bytes that are not
 * valid UTF-8 become U+FFFD, so the output is valid whatever the input.
 */
void json_str(FILE *f, const char *s);
/* "key": and @s as json_str() writes it, after ", " unless @first. */
void json_key_str(FILE *f, const char *key, const char *s, bool first);

#endif
