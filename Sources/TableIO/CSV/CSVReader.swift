import CLibCSV

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One data row of a CSV file: its fields as bytes, valid only during the callback.
public struct CSVRow {
    @usableFromInline let base: UnsafePointer<UInt8>
    @usableFromInline let offsets: UnsafePointer<Int>
    /// Bit i set: field i was empty and unquoted (a null, not an empty string).
    @usableFromInline let nulls: UnsafePointer<Bool>
    /// The number of fields.
    public let count: Int
    /// The physical line the row starts on (1 = the header).
    public let line: Int

    /// The bytes of field `index`.
    @inlinable
    public subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + offsets[index], count: offsets[index + 1] - offsets[index])
    }

    /// Whether field `index` is empty and was not quoted.
    @inlinable
    public func isNull(_ index: Int) -> Bool { nulls[index] }

    /// Field `index` as a `String` (for messages and rare values; hot paths read the bytes).
    public func string(_ index: Int) -> String {
        String(decoding: self[index], as: UTF8.self)
    }
}

/// Reads a CSV file with libcsv in strict mode, streaming it in fixed-size chunks.
///
/// RFC 4180 with a header row: a UTF-8 byte-order mark is skipped, CRLF and LF line ends are
/// accepted, blank lines are ignored. Structural faults stop the read with a ``CSVError`` naming
/// the file, line and column: a malformed or unterminated quote, a NUL byte, invalid UTF-8, a row
/// whose field count differs from the header's, an empty file. Fields are handed to the caller
/// as bytes in a reused arena; nothing is copied into a `String`.
///
/// - Complexity: O(file size); memory is one chunk plus the longest row.
public final class CSVReader {
    public let path: String
    /// The name shown in messages (the path as given).
    public let displayName: String
    public private(set) var header: [String] = []

    static let chunkSize = 1 << 20

    private var descriptor: Int32 = -1
    private var parser = csv_parser()
    private var parserReady = false
    private var chunk: UnsafeMutablePointer<UInt8>

    // The row being assembled by the callbacks.
    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]
    private var nulls: [Bool] = []
    private var fieldsInRow = 0
    private var newlinesInRow = 0
    /// Physical lines before the current row (the first row starts on line 1).
    private var linesBefore = 0
    private var rowLine = 1
    private var rowsSeen = 0
    private var bomChecked = false
    private var pendingError: CSVError?
    private var rowHandler: ((CSVRow) throws -> Void)?
    private var handlerError: (any Error)?
    private var sawAnyByte = false
    private var lastTerminator: Int32 = 0
    private var hasher = SHA256()
    /// The SHA-256 of the file's bytes, known once every row has been read.
    public private(set) var sha256: String?
    /// Bytes of the current chunk not yet parsed (after the header row).
    private var leftoverStart = 0
    private var leftoverCount = 0

    /// Opens `path` and reads its header row.
    public init(path: String, displayName: String? = nil) throws {
        self.path = path
        self.displayName = displayName ?? path
        chunk = .allocate(capacity: Self.chunkSize)
        // Failures below leave cleanup to deinit, which runs for a class whose init throws
        // after its stored properties are set.
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            throw CSVError(code == ENOENT ? .missing : .unreadable(errno: code), file: self.displayName)
        }
        var info = stat()
        if fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            throw CSVError(.unreadable(errno: EISDIR), file: self.displayName)
        }
        guard csv_init(&parser, UInt8(CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL | CSV_REPALL_NL)) == 0 else {
            throw CSVError(.unreadable(errno: ENOMEM), file: self.displayName)
        }
        parserReady = true
        arena.reserveCapacity(4_096)
        try readHeader()
    }

    deinit {
        if parserReady { csv_free(&parser) }
        if descriptor >= 0 { close(descriptor) }
        chunk.deallocate()
    }

    /// Calls `body` for every data row, in file order, then checks the end of the file.
    public func forEachRow(_ body: (CSVRow) throws -> Void) throws {
        try withoutActuallyEscaping(body) { escapable in
            rowHandler = escapable
            defer { rowHandler = nil }
            try pump(untilHeader: false)
        }
    }

    /// The number of data rows delivered so far.
    public var rowCount: Int { max(0, rowsSeen - 1) }

    private func readHeader() throws {
        try pump(untilHeader: true)
        if header.isEmpty {
            throw pendingError ?? CSVError(.empty, file: displayName)
        }
    }

    /// Feeds chunks to libcsv until the header is read (`untilHeader`) or the file ends.
    ///
    /// While looking for the header the chunk is fed a byte at a time, so that parsing stops
    /// right after the header row and the rest of the chunk is kept for the data rows.
    private func pump(untilHeader: Bool) throws {
        let context = Unmanaged.passUnretained(self).toOpaque()
        while !(untilHeader && !header.isEmpty) {
            var start = 0
            var count = 0
            if leftoverCount > 0 {
                start = leftoverStart
                count = leftoverStart + leftoverCount
                leftoverCount = 0
            } else {
                count = read(descriptor, chunk, Self.chunkSize)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw CSVError(.unreadable(errno: errno), file: displayName)
                }
                // The digest of the input comes with the read, not from a second pass over the file.
                hasher.update(UnsafeRawBufferPointer(start: chunk, count: count))
                if count == 0 {
                    sha256 = hasher.finalize()
                    if csv_fini(&parser, fieldCallback, rowCallback, context) != 0 {
                        throw CSVError(.unterminatedQuote, file: displayName, line: rowLine, column: fieldsInRow + 1)
                    }
                    try rethrowFromCallbacks()
                    if !sawAnyByte || header.isEmpty { throw pendingError ?? CSVError(.empty, file: displayName) }
                    return
                }
                if !bomChecked {
                    bomChecked = true
                    if count >= 3 && chunk[0] == 0xEF && chunk[1] == 0xBB && chunk[2] == 0xBF { start = 3 }
                }
                if count > start { sawAnyByte = true }
            }
            var end = count
            if let nul = memchr(chunk + start, 0, count - start) {
                end = UnsafeMutableRawPointer(nul).assumingMemoryBound(to: UInt8.self) - chunk
            }
            if untilHeader && header.isEmpty {
                var position = start
                while position < end && header.isEmpty && pendingError == nil {
                    if csv_parse(&parser, chunk + position, 1, fieldCallback, rowCallback, context) != 1 {
                        throw CSVError(.malformedQuote, file: displayName, line: rowLine, column: fieldsInRow + 1)
                    }
                    position += 1
                }
                try rethrowFromCallbacks()
                if position < count {
                    leftoverStart = position
                    leftoverCount = count - position
                    continue
                }
                if end < count { throw CSVError(.nulByte, file: displayName, line: rowLine, column: fieldsInRow + 1) }
                continue
            }
            let parsed = csv_parse(&parser, chunk + start, end - start, fieldCallback, rowCallback, context)
            try rethrowFromCallbacks()
            if parsed < end - start {
                throw CSVError(.malformedQuote, file: displayName, line: rowLine, column: fieldsInRow + 1)
            }
            if end < count {
                throw CSVError(.nulByte, file: displayName, line: rowLine, column: fieldsInRow + 1)
            }
        }
    }

    private func rethrowFromCallbacks() throws {
        if let handlerError {
            self.handlerError = nil
            throw handlerError
        }
        if let pendingError {
            self.pendingError = nil
            throw pendingError
        }
    }

    fileprivate func addField(_ pointer: UnsafeMutableRawPointer?, _ length: Int) {
        guard pendingError == nil, handlerError == nil else { return }
        if let pointer {
            let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
            var ascii = true
            for byte in bytes {
                if byte >= 0x80 { ascii = false }
                if byte == 10 { newlinesInRow += 1 }
            }
            if !ascii && !Self.isValidUTF8(bytes) {
                pendingError = CSVError(.invalidUTF8, file: displayName, line: rowLine, column: fieldsInRow + 1)
                return
            }
            arena.append(contentsOf: bytes)
            nulls.append(false)
        } else {
            nulls.append(true)
        }
        offsets.append(arena.count)
        fieldsInRow += 1
    }

    fileprivate func endRow(_ terminator: Int32) {
        // Every unquoted CR and LF is reported (CSV_REPALL_NL), so physical lines can be
        // counted: a CR ends a line, and the LF right after it belongs to the same line end.
        let carriageReturn = Int32(UInt8(ascii: "\r"))
        let lineFeed = Int32(UInt8(ascii: "\n"))
        if fieldsInRow == 0 && nulls.isEmpty {
            if !(terminator == lineFeed && lastTerminator == carriageReturn) && terminator != -1 {
                linesBefore += 1
                rowLine = linesBefore + 1
            }
            lastTerminator = terminator
            return
        }
        lastTerminator = terminator
        defer {
            arena.removeAll(keepingCapacity: true)
            offsets.removeAll(keepingCapacity: true)
            offsets.append(0)
            nulls.removeAll(keepingCapacity: true)
            linesBefore += newlinesInRow + 1
            newlinesInRow = 0
            fieldsInRow = 0
            rowLine = linesBefore + 1
        }
        guard pendingError == nil, handlerError == nil else { return }
        rowsSeen += 1
        if rowsSeen == 1 {
            header = (0..<fieldsInRow).map { index in
                String(decoding: arena[offsets[index]..<offsets[index + 1]], as: UTF8.self)
            }
            var seen = Set<String>()
            for (index, name) in header.enumerated() {
                if name.isEmpty {
                    pendingError = CSVError(.badHeader("column \(index + 1) has no name"), file: displayName)
                } else if !seen.insert(name).inserted {
                    pendingError = CSVError(.badHeader("column '\(name)' appears twice"), file: displayName)
                }
            }
            return
        }
        guard fieldsInRow == header.count else {
            pendingError = CSVError(.raggedRow(expected: header.count, found: fieldsInRow), file: displayName,
                                    line: rowLine, column: min(fieldsInRow, header.count) + 1)
            return
        }
        guard let rowHandler else { return }
        arena.withUnsafeBufferPointer { bytes in
            offsets.withUnsafeBufferPointer { offsetBuffer in
                nulls.withUnsafeBufferPointer { nullBuffer in
                    let row = CSVRow(base: bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!, offsets: offsetBuffer.baseAddress!,
                                     nulls: nullBuffer.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: fieldsInRow,
                                     line: rowLine)
                    do {
                        try rowHandler(row)
                    } catch {
                        handlerError = error
                    }
                }
            }
        }
    }

    /// Whether `bytes` is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 { index += 1; continue }
            let length: Int
            var minimum: UInt32
            var value: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; minimum = 0x80; value = UInt32(lead & 0x1F)
            case 0xE0...0xEF: length = 3; minimum = 0x800; value = UInt32(lead & 0x0F)
            case 0xF0...0xF4: length = 4; minimum = 0x10000; value = UInt32(lead & 0x07)
            default: return false
            }
            guard index + length <= count else { return false }
            for offset in 1..<length {
                let byte = bytes[index + offset]
                guard byte & 0xC0 == 0x80 else { return false }
                value = value << 6 | UInt32(byte & 0x3F)
            }
            if value < minimum || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { return false }
            _ = minimum
            minimum = 0
            index += length
        }
        return true
    }
}

private func fieldCallback(_ pointer: UnsafeMutableRawPointer?, _ length: Int, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    // The reader outlives every callback of its own parse: no retain and release per field.
    Unmanaged<CSVReader>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.addField(pointer, length) }
}

private func rowCallback(_ terminator: Int32, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<CSVReader>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.endRow(terminator) }
}
