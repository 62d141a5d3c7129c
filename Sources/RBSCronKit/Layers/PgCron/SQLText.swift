import Foundation

/// Quoting for the SQL that rbscron writes into migrations.
enum SQLText {
    /// A string literal: single quotes doubled. Text with a backslash is dollar-quoted instead, so the
    /// result means the same whatever `standard_conforming_strings` is set to.
    static func literal(_ text: String) -> String {
        if text.contains("\\") { return dollarQuoted(text, base: "lit") }
        return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// `$tag$text$tag$` with a tag that cannot end the string early. The tag must not occur in
    /// `text + tag` before its final position: a text ending in `$rbs` would otherwise close at `$rbs$`.
    static func dollarQuoted(_ text: String, base: String = "rbs") -> String {
        let tag = dollarTag(for: text, base: base)
        return tag + text + tag
    }

    /// The tag `dollarQuoted` uses: `$base$`, then `$base1$`, `$base2$`, … until one is safe.
    static func dollarTag(for text: String, base: String = "rbs") -> String {
        var counter = 0
        while true {
            let tag = counter == 0 ? "$\(base)$" : "$\(base)\(counter)$"
            // Bytes, not Characters: PostgreSQL scans bytes, and a combining mark after `$` would
            // hide a match from a Character-level search.
            if firstOffset(of: Array(tag.utf8), in: Array((text + tag).utf8)) == text.utf8.count {
                return tag
            }
            counter += 1
        }
    }

    private static func firstOffset(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
    }

    /// Text that is safe inside a `--` comment: line breaks become spaces.
    static func comment(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    /// `ARRAY['a', 'b']::text[]`, or an empty text array.
    static func textArray(_ items: [String]) -> String {
        "ARRAY[" + items.map(literal).joined(separator: ", ") + "]::text[]"
    }
}
