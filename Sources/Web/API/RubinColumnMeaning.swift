import Export

/// What a VOTable says of a Rubin column: its unit and UCD. Rubin's schemas give units only
/// from 8.0 on, in their docs (`[nJy]`, `[deg]`, `[d]`), and no UCDs; the names follow one
/// convention in every version (Rubin's Data Products Definition), so the rules below go by
/// name: fluxes in nJy, positions in degrees, times in days (MJD TAI), pixel coordinates in
/// pixels. A column no rule names has neither unit nor UCD rather than a guessed one.
enum RubinColumnMeaning {
    static func column(_ name: String, _ type: DataTable.Column.DataType) -> DataTable.Column {
        // Rubin's times are MJD in TAI (`…MjdTai`), 37 s ahead of UTC.
        DataTable.Column(name: name, type: type, unit: unit(name), ucd: ucds[name], description: descriptions[name],
                         mjdTimeScale: name.hasSuffix("MjdTai") && type == .double ? "TAI" : nil)
    }

    /// The VOUnit of `name`, or nil.
    static func unit(_ name: String) -> String? {
        if let unit = units[name] { return unit }
        // Covariances, flags, chi², counts and the like carry a flux's name but not its unit.
        guard !name.contains("_Cov"), !name.lowercased().contains("flag"), !name.hasSuffix("Chi2"), !name.hasSuffix("Ndata") else { return nil }
        if name.hasSuffix("MjdTai") { return "d" }
        if name.hasSuffix("MaxSlope") { return "nJy/d" }
        if fluxSuffixes.contains(where: { name.hasSuffix($0) }) { return "nJy" }
        return nil
    }

    /// Endings of the flux columns (`psfFlux`, `u_psfFluxMean`, `scienceFluxErr`, `dipoleFluxDiff`).
    static let fluxSuffixes = ["Flux", "FluxErr", "FluxMean", "FluxMeanErr", "FluxSigma", "FluxMin", "FluxMax", "FluxErrMean",
                               "FluxDiff", "FluxDiffErr"]

    static let units: [String: String] = [
        "ra": "deg", "dec": "deg", "raErr": "deg", "decErr": "deg",
        "psfRa": "deg", "psfDec": "deg", "psfRaErr": "deg", "psfDecErr": "deg",
        "trailRa": "deg", "trailDec": "deg", "trailRaErr": "deg", "trailDecErr": "deg",
        "dipoleRa": "deg", "dipoleDec": "deg", "dipoleRaErr": "deg", "dipoleDecErr": "deg",
        "trailLength": "arcsec", "trailLengthErr": "arcsec", "dipoleLength": "arcsec",
        "trailAngle": "deg", "trailAngleErr": "deg", "dipoleAngle": "deg",
        "x": "pix", "y": "pix", "xErr": "pix", "yErr": "pix", "bboxSize": "pix",
        "exposureTime": "s", "mag": "mag",
    ]

    static let ucds: [String: String] = [
        "diaSourceId": "meta.id;meta.main", "diaObjectId": "meta.id", "ssObjectId": "meta.id", "alertId": "meta.id",
        "ra": "pos.eq.ra;meta.main", "dec": "pos.eq.dec;meta.main",
        "raErr": "stat.error;pos.eq.ra", "decErr": "stat.error;pos.eq.dec",
        "midpointMjdTai": "time.epoch", "latestMidpointMjdTai": "time.epoch",
        "firstDiaSourceMjdTai": "time.start", "lastDiaSourceMjdTai": "time.end",
        "band": "instr.bandpass", "psfFlux": "phot.flux", "psfFluxErr": "stat.error;phot.flux",
        "apFlux": "phot.flux", "apFluxErr": "stat.error;phot.flux", "scienceFlux": "phot.flux", "scienceFluxErr": "stat.error;phot.flux",
        "snr": "stat.snr", "reliability": "stat.probability", "mag": "phot.mag",
        "x": "pos.cartesian.x;instr.det", "y": "pos.cartesian.y;instr.det", "nDiaSources": "meta.number",
    ]

    static let descriptions: [String: String] = [
        "mag": "AB magnitude of the difference flux, 31.4 - 2.5 log10(psfFlux); empty when psfFlux is not positive.",
        "ingested_at": "When alertdb stored the alert (UTC).",
        "midpointMjdTai": "Mid-visit time of the diaSource, MJD TAI.",
        "psfFlux": "Point-source flux on the difference image, nJy.",
    ]
}
