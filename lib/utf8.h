/*
 * Strict UTF-8 (RFC 3629) validation, decoding and encoding.
 *
 * "Strict" means: no overlong forms (C0, C1, E0 80..9F, F0 80..8F), no
 * UTF-16 surrogates (ED A0..BF), nothing above U+10FFFF (F4 90.., F5..FF),
 * no truncated sequences and no stray continuation bytes.  NUL is valid
 * UTF-8; callers that forbid it check for it themselves (memchr is faster
 * than folding the test in here).
 *
 * Internal header: not installed.  No state; every function is thread-safe.
 */
#ifndef VX_UTF8_H
#define VX_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Offset of the first byte of the first ill-formed sequence in s[0..len),
 * or `len` when the whole buffer is valid.  For "E2 82 28" the answer is
 * the offset of E2: the sequence that starts there is the faulty one. */
size_t vx_utf8_check(const char *s, size_t len);

/* Decode one character at s[0..len).  Returns its length (1..4) and stores
 * the code point in *cp, or returns 0 when the bytes there are not a valid
 * character (or len is 0). */
int vx_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Encode `cp` into out[0..4).  Returns the length (1..4), or 0 for a
 * surrogate or a value above U+10FFFF. */
int vx_utf8_encode(uint32_t cp, char out[4]);

/* Explain why the sequence at s[off] is invalid, for error messages:
 * "byte 0xC3 followed by 0x28", "unexpected continuation byte 0x80",
 * "byte 0xC0 followed by 0xAF (overlong encoding)", ...  `off` is normally
 * what vx_utf8_check returned.  Always NUL-terminates `out` (cap > 0). */
void vx_utf8_describe(const char *s, size_t len, size_t off, char *out,
                      size_t cap);

#endif
