/// What the Avro reader accepts from input before handing it to Avro C, which trusts every size
/// it reads: Avro C 1.11.1 allocates a string's or bytes' claimed length before it reads the
/// bytes (a length of a terabyte is a terabyte `malloc`), and appends array items as long as
/// the count says, however few bytes are left. Docs/operations.md lists these under "Limits".
public enum AvroLimits {
    /// The largest block, after inflation: a container's records are checked, and Avro C reads
    /// them, one block at a time in memory. Writers cut blocks at 16–64 kB; an alert packet
    /// holds one alert of 50–100 kB (Rubin's up to about 1 MB) in one block. A writer schema
    /// whose smallest datum (or any fixed type) is larger is refused: no datum of it could be
    /// read, and Avro C would zero a record's fixed fields before reading anything.
    public static let maximumBlockSize = 64 << 20
    /// The most array items and map entries in one datum, all arrays and maps together. Items
    /// that take no bytes (nulls, empty records) are bounded by nothing else, and Avro C spends
    /// far more memory on an item than its encoding takes (a map entry of five bytes costs tens:
    /// its key copied, a hash table entry; ingest's `extra` JSON as much again): without this
    /// cap a 64 MiB block of them would take gigabytes. A ZTF alert has a few hundred history
    /// entries.
    public static let maximumItems = 1 << 20
    /// The deepest a writer schema may nest (records, arrays, maps, unions). ZTF's nest 4 deep;
    /// a recursive schema nests without end and is refused, since Avro C would recurse until
    /// the stack runs out.
    public static let maximumDepth = 64
}
