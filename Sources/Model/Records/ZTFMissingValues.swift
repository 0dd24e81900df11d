/// ZTF's numbers that mean "no value". Where the pipeline found no source in the reference
/// image, no Pan-STARRS1 or Gaia source, or no known solar-system object within its search
/// radius, it writes -999 (-99 in some versions' tables) instead of null: a `distnr__lte=1`
/// taken literally would match every alert without a reference source. Filters, sorts, pages
/// and expressions treat these values as missing; the JSON `candidate` and `/avro/` keep the
/// packet's own numbers, as clients and round trips expect.
public enum ZTFMissingValues {
    /// The values that stand for "none" in the columns below.
    public static let sentinels: [Double] = [-999, -99]

    /// The columns that use sentinels, with what a sentinel there means (for `/help/`).
    public static let columns: [String: String] = {
        var columns: [String: String] = [:]
        let reference = "no source in the reference image within its match radius"
        for name in ["distnr", "magnr", "sigmagnr", "chinr", "sharpnr", "ranr", "decnr"] { columns[name] = reference }
        for name in ["ssdistnr", "ssmagnr"] { columns[name] = "no known solar-system object within 30 arcsec" }
        for band in ["g", "r", "i", "z"] {
            columns["s\(band)mag"] = "no Pan-STARRS1 source within 30 arcsec"   // the 2017 schema's names
            for rank in 1...3 { columns["s\(band)mag\(rank)"] = "no Pan-STARRS1 source of this rank within 30 arcsec" }
        }
        columns["sgscore"] = "no Pan-STARRS1 source within 30 arcsec"
        for rank in 1...3 {
            columns["sgscore\(rank)"] = "no Pan-STARRS1 source of this rank within 30 arcsec"
            columns["distpsnr\(rank)"] = "no Pan-STARRS1 source of this rank within 30 arcsec"
        }
        for name in ["neargaia", "maggaia"] { columns[name] = "no Gaia source within 90 arcsec" }
        for name in ["neargaiabright", "maggaiabright"] { columns[name] = "no Gaia source brighter than 14 within 90 arcsec" }
        return columns
    }()

    /// Whether `value` of `column` stands for a missing value: a sentinel of that column, or NaN.
    public static func isMissing(_ value: Double, in column: String) -> Bool {
        value.isNaN || (sentinels.contains(value) && columns[column] != nil)   // the cheap test first: pages ask per cell
    }
}

/// ZTF text fields written two ways, and the one form alertdb reads them in.
public enum ZTFTextValues {
    /// `isdiffpos`: "t" or "1" for a positive subtraction (science minus reference), "f" or "0"
    /// for a negative one, depending on the schema version. Read as "t" and "f".
    public static func isdiffpos(_ stored: String) -> String {
        switch stored.lowercased() {
        case "t", "1", "true": return "t"
        case "f", "0", "false": return "f"
        default: return stored
        }
    }

    /// `ssnamenr`: the text "null" where no solar-system object was found. Read as no value.
    public static func ssnamenr(_ stored: String) -> String? { stored == "null" ? nil : stored }
}
