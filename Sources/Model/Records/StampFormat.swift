/// The kind of file a cutout stamp holds, told from its first bytes.
public enum StampFormat: String, Sendable {
    /// FITS, gzip-compressed as ZTF sends it, or plain.
    case fits
    /// The 2017 commissioning packets' stamps: already images for display.
    case jpeg
    case png
    case unknown

    /// The gzip magic number, which opens a compressed FITS stamp.
    public static let gzipMagic: [UInt8] = [0x1F, 0x8B]

    /// The format of a stamp whose first bytes (eight are enough) are `prefix`.
    public init(prefix: some Collection<UInt8>) {
        let head = Array(prefix.prefix(8))
        if head.starts(with: Self.gzipMagic) || head.starts(with: Array("SIMPLE".utf8)) {
            self = .fits
        } else if head.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else {
            self = .unknown
        }
    }
}
