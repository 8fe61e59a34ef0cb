#include <sqlite3.h>

/// `sqlite3_config` is variadic, which Swift cannot call: a fixed-argument wrapper for the one
/// option this service sets (see `SQLiteConnection`).
static inline int coupon_sqlite3_config_memstatus(int enabled) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, enabled);
}
