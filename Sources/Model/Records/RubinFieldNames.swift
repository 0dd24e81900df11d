/// Rubin's fields under the names schemas 3.0 and 4.0 gave them, and the names 5.0 on give the
/// same quantities. 5.0 renamed fields to Rubin's later conventions (sdm_schemas): `decl` to
/// `dec`, `midPointTai` to `midpointMjdTai`, `filterName` to `band`, the point-source model's
/// `ps` prefix to `psf`, the dipole model's `dip` to `dipole`, `totFlux` (flux on the direct
/// image) to `scienceFlux`, `diffFlux` (on the difference of snaps) to `snapDiffFlux`; 8.0
/// renamed 7.3's `is_negative` to `isNegative`. Each pair is the same quantity in the same
/// unit (fluxes nJy, times MJD TAI, angles degrees: lsst-alert-packet's sample alerts carry
/// the same values under both names), so the loader stores an old field in its current
/// column, where the listings' filters, cone, order and light curves read it.
///
/// Left out: fields whose meaning changed rather than their name. `spuriousness` (3.0, 4.0)
/// is not 5.0's `reliability` (one grows as the other falls); `ccdVisitId` is not 7.0's
/// `visit` (it also names the detector); 8.0's `time_processed` (a timestamp in µs) is not
/// 9.0's `timeProcessedMjdTai` (MJD); and the per-band figures of a 3.0 or 4.0 diaObject
/// (`uPSFluxMean`...), which alertdb keeps in `dia_object.extra` for every version before 8.0.
public enum RubinFieldNames {
    /// Old name → current name, for the fields of a diaSource, a diaForcedSource and the
    /// position of a diaObject.
    public static let current: [String: String] = [
        "midPointTai": "midpointMjdTai", "filterName": "band",
        "decl": "dec", "declErr": "decErr", "ra_decl_Cov": "ra_dec_Cov",
        "totFlux": "scienceFlux", "totFluxErr": "scienceFluxErr", "diffFlux": "snapDiffFlux", "diffFluxErr": "snapDiffFluxErr",
        "is_negative": "isNegative",
        // The point-source model.
        "psFlux": "psfFlux", "psFluxErr": "psfFluxErr", "psRa": "psfRa", "psDecl": "psfDec", "psRaErr": "psfRaErr",
        "psDeclErr": "psfDecErr", "psFlux_psRa_Cov": "psfFlux_psfRa_Cov", "psFlux_psDecl_Cov": "psfFlux_psfDec_Cov",
        "psRa_psDecl_Cov": "psfRa_psfDec_Cov", "psLnL": "psfLnL", "psChi2": "psfChi2", "psNdata": "psfNdata",
        // The trailed-source model: only its declinations were renamed.
        "trailDecl": "trailDec", "trailDeclErr": "trailDecErr", "trailFlux_trailDecl_Cov": "trailFlux_trailDec_Cov",
        "trailRa_trailDecl_Cov": "trailRa_trailDec_Cov", "trailDecl_trailLength_Cov": "trailDec_trailLength_Cov",
        "trailDecl_trailAngle_Cov": "trailDec_trailAngle_Cov",
        // The dipole model.
        "dipMeanFlux": "dipoleMeanFlux", "dipFluxDiff": "dipoleFluxDiff", "dipRa": "dipoleRa", "dipDecl": "dipoleDec",
        "dipLength": "dipoleLength", "dipAngle": "dipoleAngle", "dipMeanFluxErr": "dipoleMeanFluxErr",
        "dipFluxDiffErr": "dipoleFluxDiffErr", "dipRaErr": "dipoleRaErr", "dipDeclErr": "dipoleDecErr",
        "dipLengthErr": "dipoleLengthErr", "dipAngleErr": "dipoleAngleErr",
        "dipMeanFlux_dipFluxDiff_Cov": "dipoleMeanFlux_dipoleFluxDiff_Cov", "dipMeanFlux_dipRa_Cov": "dipoleMeanFlux_dipoleRa_Cov",
        "dipMeanFlux_dipDecl_Cov": "dipoleMeanFlux_dipoleDec_Cov", "dipMeanFlux_dipLength_Cov": "dipoleMeanFlux_dipoleLength_Cov",
        "dipMeanFlux_dipAngle_Cov": "dipoleMeanFlux_dipoleAngle_Cov", "dipFluxDiff_dipRa_Cov": "dipoleFluxDiff_dipoleRa_Cov",
        "dipFluxDiff_dipDecl_Cov": "dipoleFluxDiff_dipoleDec_Cov", "dipFluxDiff_dipLength_Cov": "dipoleFluxDiff_dipoleLength_Cov",
        "dipFluxDiff_dipAngle_Cov": "dipoleFluxDiff_dipoleAngle_Cov", "dipRa_dipDecl_Cov": "dipoleRa_dipoleDec_Cov",
        "dipRa_dipLength_Cov": "dipoleRa_dipoleLength_Cov", "dipRa_dipAngle_Cov": "dipoleRa_dipoleAngle_Cov",
        "dipDecl_dipLength_Cov": "dipoleDec_dipoleLength_Cov", "dipDecl_dipAngle_Cov": "dipoleDec_dipoleAngle_Cov",
        "dipLength_dipAngle_Cov": "dipoleLength_dipoleAngle_Cov", "dipLnL": "dipoleLnL", "dipChi2": "dipoleChi2",
        "dipNdata": "dipoleNdata",
    ]

    /// The names a record's fields are stored under: each field's current name, or its own when
    /// it has no other, or when the record also has a field of the current name (a broker's
    /// packet carrying both), or when `hasColumn` says no column of the current name exists
    /// (the field then goes to `extra` under the name it came with). Computed once per writer
    /// schema, not per record.
    public static func storedNames(_ names: [String], hasColumn: (String) -> Bool) -> [String] {
        let present = Set(names)
        return names.map { name in
            guard let renamed = current[name], !present.contains(renamed), hasColumn(renamed) else { return name }
            return renamed
        }
    }
}
