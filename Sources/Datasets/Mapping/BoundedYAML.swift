import CYaml
import Yams

/// Composes the YAML of a mapping, a bands file or a rename map with bounds, so that hostile
/// input is refused at once rather than after minutes or a crash.
///
/// Before `Yams.compose` sees the text, one pass over libyaml's events (the parser Yams itself
/// composes from) checks that
/// - the text is at most ``maximumBytes`` (these files are hand-written and a few KiB);
/// - no alias is a mapping key (`*a: x`): a key is hashed expanded for the duplicate-key check,
///   so an alias bomb as a key would run for minutes;
/// - aliases expand to at most ``maximumAliasNodes`` nodes in all, counting for each alias the
///   nodes of its anchor's subtree with the aliases inside it expanded ("billion laughs": nine
///   levels of nine aliases are 10^9 nodes from a few hundred bytes);
/// - collections nest at most ``maximumDepth`` deep (composing and reading recurse).
///
/// One leading byte-order mark is dropped. Every refusal, and every YAML syntax error, is one
/// ``Failure`` naming the line.
public enum BoundedYAML {
    /// The largest text read: 1 MiB, a hundred times the largest shipped mapping.
    public static let maximumBytes = 1 << 20
    /// The most nodes that aliases may add in all (their anchors' subtrees, expanded); the
    /// refusal spells it out.
    public static let maximumAliasNodes = 100_000
    /// The deepest nesting of sequences and mappings.
    public static let maximumDepth = 256

    /// The message for a text over ``maximumBytes`` (also for a file refused before it is read).
    public static let tooLarge = "larger than \(maximumBytes >> 20) MiB, too large for a YAML file of this kind"

    /// Why a text was not composed: the line and the message (the caller adds its file).
    public struct Failure: Error, Sendable, Equatable {
        public var line: Int
        public var message: String

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }
    }

    /// The root node of `text`, or nil for an empty document; `path` names it in messages.
    ///
    /// - Complexity: O(n) in the text before composing; composing then touches at most
    ///   n + ``maximumAliasNodes`` nodes.
    public static func compose(_ text: String, path: String) throws(Failure) -> Node? {
        var text = text
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        guard text.utf8.count <= maximumBytes else {
            throw Failure(line: 1, message: tooLarge)
        }
        if let failure = check(text) { throw failure }
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Failure(line: MappingLoader.line(of: error), message: "not valid YAML: \(MappingLoader.summary(of: error))")
        } catch {
            throw Failure(line: 1, message: "not valid YAML: \(error)")
        }
    }

    /// The first bound `text` breaks, or nil; a syntax error is left to the composer, which
    /// stops at the same event.
    static func check(_ text: String) -> Failure? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer -> Failure? in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            return walk(&parser)
        }
    }

    /// One open sequence or mapping: its anchor, its nodes so far, and (in a mapping) whether
    /// the next node is a key.
    private struct Frame {
        var anchor: String?
        var nodes = 1
        var isMapping: Bool
        var expectsKey: Bool
    }

    private static func walk(_ parser: inout yaml_parser_t) -> Failure? {
        var sizes: [String: Int] = [:]
        var stack: [Frame] = []
        var added = 0
        var event = yaml_event_t()
        func anchor(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: UnsafePointer($0)) }
        }
        // A completed node of `nodes` nodes: counted in its parent, remembered under its anchor.
        func finish(_ nodes: Int, anchor: String?) {
            if let anchor { sizes[anchor] = nodes }
            if let last = stack.indices.last {
                stack[last].nodes += nodes
                if stack[last].isMapping { stack[last].expectsKey.toggle() }
            }
        }
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_SCALAR_EVENT:
                finish(1, anchor: anchor(event.data.scalar.anchor))
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                guard stack.count < maximumDepth else {
                    return Failure(line: line, message: "nested more than \(maximumDepth) levels deep")
                }
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let name = isMapping ? anchor(event.data.mapping_start.anchor) : anchor(event.data.sequence_start.anchor)
                stack.append(Frame(anchor: name, isMapping: isMapping, expectsKey: true))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { return nil }
                finish(frame.nodes, anchor: frame.anchor)
            case YAML_ALIAS_EVENT:
                let name = anchor(event.data.alias.anchor) ?? ""
                if let last = stack.last, last.isMapping, last.expectsKey {
                    return Failure(line: line, message: "alias '*\(name)' as a mapping key; write the key itself")
                }
                // An undefined alias is the composer's error.
                let nodes = sizes[name] ?? 1
                added += nodes
                guard added <= maximumAliasNodes else {
                    return Failure(line: line, message: "aliases expand to more than 100,000 nodes (at '*\(name)')")
                }
                finish(nodes, anchor: nil)
            default:
                break
            }
        }
    }
}
