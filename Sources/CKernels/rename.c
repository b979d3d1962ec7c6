// Publishing an output without replacing what is there: rename(2) with RENAME_NOREPLACE
// (Linux renameat2, through the system call since older C libraries lack the wrapper;
// macOS renamex_np with RENAME_EXCL). Atomic: of two runs racing for the same new name,
// exactly one wins and the other gets EEXIST.

#define _GNU_SOURCE
#include "ckernels.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#endif

int ckernels_rename_noreplace(const char *from, const char *to) {
#if defined(__linux__) && defined(SYS_renameat2)
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
#elif defined(__APPLE__)
    return renamex_np(from, to, RENAME_EXCL);
#else
    errno = EINVAL;
    return -1;
#endif
}
