#ifndef PORTSCOPE_FUZZER_DRIVER_H
#define PORTSCOPE_FUZZER_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for programs that keep their own main (SwiftPM's executables do).
/// Weak, so that an ordinary build, without -sanitize=fuzzer, links and says how to build.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size))
    __attribute__((weak));

/// Whether libFuzzer is linked in.
static inline int portscope_fuzzer_linked(void) { return LLVMFuzzerRunDriver != 0; }

#endif
