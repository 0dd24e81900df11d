import Cutouts
import HTTP
import JSON
import Model
import Store

extension AlertService {
    /// `GET /<id>/cutout/<Kind>/`: the stamp as received, or `?format=png` rendered for display.
    func cutout(_ id: Int64, kind: String, _ request: Request) throws -> Response {
        let (png, stretch) = try Self.stampRendering(request)
        let found = try archive.read { db -> (stamp: (fileName: String?, bytes: [UInt8])?, retiredAfter: Int?) in
            if let stamp = try db.cutout(alertID: id, kind: kind) { return (stamp, nil) }
            return (nil, try db.cutoutsRetiredAfterDays(alertID: id))
        }
        guard let stamp = found.stamp else {
            // A stamp `alertdb retention` retired is gone for good: 410, saying so, not 404.
            if let days = found.retiredAfter {
                return Responses.retired("the \(kind) cutout of alert \(id) was retired after \(days) days", days: days)
            }
            return Responses.error(404, "no \(kind) cutout for alert \(id)", as: .json)
        }
        // Stamps never change once stored.
        let cache = ("Cache-Control", "public, max-age=86400")
        let stored = StampFormat(prefix: stamp.bytes)
        if png, stored == .fits {
            do {
                let rendered = try CutoutImage.renderPNG(stamp: stamp.bytes, stretch: stretch)
                return Response(status: 200, headers: [("Content-Type", "image/png"), cache], body: rendered)
            } catch {
                return Responses.error(404, "the \(kind) cutout of alert \(id) cannot be shown as PNG: \(error)", as: .json)
            }
        }
        // Every answer names its file, so that `curl -OJ` saves it under a name of its own.
        func named(_ fallback: String, disposition: String) -> (String, String) {
            let name = (stamp.fileName ?? fallback).filter { $0 != "\"" && $0 != "\\" && !$0.isNewline && $0 != "/" }
            return ("Content-Disposition", "\(disposition); filename=\"\(name.isEmpty ? fallback : name)\"")
        }
        switch stored {
        case .jpeg:   // 2017 packets: already an image for display
            return Response(status: 200, headers: [("Content-Type", "image/jpeg"), cache, named("\(id)-\(kind).jpg", disposition: "inline")],
                            body: stamp.bytes)
        case .png:
            return Response(status: 200, headers: [("Content-Type", "image/png"), cache, named("\(id)-\(kind).png", disposition: "inline")],
                            body: stamp.bytes)
        default:
            return Response(status: 200, headers: [("Content-Type", "application/fits"), cache,
                                                   named("\(id)-\(kind).fits.gz", disposition: "attachment")], body: stamp.bytes)
        }
    }

    /// What a stamp's query asks (ZTF's and Rubin's cutout routes alike): `format=png` for a
    /// rendering, else the stamp as received; `stretch` for the rendering, zscale by default.
    static func stampRendering(_ request: Request) throws -> (png: Bool, stretch: CutoutImage.Stretch) {
        let format = request.query.last { $0.name == "format" && !$0.value.isEmpty }?.value
        guard format == nil || format == "png" else {
            throw ParameterError("format", "format must be png (or absent for the stamp as received), not '\(format!.prefix(40))'")
        }
        guard let text = request.query.last(where: { $0.name == "stretch" && !$0.value.isEmpty })?.value else {
            return (format == "png", .zscale)
        }
        guard let stretch = CutoutImage.Stretch(rawValue: text) else {
            throw ParameterError("stretch", "stretch must be zscale or asinh, not '\(text.prefix(40))'")
        }
        return (format == "png", stretch)
    }
}
