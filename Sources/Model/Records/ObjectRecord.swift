/// One ZTF object as the objects listing and its page show it: its name and its figures
/// (how many alerts and detections, when, where, how bright), kept up to date by every load.
public struct ObjectRecord: Sendable {
    /// The name as ZTF writes it, e.g. ZTF18abcdefg.
    public let objectId: String
    /// Every column of the object table but the name, by name, in table order (`nalerts`,
    /// `ndet`, `firstjd`, `lastjd`, `ra`, `dec`, per filter `brightest_`, `lastmag_`,
    /// `lastjd_`, and `latest_id`); NULL where nothing was measured.
    public let figures: Fields

    public init(objectId: String, figures: Fields) { (self.objectId, self.figures) = (objectId, figures) }

    /// The id of the latest stored alert (its page is `/<id>/`).
    public var latestID: Int64? {
        if case .integer(let id) = figures["latest_id"] { return id }
        return nil
    }
}

/// An object and its whole light curve: every stored alert, history detection and
/// non-detection, each once, by jd.
public struct ObjectDetail: Sendable {
    public let object: ObjectRecord
    /// Alerts (`.alert(id:)`), history detections whose candid is no stored alert
    /// (`.detection`) and non-detections (`.nonDetection`), by jd.
    public let lightCurve: [HistoryEntry]

    public init(object: ObjectRecord, lightCurve: [HistoryEntry]) { (self.object, self.lightCurve) = (object, lightCurve) }

    /// The light curve's points, for the plot: magpsf nil for non-detections.
    public var photometry: [PhotometryPoint] {
        lightCurve.compactMap { entry in
            let fields = entry.candidate
            guard let jd = fields["jd"].double, let filter = fields["filter"].string else { return nil }
            let detected = entry.kind != .nonDetection
            return PhotometryPoint(jd: jd, filter: filter, magpsf: detected ? fields["magpsf"].double : nil,
                                   sigmapsf: detected ? fields["sigmapsf"].double : nil,
                                   diffmaglim: fields["diffmaglim"].double, isdiffpos: detected ? fields["isdiffpos"].string : nil)
        }
    }
}
