import Synchronization

/// Gzipped bodies already sent, by their uncompressed bytes. Most requests ask for what was
/// just asked (the newest page, an alert everyone looks at); a page is assembled from the
/// render cache in microseconds, but gzipping its 200 kB again would cost a millisecond or
/// more each time. A body is found by a hash of its bytes and then compared in full, so a
/// hit is always the same bytes.
final class CompressedBodies: Sendable {
    private struct Entry {
        let body: [UInt8]
        let gzipped: [UInt8]
    }

    private struct State: ~Copyable {
        var entries: [Int: Entry] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())
    private let capacityBytes: Int

    /// Bodies and their gzipped forms of `capacityBytes` at most; 0 keeps none.
    init(capacityBytes: Int) { self.capacityBytes = capacityBytes }

    /// The gzipped form of `body`, from memory or made now (nil when zlib cannot start).
    func gzipped(_ body: [UInt8], compress: ([UInt8]) -> [UInt8]?) -> [UInt8]? {
        guard capacityBytes > 0 else { return compress(body) }
        let key = body.withUnsafeBytes { bytes in
            var hasher = Hasher()
            hasher.combine(bytes: bytes)
            return hasher.finalize()
        }
        if let entry = state.withLock({ $0.entries[key] }), entry.body == body { return entry.gzipped }
        guard let gzipped = compress(body) else { return nil }
        let size = body.count + gzipped.count
        guard size <= capacityBytes / 4 else { return gzipped }
        state.withLock { state in
            // Full: start again rather than track recency, as the render cache does.
            if state.bytes + size > capacityBytes {
                state.entries.removeAll(keepingCapacity: true)
                state.bytes = 0
            }
            if let replaced = state.entries.updateValue(Entry(body: body, gzipped: gzipped), forKey: key) {
                state.bytes -= replaced.body.count + replaced.gzipped.count
            }
            state.bytes += size
        }
        return gzipped
    }
}
