/*
 * PII redaction: e-mail addresses, phone numbers, payment card numbers and
 * IBANs replaced by typed placeholders ([EMAIL], [PHONE], [CARD], [IBAN]).
 * The recognition rules are documented at the top of redact.c and in
 * docs/privacy.md.
 *
 * Internal header: not installed.  No state; every function is thread-safe.
 * Kinds are the public VOCX_REDACT_* bits of vocx.h.
 */
#ifndef VX_REDACT_H
#define VX_REDACT_H

#include <stddef.h>

/* A growable output buffer owned by the caller; start it zeroed, reuse it
 * across calls, release it with vx_redact_buf_free(). */
typedef struct vx_redact_buf {
    char *data; /* NUL-terminated after a call that redacted something */
    size_t len;
    size_t cap;
} vx_redact_buf;

void vx_redact_buf_free(vx_redact_buf *b);

/* 0 when text[0..len) certainly holds nothing to redact for `kinds` (no
 * '@' for e-mail; fewer than 7 ASCII digits for the others), 1 when it may.
 * About the cost of memchr. */
int vx_redact_maybe(const char *text, size_t len, unsigned int kinds);

/*
 * Redact text[0..len) (UTF-8; invalid bytes are copied untouched) for the
 * VOCX_REDACT_* bits in `kinds`.  *count receives the number of spans
 * replaced.  When it is 0 the buffer is not touched and the input is the
 * result (the common case costs no copy); otherwise out->data[0..out->len)
 * is the redacted text, NUL-terminated.
 *
 * Returns VOCX_OK; VOCX_EINVAL (NULL out or count, NULL text with len > 0,
 * unknown bits in kinds); VOCX_ENOMEM (the buffer content is then
 * unspecified).
 */
int vx_redact(const char *text, size_t len, unsigned int kinds,
              vx_redact_buf *out, size_t *count);

#endif
