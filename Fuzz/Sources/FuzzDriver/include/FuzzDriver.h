// libFuzzer's driver entry (compiler-rt, FuzzerInterface.h): runs the fuzzing loop with `callback`.
// SwiftPM links an executable's own main, so the Swift entry point hands control to libFuzzer here.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
