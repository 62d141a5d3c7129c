import Foundation

/// Why a secret value was refused. Never carries the value.
public struct SecretValueError: Error, LocalizedError, Sendable, Equatable {
    /// What is wrong, without the value: "is 3 characters long; …".
    public var reason: String

    public var errorDescription: String? { "the secret value \(reason); nothing was stored." }
}

/// What a stored secret value may be. Every value rbscron keeps is a credential sent in a header or used as a key:
/// long enough that the redactor hides it wherever it appears (shorter ones occur in ordinary text by chance, and
/// a masked preview would show too much of them), one line of printable text (a NUL, CR or LF would cut or add
/// header lines), and of a size a request can carry (every trigger redacts its output against every value).
public enum SecretValueRules {
    /// The fewest characters a value may have. Bearer tokens, signing keys and service-role keys are all longer;
    /// `secret rotate --generate` makes 43.
    public static let minimumLength = 16
    /// The most UTF-8 bytes a value may have (a Supabase service-role JWT is about 220).
    public static let maximumBytes = 8192

    /// Why `value` cannot be stored, or nil. The reason never quotes the value.
    public static func problem(_ value: String) -> String? {
        if value.isEmpty { return "is empty" }
        if let control = ControlCharacters.first(in: value) {
            return "contains the control character \(ControlCharacters.visible(control)) (a NUL, line break, tab or "
                + "escape); a secret is one line of printable text, so check that the whole value was copied alone"
        }
        if value.count < minimumLength {
            return "is \(value.count) character\(value.count == 1 ? "" : "s") long; use at least \(minimumLength) "
                + "(generate one with `rbscron secret rotate SCOPE KEY --generate`)"
        }
        if value.utf8.count > maximumBytes {
            return "is \(value.utf8.count) bytes long; the most rbscron keeps is \(maximumBytes)"
        }
        return nil
    }

    /// The value in `data` (standard input, a file): UTF-8 with one trailing line break dropped, then checked.
    public static func decode(_ data: Data) throws(SecretValueError) -> String {
        guard var text = String(data: data, encoding: .utf8) else {
            throw SecretValueError(reason: "is not valid UTF-8 text (it may be a binary file or another encoding)")
        }
        if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
        if let problem = problem(text) { throw SecretValueError(reason: problem) }
        return text
    }
}
