/// Control characters in text that reaches a terminal, an HTML page or a request: the one place they are found and
/// written visibly. An escape sequence from outside (a response body, a manifest value) could otherwise set a
/// terminal's title, clear its screen or hide text; a NUL or a line break could cut or extend a request line.
public enum ControlCharacters {
    /// C0 controls (NUL…US), DEL, C1 controls (U+0080…U+009F) and Unicode's bidirectional embeddings, overrides
    /// and isolates, which reorder what a reader sees.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// The first control character of `text` that is not in `allowed`, or nil.
    public static func first(in text: String, allowing allowed: Set<Unicode.Scalar> = []) -> Unicode.Scalar? {
        text.unicodeScalars.first { isControl($0) && !allowed.contains($0) }
    }

    /// `text` with every control character written visibly (`\x1b`, `\x00`, `\u{202e}`); with `keepingLineBreaks`,
    /// newlines and tabs stay as they are (multi-line output), carriage returns never do.
    public static func escape(_ text: String, keepingLineBreaks: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if !isControl(scalar) || (keepingLineBreaks && (scalar == "\n" || scalar == "\t")) {
                out.append(scalar)
            } else {
                out.append(contentsOf: visible(scalar).unicodeScalars)
            }
        }
        return String(out)
    }

    /// How one control character is shown: `\x1b` below U+0100, `\u{202e}` above.
    public static func visible(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return scalar.value < 0x100 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{\(hex)}"
    }
}
