/// Sizes that `alertdb ingest` takes from its input only up to a cap, so that a damaged or
/// crafted file is rejected instead of costing unbounded memory. Docs/operations.md lists these
/// (and the Avro ones, `AvroLimits`) under "Limits".
enum InputLimits {
    /// The largest packet read into memory: a file, standard input, or a tar member (after
    /// gzip). A ZTF packet is 50–100 kB, a Rubin one up to about 1 MB; a larger input is not an
    /// alert packet, and a gzip bomb stops here instead of inflating into all of memory.
    static let maximumPacketSize = 64 << 20
    /// The longest GNU long name (a tar `L` member) read. Paths are at most 4 kB on Linux.
    static let maximumLongNameSize = 64 << 10
    /// The largest pax extended header (a tar `x` member) read. Its records are a path and a
    /// few numbers; even with extended attributes it stays far below this.
    static let maximumPaxHeaderSize = 1 << 20
}
