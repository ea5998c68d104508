#ifndef PORTSCOPE_CSQLITE_SHIM_H
#define PORTSCOPE_CSQLITE_SHIM_H
#include <sqlite3.h>
#include <string.h>

// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import.
static inline sqlite3_destructor_type portscope_sqlite_transient(void) { return SQLITE_TRANSIENT; }

// sqlite3_config is variadic, which Swift cannot call. Memory statistics take a global mutex on
// every allocation SQLite makes; nothing reads them, so they are turned off before the first
// connection opens (SQLITE_MISUSE, harmless, if SQLite was initialized already).
static inline int portscope_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

// portscope_feed: a table of rows made on demand, one at a time, by the caller, so that many
// rows go into a table through one `INSERT … SELECT … FROM portscope_feed(?)` instead of one
// statement run per row (each run has a fixed cost as large as the row's own). Eponymous and
// table-valued: the parameter is a `portscope_feed_source *` bound with sqlite3_bind_pointer
// under the type "portscope_feed". Columns c0 … c63 name the values of a row in order.

typedef struct portscope_feed_value {
    sqlite3_int64 integer;
    const char *text;  // valid until `next` is called again
    int length;
    int type;          // SQLITE_INTEGER, SQLITE_TEXT or SQLITE_NULL
} portscope_feed_value;

typedef struct portscope_feed_source {
    void *context;
    // Fills `values` with the next row: 1, or 0 when there is none.
    int (*next)(void *context, portscope_feed_value *values);
    portscope_feed_value *values;
    int started;  // a source is read once
} portscope_feed_source;

enum { PORTSCOPE_FEED_COLUMNS = 64 };

typedef struct portscope_feed_cursor {
    sqlite3_vtab_cursor base;
    portscope_feed_source *source;
    sqlite3_int64 row;
    int eof;
} portscope_feed_cursor;

static inline int portscope_feed_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                                         sqlite3_vtab **table, char **error) {
    (void)aux; (void)argc; (void)argv; (void)error;
    char schema[16 + PORTSCOPE_FEED_COLUMNS * 5 + 32] = "CREATE TABLE x(";
    size_t at = strlen(schema);
    for (int i = 0; i < PORTSCOPE_FEED_COLUMNS; i++) {
        sqlite3_snprintf(8, schema + at, "c%d,", i);
        at += strlen(schema + at);
    }
    memcpy(schema + at, "source HIDDEN)", 15);
    int rc = sqlite3_declare_vtab(db, schema);
    if (rc != SQLITE_OK) return rc;
    *table = (sqlite3_vtab *)sqlite3_malloc(sizeof(sqlite3_vtab));
    if (*table == 0) return SQLITE_NOMEM;
    memset(*table, 0, sizeof(sqlite3_vtab));
    return SQLITE_OK;
}

static inline int portscope_feed_disconnect(sqlite3_vtab *table) {
    sqlite3_free(table);
    return SQLITE_OK;
}

// Only a scan given its source: `portscope_feed(?)`.
static inline int portscope_feed_best_index(sqlite3_vtab *table, sqlite3_index_info *info) {
    (void)table;
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (c->iColumn == PORTSCOPE_FEED_COLUMNS && c->op == SQLITE_INDEX_CONSTRAINT_EQ && c->usable) {
            info->aConstraintUsage[i].argvIndex = 1;
            info->aConstraintUsage[i].omit = 1;
            info->estimatedCost = 1;
            return SQLITE_OK;
        }
    }
    return SQLITE_CONSTRAINT;
}

static inline int portscope_feed_open(sqlite3_vtab *table, sqlite3_vtab_cursor **cursor) {
    (void)table;
    portscope_feed_cursor *c = (portscope_feed_cursor *)sqlite3_malloc(sizeof(portscope_feed_cursor));
    if (c == 0) return SQLITE_NOMEM;
    memset(c, 0, sizeof(*c));
    c->eof = 1;
    *cursor = &c->base;
    return SQLITE_OK;
}

static inline int portscope_feed_close(sqlite3_vtab_cursor *cursor) {
    sqlite3_free(cursor);
    return SQLITE_OK;
}

static inline int portscope_feed_next(sqlite3_vtab_cursor *cursor) {
    portscope_feed_cursor *c = (portscope_feed_cursor *)cursor;
    c->eof = !c->source->next(c->source->context, c->source->values);
    c->row += 1;
    return SQLITE_OK;
}

static inline int portscope_feed_filter(sqlite3_vtab_cursor *cursor, int plan, const char *planText, int argc,
                                        sqlite3_value **argv) {
    (void)plan; (void)planText;
    portscope_feed_cursor *c = (portscope_feed_cursor *)cursor;
    c->source = argc == 1 ? (portscope_feed_source *)sqlite3_value_pointer(argv[0], "portscope_feed") : 0;
    c->row = -1;
    c->eof = 1;
    if (c->source == 0) return SQLITE_OK;  // no source bound: no rows
    if (c->source->started) {
        sqlite3_free(cursor->pVtab->zErrMsg);
        cursor->pVtab->zErrMsg = sqlite3_mprintf("portscope_feed: a source is read once");
        return SQLITE_MISUSE;
    }
    c->source->started = 1;
    return portscope_feed_next(cursor);
}

static inline int portscope_feed_eof(sqlite3_vtab_cursor *cursor) {
    return ((portscope_feed_cursor *)cursor)->eof;
}

static inline int portscope_feed_column(sqlite3_vtab_cursor *cursor, sqlite3_context *result, int column) {
    portscope_feed_cursor *c = (portscope_feed_cursor *)cursor;
    if (column >= PORTSCOPE_FEED_COLUMNS) { sqlite3_result_null(result); return SQLITE_OK; }
    const portscope_feed_value *v = &c->source->values[column];
    switch (v->type) {
    case SQLITE_INTEGER: sqlite3_result_int64(result, v->integer); break;
    case SQLITE_TEXT: sqlite3_result_text(result, v->text, v->length, SQLITE_TRANSIENT); break;
    default: sqlite3_result_null(result); break;
    }
    return SQLITE_OK;
}

static inline int portscope_feed_rowid(sqlite3_vtab_cursor *cursor, sqlite3_int64 *rowid) {
    *rowid = ((portscope_feed_cursor *)cursor)->row;
    return SQLITE_OK;
}

// Makes portscope_feed known to the connection `db`.
static inline int portscope_feed_register(sqlite3 *db) {
    static const sqlite3_module module = {
        .iVersion = 0,
        .xConnect = portscope_feed_connect,
        .xBestIndex = portscope_feed_best_index,
        .xDisconnect = portscope_feed_disconnect,
        .xOpen = portscope_feed_open,
        .xClose = portscope_feed_close,
        .xFilter = portscope_feed_filter,
        .xNext = portscope_feed_next,
        .xEof = portscope_feed_eof,
        .xColumn = portscope_feed_column,
        .xRowid = portscope_feed_rowid,
    };
    return sqlite3_create_module_v2(db, "portscope_feed", &module, 0, 0);
}

// sqlite3_bind_pointer with the type portscope_feed reads (a string that must outlive the statement).
static inline int portscope_feed_bind(sqlite3_stmt *statement, int index, portscope_feed_source *source) {
    return sqlite3_bind_pointer(statement, index, source, "portscope_feed", 0);
}
#endif
