import Foundation

/// Replaces the value of one top-level key of a JSON object in its text, leaving every other byte as it was
/// (other keys, their order, spacing and comments-free formatting), or appends the key when it is absent.
///
/// `JSONSerialization` would re-order and re-indent the whole file; a `vercel.json` is reviewed in git, so only
/// the `crons` value is rewritten. The text must already be valid JSON (checked by the caller).
enum JSONTopLevelText {
    struct Member {
        var key: String
        /// Byte offset where the key's opening quote starts.
        var keyStart: Int
        /// Byte range of the value.
        var valueStart: Int
        var valueEnd: Int
    }

    struct Object {
        var members: [Member]
        /// Offset of the closing `}` of the top-level object.
        var closeBrace: Int
    }

    enum ScanError: Error { case malformed(Int) }

    /// The members of the top-level object, with byte offsets.
    static func scan(_ bytes: [UInt8]) throws(ScanError) -> Object {
        var i = 0
        func skipSpace() { while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 } }
        func expect(_ byte: UInt8) throws(ScanError) {
            skipSpace()
            guard i < bytes.count, bytes[i] == byte else { throw .malformed(i) }
            i += 1
        }
        func skipString() throws(ScanError) {
            guard i < bytes.count, bytes[i] == 0x22 else { throw .malformed(i) }
            i += 1
            while i < bytes.count {
                if bytes[i] == 0x5C { i += 2; continue }
                if bytes[i] == 0x22 { i += 1; return }
                i += 1
            }
            throw .malformed(i)
        }
        func skipValue() throws(ScanError) {
            skipSpace()
            guard i < bytes.count else { throw .malformed(i) }
            switch bytes[i] {
            case 0x22: try skipString()
            case 0x7B, 0x5B:
                var depth = 0
                while i < bytes.count {
                    switch bytes[i] {
                    case 0x22: try skipString(); continue
                    case 0x7B, 0x5B: depth += 1
                    case 0x7D, 0x5D:
                        depth -= 1
                        if depth == 0 { i += 1; return }
                    default: break
                    }
                    i += 1
                }
                throw .malformed(i)
            default:
                while i < bytes.count, ![0x2C, 0x7D, 0x5D, 0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
            }
        }

        try expect(0x7B)
        var members: [Member] = []
        skipSpace()
        if i < bytes.count, bytes[i] == 0x7D { return Object(members: [], closeBrace: i) }
        while true {
            skipSpace()
            let keyStart = i
            try skipString()
            let keyData = Data(bytes[keyStart..<i])
            guard let key = try? JSONDecoder().decode(String.self, from: keyData) else { throw .malformed(keyStart) }
            try expect(0x3A)
            skipSpace()
            let valueStart = i
            try skipValue()
            members.append(Member(key: key, keyStart: keyStart, valueStart: valueStart, valueEnd: i))
            skipSpace()
            guard i < bytes.count else { throw .malformed(i) }
            if bytes[i] == 0x2C { i += 1; continue }
            if bytes[i] == 0x7D { return Object(members: members, closeBrace: i) }
            throw .malformed(i)
        }
    }

    /// The spaces and tabs before `offset` on its line.
    static func indentation(before offset: Int, in bytes: [UInt8]) -> String {
        var start = offset
        while start > 0, bytes[start - 1] == 0x20 || bytes[start - 1] == 0x09 { start -= 1 }
        guard start == 0 || bytes[start - 1] == 0x0A else { return "" }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    /// `text` with the top-level `key` set to the JSON produced by `render(indent)`, where `indent` is the
    /// indentation of the key's line (members are indented one more step by the renderer).
    static func replacing(key: String, in text: String, render: (_ indent: String) -> String) throws(ScanError) -> String {
        let bytes = Array(text.utf8)
        let object = try scan(bytes)
        if let member = object.members.first(where: { $0.key == key }) {
            let indent = indentation(before: member.keyStart, in: bytes)
            var out = Array(bytes[..<member.valueStart])
            out += Array(render(indent).utf8)
            out += bytes[member.valueEnd...]
            return String(decoding: out, as: UTF8.self)
        }
        let quotedKey = String(decoding: (try? JSONEncoder().encode(key)) ?? Data("\"\(key)\"".utf8), as: UTF8.self)
        if let last = object.members.last {
            let indent = indentation(before: object.members[0].keyStart, in: bytes)
            let multiline = !indent.isEmpty || bytes[object.members[0].keyStart - 1] == 0x0A
            let separator = multiline ? ",\n" + indent : ", "
            var out = Array(bytes[..<last.valueEnd])
            out += Array((separator + quotedKey + ": " + render(indent)).utf8)
            out += bytes[last.valueEnd...]
            return String(decoding: out, as: UTF8.self)
        }
        var out = Array(bytes[..<object.closeBrace])
        while let tail = out.last, [0x20, 0x09, 0x0A, 0x0D].contains(tail) { out.removeLast() }
        out += Array(("\n  " + quotedKey + ": " + render("  ") + "\n").utf8)
        out += bytes[object.closeBrace...]
        return String(decoding: out, as: UTF8.self)
    }

    /// `text` without the top-level `key` (and the comma that separated it); the text itself when the key is absent.
    /// The other members keep their bytes.
    static func removing(key: String, in text: String) throws(ScanError) -> String {
        let bytes = Array(text.utf8)
        let object = try scan(bytes)
        guard let index = object.members.firstIndex(where: { $0.key == key }) else { return text }
        let member = object.members[index]
        let range: Range<Int>
        if index > 0 {
            // From the end of the previous value (its comma and the spacing go too) to the end of this value.
            range = object.members[index - 1].valueEnd..<member.valueEnd
        } else if object.members.count > 1 {
            // The first member: up to the next key, so the next member takes its place and spacing.
            range = member.keyStart..<object.members[1].keyStart
        } else {
            // The only member: the object becomes empty, keeping the text after the value (spacing, closing brace).
            var start = member.keyStart
            while start > 0, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start - 1]) { start -= 1 }
            var end = member.valueEnd
            while end < object.closeBrace, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[end]) { end += 1 }
            range = start..<end
        }
        var out = Array(bytes[..<range.lowerBound])
        out += bytes[range.upperBound...]
        return String(decoding: out, as: UTF8.self)
    }

    /// The members of the object that `bytes[range]` holds, with offsets into `bytes`.
    static func members(ofObjectIn bytes: [UInt8], range: Range<Int>) throws(ScanError) -> Object {
        let inner = try scan(Array(bytes[range]))
        let shift = range.lowerBound
        return Object(members: inner.members.map {
            Member(key: $0.key, keyStart: $0.keyStart + shift, valueStart: $0.valueStart + shift, valueEnd: $0.valueEnd + shift)
        }, closeBrace: inner.closeBrace + shift)
    }

    /// One indentation step after `indent` (the key's own indentation): a tab under tabs, else 2–4 spaces.
    static func step(after indent: String) -> String {
        indent.isEmpty ? "  " : (indent.hasPrefix("\t") ? "\t" : String(repeating: " ", count: max(2, min(indent.count, 4))))
    }

    /// A JSON string literal (`"` and `\` and control characters escaped; `/` kept).
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
