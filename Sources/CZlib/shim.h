#include <zlib.h>

/* inflateInit2 is a macro. Raw deflate (no zlib or gzip wrapper), as Avro's "deflate" codec writes. */
static inline int czlib_inflate_init_raw(z_streamp stream) { return inflateInit2(stream, -15); }

/* deflateInit2 is a macro. Window bits 15 + 16: a gzip member (header and CRC-32 trailer), as HTTP's Content-Encoding: gzip. */
static inline int czlib_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
