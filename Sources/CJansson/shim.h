#include <jansson.h>

/* json_decref is a static inline with a macro-sized refcount check; keep a plain entry. */
static inline void cjansson_decref(json_t *json) { json_decref(json); }
static inline json_t *cjansson_incref(json_t *json) { return json_incref(json); }
static inline int cjansson_is_object(const json_t *json) { return json_is_object(json); }
/* Compact, in insertion order, any value at top level, doubles with all 17 digits (exact round trip). */
static inline size_t cjansson_dump_flags(void) {
    return JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17);
}
static inline int cjansson_typeof(const json_t *json) { return (int)json_typeof(json); }
/* The same, with doubles to `precision` significant digits. */
static inline size_t cjansson_dump_flags_precision(int precision) {
    return JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(precision);
}
