#include <zlib.h>

/* inflateInit2 is a macro. Raw deflate (no zlib or gzip wrapper), as Avro's "deflate" codec writes. */
static inline int czlib_inflate_init_raw(z_streamp stream) { return inflateInit2(stream, -15); }
