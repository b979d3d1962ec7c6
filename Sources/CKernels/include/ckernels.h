#ifndef CKERNELS_H
#define CKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has the SHA extensions (and SSSE3 / SSE4.1) that
/// `ckernels_sha256_blocks` uses, else 0 (always 0 off x86-64).
int ckernels_sha256_accelerated(void);

/// Compresses `blocks` consecutive 64-byte blocks of `data` into `state` (the eight words
/// a..h of FIPS 180-4), with the SHA-NI instructions. Call only when
/// `ckernels_sha256_accelerated()` returned 1.
void ckernels_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

/// Renames `from` to `to` only if `to` does not exist, atomically: 0, or -1 with errno set
/// (EEXIST when `to` exists; EINVAL or ENOSYS where the file system or system cannot do it).
int ckernels_rename_noreplace(const char *from, const char *to);

#endif
