import Foundation

/// Replaces every occurrence of known secret values with `[REDACTED]`.
///
/// This is the one place redaction happens: every report, log line, stored response
/// excerpt and error that may carry outside text goes through a `Redactor` built from all
/// current and previous secret values.
///
/// Besides the raw value it looks for the forms a value takes inside an already-encoded JSON
/// string: `"` and `\` escaped, control characters as `\n` or `\u00XX`, and the optional
/// escapes that common encoders add (`\/` from Foundation and PHP, `\u00XX` for non-ASCII
/// from Python, `\u003c`/`\u003e`/`\u0026` from Go).
///
/// Every occurrence of every form is found, overlapping ones included, and each maximal run
/// of covered text becomes a single `[REDACTED]`. So when two secrets overlap in the text,
/// no fragment of either survives, and a value that contains another is hidden whole
/// (longest first, in effect).
///
/// Values shorter than ``minimumLength`` characters are ignored: a 1–3 character string
/// (`"1"`, `"ok"`, `"abc"`) occurs by chance all over ordinary output, so redacting it would
/// shred reports into noise while the pattern of redactions would itself reveal the value.
/// Such values are not real secrets; `secret set` refuses them.
public struct Redactor: Sendable {
    /// What every occurrence is replaced with.
    public static let placeholder = "[REDACTED]"
    /// Values with fewer characters than this are not redacted.
    public static let minimumLength = 4

    /// Byte patterns grouped by their first byte, each group longest first.
    private let patternsByFirstByte: [UInt8: [[UInt8]]]
    /// The values it hides (kept so ``adding(_:)`` can extend it).
    private let values: [String]

    /// A redactor for `secrets` (current and previous values; duplicates and short ones are fine).
    public init(secrets: some Sequence<String>) {
        let values = Array(secrets).filter { $0.count >= Self.minimumLength }
        self.values = values
        var unique = Set<[UInt8]>()
        for value in values {
            for form in Self.encodedForms(of: value) {
                unique.insert(Array(form.utf8))
            }
        }
        var grouped: [UInt8: [[UInt8]]] = [:]
        for pattern in unique {
            guard let first = pattern.first else { continue }
            grouped[first, default: []].append(pattern)
        }
        for key in grouped.keys {
            grouped[key]?.sort { $0.count > $1.count }
        }
        self.patternsByFirstByte = grouped
    }

    /// The redactor for every value a provider knows: the one way a redactor is built from secrets.
    public static func hiding(_ provider: any SecretProvider) throws -> Redactor {
        Redactor(secrets: try provider.valuesForRedaction())
    }

    /// This redactor, also hiding `more` (a token read for one request, say).
    public func adding(_ more: [String]) -> Redactor {
        let extra = more.filter { $0.count >= Self.minimumLength && !values.contains($0) }
        return extra.isEmpty ? self : Redactor(secrets: values + extra)
    }

    /// Text from outside rbscron (a response body, a remote error, a command a layer holds): every known secret
    /// and every credential written literally (``InlineCredentials``) hidden, then cut to `limit` characters.
    public func remote(_ text: String, limit: Int? = nil) -> String {
        let hidden = InlineCredentials.mask(redact(text))
        guard let limit, hidden.count > limit else { return hidden }
        return String(hidden.prefix(limit)) + "…"
    }

    /// A short excerpt of a remote service's body for an error message: redacted, on one line, at most `limit`
    /// characters; `(empty body)` when there is nothing.
    public func excerpt(_ body: Data, limit: Int = 300) -> String {
        let text = remote(String(decoding: body, as: UTF8.self), limit: limit)
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        return line.isEmpty ? "(empty body)" : line
    }

    /// A redactor that hides nothing (but literal credentials in ``remote(_:limit:)``).
    public static let none = Redactor(secrets: [String]())

    /// The longest value it hides, in UTF-8 bytes (for cutting text safely before redacting it).
    public var longestValueBytes: Int { values.map(\.utf8.count).max() ?? 0 }

    /// True when there is nothing to redact.
    public var isEmpty: Bool { patternsByFirstByte.isEmpty }

    /// `text` with every secret occurrence replaced.
    public func redact(_ text: String) -> String {
        guard !isEmpty else { return text }
        let bytes = Array(text.utf8)
        guard let redacted = redactBytes(bytes) else { return text }
        // Patterns are whole UTF-8 sequences, and UTF-8 is self-synchronising, so matches
        // start and end on scalar boundaries and the result is valid UTF-8.
        return String(decoding: redacted, as: UTF8.self)
    }

    /// `data` (read as UTF-8 bytes; need not be valid UTF-8) with every secret occurrence replaced.
    public func redact(_ data: Data) -> Data {
        guard !isEmpty else { return data }
        guard let redacted = redactBytes([UInt8](data)) else { return data }
        return Data(redacted)
    }

    /// `nil` when nothing matched.
    private func redactBytes(_ bytes: [UInt8]) -> [UInt8]? {
        // Covered intervals, found in order of start; merged as we go.
        var covered: [(start: Int, end: Int)] = []
        var index = 0
        while index < bytes.count {
            if let candidates = patternsByFirstByte[bytes[index]] {
                for pattern in candidates where Self.matches(pattern, in: bytes, at: index) {
                    let end = index + pattern.count
                    if let last = covered.last, index <= last.end {
                        covered[covered.count - 1].end = max(last.end, end)
                    } else {
                        covered.append((index, end))
                    }
                    break // candidates are longest first; shorter ones here are inside this one
                }
            }
            index += 1
        }
        guard !covered.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        let placeholder = Array(Self.placeholder.utf8)
        var cursor = 0
        for interval in covered {
            out.append(contentsOf: bytes[cursor..<interval.start])
            out.append(contentsOf: placeholder)
            cursor = interval.end
        }
        out.append(contentsOf: bytes[cursor...])
        return out
    }

    private static func matches(_ pattern: [UInt8], in bytes: [UInt8], at start: Int) -> Bool {
        guard bytes.count - start >= pattern.count else { return false }
        for offset in 0..<pattern.count where bytes[start + offset] != pattern[offset] {
            return false
        }
        return true
    }

    /// The raw value and its JSON-string-escaped variants.
    static func encodedForms(of value: String) -> Set<String> {
        var forms: Set<String> = [value]
        for escapeSlash in [false, true] {
            for escapeNonASCII in [false, true] {
                for escapeHTML in [false, true] {
                    forms.insert(jsonEscaped(
                        value, escapeSlash: escapeSlash, escapeNonASCII: escapeNonASCII, escapeHTML: escapeHTML
                    ))
                }
            }
        }
        return forms
    }

    static func jsonEscaped(_ value: String, escapeSlash: Bool, escapeNonASCII: Bool, escapeHTML: Bool) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where escapeSlash: out += "\\/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "<" where escapeHTML, ">" where escapeHTML, "&" where escapeHTML,
                 "\u{2028}" where escapeHTML, "\u{2029}" where escapeHTML:
                out += unicodeEscape(UInt16(truncatingIfNeeded: scalar.value))
            default:
                if scalar.value < 0x20 {
                    out += unicodeEscape(UInt16(truncatingIfNeeded: scalar.value))
                } else if escapeNonASCII, scalar.value > 0x7F {
                    for unit in String(scalar).utf16 {
                        out += unicodeEscape(unit)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    private static func unicodeEscape(_ unit: UInt16) -> String {
        let hex = String(unit, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
