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
    static let sliceSize = 1 << 15

    private var descriptor: Int32 = -1
    /// libcsv's parser, at a fixed address: the field callback points its entry buffer into
    /// the row buffers (see ``prepareArena(forInput:)``).
    private let parser = UnsafeMutablePointer<csv_parser>.allocate(capacity: 1)
    private var parserReady = false
    private var chunk: UnsafeMutablePointer<UInt8>

    // The rows of the current chunk, assembled by the callbacks in buffers the reader owns (no
    // array uniqueness checks or reference counting per field), then handed to the caller in a
    // plain loop once libcsv returns: the field bytes one after another, the end offset of each
    // field (offsets[0] = 0, field i spans offsets[i] ..< offsets[i + 1]), whether each field
    // was a null, and for each complete row its first field and its line.
    private var arena: UnsafeMutablePointer<UInt8>
    private var arenaCount = 0
    private var arenaCapacity = 1 << 16
    private var offsets: UnsafeMutablePointer<Int>
    private var nulls: UnsafeMutablePointer<Bool>
    private var fieldCapacity = 1 << 12
    /// Fields in the buffers (complete rows and the row in progress).
    private var fieldTotal = 0
    /// The first field of the row in progress.
    private var rowStartField = 0
    private var fieldsInRow = 0
    private var rowStarts: UnsafeMutablePointer<Int>
    private var rowLines: UnsafeMutablePointer<Int>
    private var rowCapacity = 1 << 10
    private var batchRows = 0
    /// The slice being parsed is all ASCII (no field needs UTF-8 validation), has no quote
    /// character and does not begin inside a field (every field it completes lies in it, and
    /// none holds a line break): its fields are then taken without looking at their bytes.
    private var plainChunk = false
    private var newlinesInRow = 0
    /// Physical lines before the current row (the first row starts on line 1).
    private var linesBefore = 0
    private var rowLine = 1
    private var rowsSeen = 0
    private var bomChecked = false
    private var pendingError: CSVError?
    /// The header's field count.
    private var width = 0
    private var sawAnyByte = false
    private var lastTerminator: Int32 = 0
    private var hasher = SHA256()
    private var hashing: Bool
    private var bytesHashed = 0
    private let handoff: DigestHandoff?
    /// The file's size when it was opened (a regular file: ``InputFile/open(_:displayName:)``).
    public private(set) var sizeAtOpen = 0
    /// The SHA-256 of the file's bytes, known once every row has been read.
    public private(set) var sha256: String?
    /// Bytes of the current chunk not yet parsed (after the header row).
    private var leftoverStart = 0
    private var leftoverCount = 0

    /// Opens `path` and reads its header row.
    /// With a `handoff`, another thread may take the digest over while this reader parses
    /// (``DigestHandoff``); `sha256` is then nil and the handoff holds the digest.
    public init(path: String, displayName: String? = nil, handoff: DigestHandoff? = nil) throws {
        self.hashing = true
        self.handoff = handoff
        self.path = path
        self.displayName = displayName ?? path
        chunk = .allocate(capacity: Self.chunkSize)
        arena = .allocate(capacity: arenaCapacity)
        offsets = .allocate(capacity: fieldCapacity + 1)
        offsets[0] = 0
        nulls = .allocate(capacity: fieldCapacity)
        rowStarts = .allocate(capacity: rowCapacity)
        rowLines = .allocate(capacity: rowCapacity)
        // Failures below leave cleanup to deinit, which runs for a class whose init throws
        // after its stored properties are set.
        (descriptor, sizeAtOpen) = try InputFile.open(path, displayName: self.displayName)
        handoff?.limit(sizeAtOpen)
        guard csv_init(parser, UInt8(CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL | CSV_REPALL_NL)) == 0 else {
            throw CSVError(.unreadable(errno: ENOMEM), file: self.displayName)
        }
        parserReady = true
        try readHeader()
    }

    deinit {
        if parserReady {
            // The entry buffer is ours (a place in the arena): libcsv must not free it.
            parser.pointee.entry_buf = nil
            csv_free(parser)
        }
        parser.deallocate()
        if descriptor >= 0 { close(descriptor) }
        chunk.deallocate()
        arena.deallocate()
        offsets.deallocate()
        nulls.deallocate()
        rowStarts.deallocate()
        rowLines.deallocate()
    }

    /// Calls `body` for every data row, in file order, then checks the end of the file.
    public func forEachRow(_ body: (CSVRow) throws -> Void) throws {
        try pump(untilHeader: false, body)
    }

    /// The number of data rows delivered so far.
    public var rowCount: Int { max(0, rowsSeen - 1) }

    private func readHeader() throws {
        try pump(untilHeader: true) { _ in }
        if header.isEmpty {
            throw pendingError ?? CSVError(.empty, file: displayName)
        }
    }

    /// Feeds chunks to libcsv until the header is read (`untilHeader`) or the file ends.
    ///
    /// While looking for the header the chunk is fed a byte at a time, so that parsing stops
    /// right after the header row and the rest of the chunk is kept for the data rows.
    private func pump(untilHeader: Bool, _ body: (CSVRow) throws -> Void) throws {
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
                if hashing, let handoff, handoff.requested {
                    hashing = false
                    handoff.give(hasher, offset: bytesHashed)
                }
                if hashing {
                    // The digest covers the file as it was opened, as a take-over's does, even if it grows.
                    let hashed = min(count, max(0, sizeAtOpen - bytesHashed))
                    hasher.update(UnsafeRawBufferPointer(start: chunk, count: hashed))
                    bytesHashed += hashed
                }
                if count == 0 {
                    // Once only: a file whose header ends it reaches the end while the header is
                    // read and again when the rows are.
                    if hashing {
                        hashing = false
                        let digest = hasher.finalize()
                        sha256 = digest
                        handoff?.complete(digest)
                    }
                    prepareArena(forInput: 0)
                    let finished = csv_fini(parser, fieldCallback, rowCallback, context) == 0
                    try deliver(body)
                    if !finished {
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
                    prepareArena(forInput: 1)
                    if csv_parse(parser, chunk + position, 1, fieldCallback, rowCallback, context) != 1 {
                        throw CSVError(.malformedQuote, file: displayName, line: rowLine, column: fieldsInRow + 1)
                    }
                    position += 1
                }
                try rethrowFromCallbacks()
                // A NUL byte inside the header row stops it here.
                if header.isEmpty && position == end && end < count {
                    throw CSVError(.nulByte, file: displayName, line: rowLine, column: fieldsInRow + 1)
                }
                if position < count {
                    leftoverStart = position
                    leftoverCount = count - position
                    continue
                }
                if end < count { throw CSVError(.nulByte, file: displayName, line: rowLine, column: fieldsInRow + 1) }
                continue
            }
            // Parsed in slices, each slice's rows delivered before the next: the rows' buffers stay
            // small enough to live in the core's cache while they are written and read back.
            var sliceStart = start
            while sliceStart < end {
                var sliceEnd = min(end, sliceStart + Self.sliceSize)
                // Slices end after a line feed where there is one, so that the next begins with a
                // row (and can take the fast path below).
                if sliceEnd < end {
                    var cut = sliceEnd
                    while cut > sliceStart && chunk[cut - 1] != 10 { cut -= 1 }
                    if cut > sliceStart { sliceEnd = cut }
                }
                // No field may be in progress from the previous slice: its earlier bytes were not
                // looked at, and it would be checked only here.
                plainChunk = parser.pointee.pstate < 2 && parser.pointee.quoted == 0 && memchr(chunk + sliceStart, Int32(UInt8(ascii: "\"")), sliceEnd - sliceStart) == nil
                    && Self.isASCII(UnsafeRawPointer(chunk + sliceStart), sliceEnd - sliceStart)
                prepareArena(forInput: sliceEnd - sliceStart)
                let parsed = csv_parse(parser, chunk + sliceStart, sliceEnd - sliceStart, fieldCallback, rowCallback, context)
                try deliver(body)
                try rethrowFromCallbacks()
                if parsed < sliceEnd - sliceStart {
                    throw CSVError(.malformedQuote, file: displayName, line: rowLine, column: fieldsInRow + 1)
                }
                sliceStart = sliceEnd
            }
            if end < count {
                throw CSVError(.nulByte, file: displayName, line: rowLine, column: fieldsInRow + 1)
            }
        }
    }

    /// Hands the complete rows of the buffers to `body`, then moves the row in progress (its
    /// complete fields) to the front of the buffers.
    private func deliver(_ body: (CSVRow) throws -> Void) throws {
        for index in 0..<batchRows {
            let first = rowStarts[index]
            try body(CSVRow(base: UnsafePointer(arena), offsets: UnsafePointer(offsets + first), nulls: UnsafePointer(nulls + first),
                            count: width, line: rowLines[index]))
        }
        batchRows = 0
        let keptFields = fieldTotal - rowStartField
        let firstByte = offsets[rowStartField]
        let keptBytes = arenaCount - firstByte
        // The field libcsv is in the middle of sits right after the complete ones: it moves too.
        let partial = parser.pointee.entry_pos
        if firstByte > 0 {
            if keptBytes + partial > 0 { arena.update(from: arena + firstByte, count: keptBytes + partial) }
            for index in 0...keptFields { offsets[index] = offsets[rowStartField + index] - firstByte }
            for index in 0..<keptFields { nulls[index] = nulls[rowStartField + index] }
        } else if rowStartField > 0 {
            for index in 0...keptFields { offsets[index] = offsets[rowStartField + index] }
            for index in 0..<keptFields { nulls[index] = nulls[rowStartField + index] }
        }
        fieldTotal = keptFields
        rowStartField = 0
        arenaCount = keptBytes
        pointParser()
    }

    /// libcsv copies each field's bytes into its entry buffer; pointing that buffer at the end
    /// of the arena makes it write them where the row is assembled, so that no field is copied
    /// again (and no wide load reads bytes it has just stored one at a time, which stalls).
    /// Before each parse of `count` input bytes the arena gets room for all of them after the
    /// field in progress: parsing writes at most one byte per input byte, so libcsv never has
    /// to grow the buffer itself.
    private func prepareArena(forInput count: Int) {
        let partial = parser.pointee.entry_buf == nil ? 0 : parser.pointee.entry_pos
        let needed = arenaCount + partial + count + 16
        if needed > arenaCapacity {
            var capacity = arenaCapacity * 2
            while capacity < needed { capacity *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.update(from: arena, count: arenaCount + partial)
            arena.deallocate()
            arena = grown
            arenaCapacity = capacity
        }
        pointParser()
    }

    @inline(__always)
    private func pointParser() {
        parser.pointee.entry_buf = arena + arenaCount
        parser.pointee.entry_size = arenaCapacity - arenaCount
    }

    private func rethrowFromCallbacks() throws {
        if let pendingError {
            self.pendingError = nil
            throw pendingError
        }
    }

    fileprivate func addField(_ pointer: UnsafeMutableRawPointer?, _ length: Int) {
        guard pendingError == nil else { return }
        if fieldTotal == fieldCapacity { growFields() }
        if let pointer {
            if !plainChunk {
                let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
                let (ascii, newlines) = Self.scan(bytes)
                newlinesInRow += newlines
                if !ascii && !Self.isValidUTF8(bytes) {
                    pendingError = CSVError(.invalidUTF8, file: displayName, line: rowLine, column: fieldsInRow + 1)
                    return
                }
            }
            let source = pointer.assumingMemoryBound(to: UInt8.self)
            let target = arena + arenaCount
            if source != target {
                // Not written in place (cannot happen while prepareArena holds): copy it.
                if arenaCount + length + 16 > arenaCapacity { growArena(to: arenaCount + length + 16) }
                memmove(arena + arenaCount, source, length)
            }
            arenaCount += length
            pointParser()
            nulls[fieldTotal] = false
        } else {
            nulls[fieldTotal] = true
        }
        fieldsInRow += 1
        fieldTotal += 1
        offsets[fieldTotal] = arenaCount
    }

    /// Whether `count` bytes at `base` are all ASCII, eight at a time.
    static func isASCII(_ base: UnsafeRawPointer, _ count: Int) -> Bool {
        var high: UInt64 = 0
        var index = 0
        while index + 32 <= count {
            high |= base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                | base.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)
                | base.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self)
                | base.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self)
            index += 32
        }
        while index < count {
            high |= UInt64(base.load(fromByteOffset: index, as: UInt8.self))
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// Whether `bytes` are all ASCII, and how many line feeds they hold (a quoted field may span
    /// lines), eight bytes at a time.
    @inline(__always)
    static func scan(_ bytes: UnsafeRawBufferPointer) -> (ascii: Bool, newlines: Int) {
        let count = bytes.count
        guard let base = bytes.baseAddress else { return (true, 0) }
        var high: UInt64 = 0
        var newlines = 0
        var index = 0
        let lows: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while index + 8 <= count {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            high |= word
            // A zero byte of word ^ 0x0A0A.. marks a line feed (exact test, no false positives).
            let x = word ^ (lows &* 0x0A)
            let zeros = ~(((x & ~highs) &+ ~highs) | x) & highs
            if zeros != 0 { newlines += zeros.nonzeroBitCount }
            index += 8
        }
        while index < count {
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            high |= UInt64(byte)
            if byte == 10 { newlines += 1 }
            index += 1
        }
        return (high & highs == 0, newlines)
    }

    private func growArena(to needed: Int) {
        var capacity = arenaCapacity * 2
        while capacity < needed { capacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.update(from: arena, count: arenaCount)
        arena.deallocate()
        arena = grown
        arenaCapacity = capacity
    }

    private func growFields() {
        let capacity = fieldCapacity * 2
        let grownOffsets = UnsafeMutablePointer<Int>.allocate(capacity: capacity + 1)
        grownOffsets.update(from: offsets, count: fieldTotal + 1)
        offsets.deallocate()
        offsets = grownOffsets
        let grownNulls = UnsafeMutablePointer<Bool>.allocate(capacity: capacity)
        grownNulls.update(from: nulls, count: fieldTotal)
        nulls.deallocate()
        nulls = grownNulls
        fieldCapacity = capacity
    }

    fileprivate func endRow(_ terminator: Int32) {
        // Every unquoted CR and LF is reported (CSV_REPALL_NL), so physical lines can be
        // counted: a CR ends a line, and the LF right after it belongs to the same line end.
        let carriageReturn = Int32(UInt8(ascii: "\r"))
        let lineFeed = Int32(UInt8(ascii: "\n"))
        if fieldsInRow == 0 {
            if !(terminator == lineFeed && lastTerminator == carriageReturn) && terminator != -1 {
                linesBefore += 1
                rowLine = linesBefore + 1
            }
            lastTerminator = terminator
            return
        }
        lastTerminator = terminator
        defer {
            linesBefore += newlinesInRow + 1
            newlinesInRow = 0
            fieldsInRow = 0
            rowStartField = fieldTotal
            rowLine = linesBefore + 1
        }
        guard pendingError == nil else { return }
        rowsSeen += 1
        if rowsSeen == 1 {
            header = (0..<fieldsInRow).map { index in
                let field = rowStartField + index
                return String(decoding: UnsafeBufferPointer(start: arena + offsets[field], count: offsets[field + 1] - offsets[field]),
                              as: UTF8.self)
            }
            width = header.count
            dropRowInProgress()
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
        guard fieldsInRow == width else {
            pendingError = CSVError(.raggedRow(expected: width, found: fieldsInRow), file: displayName,
                                    line: rowLine, column: min(fieldsInRow, width) + 1)
            dropRowInProgress()
            return
        }
        if batchRows == rowCapacity { growRows() }
        rowStarts[batchRows] = rowStartField
        rowLines[batchRows] = rowLine
        batchRows += 1
    }

    /// Removes the fields of the row in progress from the buffers.
    private func dropRowInProgress() {
        arenaCount = offsets[rowStartField]
        fieldTotal = rowStartField
        pointParser()
    }

    private func growRows() {
        let capacity = rowCapacity * 2
        let grownStarts = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        grownStarts.update(from: rowStarts, count: batchRows)
        rowStarts.deallocate()
        rowStarts = grownStarts
        let grownLines = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        grownLines.update(from: rowLines, count: batchRows)
        rowLines.deallocate()
        rowLines = grownLines
        rowCapacity = capacity
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

/// Lets another thread take over the SHA-256 of a file that a ``CSVReader`` is parsing: the
/// reader stops hashing at its next chunk and hands over its state and offset, the other
/// thread reads and hashes the rest. When the reader finishes first, its digest is used.
public final class DigestHandoff: @unchecked Sendable {
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var wanted = false
    private var state: (hasher: SHA256, offset: Int)?
    private var digest: String?
    private var ended = false
    /// The most bytes a take-over hashes: the file's size when the reader opened it, so that a
    /// file growing under the audit cannot keep the other thread hashing.
    private var byteLimit = Int.max

    public init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    var requested: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return wanted
    }

    func give(_ hasher: SHA256, offset: Int) {
        pthread_mutex_lock(mutex)
        state = (hasher, offset)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    func limit(_ size: Int) {
        pthread_mutex_lock(mutex)
        byteLimit = size
        pthread_mutex_unlock(mutex)
    }

    func complete(_ digest: String) {
        pthread_mutex_lock(mutex)
        self.digest = digest
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Marks the parse as over, however it ended (call it when the reading thread is done, so
    /// that a reader that stopped on an error does not leave ``takeOver(path:)`` waiting).
    public func finish() {
        pthread_mutex_lock(mutex)
        ended = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// The file's digest: the reader's if it has finished, else the rest of the file hashed
    /// here from where the reader stopped. Waits for the reader's next chunk at most; nil when
    /// the parse ended without a digest (it stopped on an error, which its thread reports).
    public func takeOver(path: String) throws -> String? {
        pthread_mutex_lock(mutex)
        wanted = true
        while state == nil && digest == nil && !ended { pthread_cond_wait(condition, mutex) }
        let finished = digest
        let handed = state
        let limit = byteLimit
        pthread_mutex_unlock(mutex)
        if let finished { return finished }
        guard var (hasher, offset) = handed else { return nil }
        let (descriptor, _) = try InputFile.open(path)
        defer { close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while offset < limit {
            let count = pread(descriptor, buffer.baseAddress, min(buffer.count, limit - offset), off_t(offset))
            if count < 0 {
                if errno == EINTR { continue }
                throw OutputError.system(operation: "read", path: path, errno: errno)
            }
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            offset += count
        }
        return hasher.finalize()
    }
}
