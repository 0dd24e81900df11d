import CPNG

/// libpng's pixel format codes (`PNG_FORMAT_*`).
enum PNGFormat {
    static let gray = UInt32(PNG_FORMAT_GRAY)
}

/// One `png_image` control structure; libpng's internal state behind it is freed in deinit.
final class PNGImage {
    private var image = png_image()

    /// An image to read into.
    init() {
        image.version = UInt32(PNG_IMAGE_VERSION)
    }

    /// An image to write, of the given size and pixel format.
    init(width: Int, height: Int, format: UInt32) {
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = format
    }

    deinit { png_image_free(&image) }

    /// Width and height (after `beginRead`).
    var size: (width: Int, height: Int) { (Int(image.width), Int(image.height)) }

    /// Writes the image to `memory` (`size` bytes); returns false on failure. When the buffer was
    /// too small, `size` grows to what is needed; otherwise it is set to the bytes written.
    func write(to memory: UnsafeMutableRawPointer?, size: inout Int, rows: UnsafeRawPointer?, rowStride: Int) -> Bool {
        var bytes = png_alloc_size_t(size)
        let ok = png_image_write_to_memory(&image, memory, &bytes, 0, rows, png_int_32(rowStride), nil) != 0
        size = Int(bytes)
        return ok
    }

    /// Reads the header of the PNG file in `bytes`, which must stay valid until `finishRead`.
    func beginRead(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        return png_image_begin_read_from_memory(&image, base, bytes.count) != 0
    }

    /// Decodes the pixels, converted to `format`, into `buffer` (height rows of `rowStride` bytes).
    func finishRead(into buffer: UnsafeMutableRawPointer, format: UInt32, rowStride: Int) -> Bool {
        image.format = format
        return png_image_finish_read(&image, nil, buffer, png_int_32(rowStride), nil) != 0
    }

    /// libpng's message for the last failure.
    var message: String {
        withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
