#ifndef ALLOCATION_COUNTER_H
#define ALLOCATION_COUNTER_H

/// Starts counting heap allocations made by the calling thread (malloc, calloc, realloc and the
/// aligned variants, interposed over glibc's).
void allocation_counter_start(void);

/// Stops counting; the allocations since the start.
long allocation_counter_stop(void);

#endif
