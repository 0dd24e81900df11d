/// ZTF's three filters: `fid` 1, 2 and 3 are g, r and i. The one place that says so.
public enum ZTFFilter {
    /// The filter letters, in fid order.
    public static let names = ["g", "r", "i"]

    /// "g", "r" or "i" for fid 1, 2 or 3; nil for any other fid.
    public static func name(fid: Int64) -> String? {
        (1...Int64(names.count)).contains(fid) ? names[Int(fid) - 1] : nil
    }

    /// The fid of a filter letter, in either case; nil for anything else.
    public static func fid(name: String) -> Int64? {
        names.firstIndex(of: name.lowercased()).map { Int64($0) + 1 }
    }
}
