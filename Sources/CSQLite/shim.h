#ifndef PORTSCOPE_CSQLITE_SHIM_H
#define PORTSCOPE_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import.
static inline sqlite3_destructor_type portscope_sqlite_transient(void) { return SQLITE_TRANSIENT; }

// sqlite3_config is variadic, which Swift cannot call. Memory statistics take a global mutex on
// every allocation SQLite makes; nothing reads them, so they are turned off before the first
// connection opens (SQLITE_MISUSE, harmless, if SQLite was initialized already).
static inline int portscope_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
