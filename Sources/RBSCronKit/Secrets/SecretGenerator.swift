import Foundation

/// New secret values for `secret set --generate` and `secret rotate`.
public enum SecretGenerator {
    /// How many random bytes a generated secret carries (256 bits).
    public static let byteCount = 32

    /// 32 cryptographically secure random bytes as base64url without padding (43 characters),
    /// safe in headers, URLs, environment variables and shell words.
    public static func generate() -> String {
        base64URL(Data(SecureRandom.bytes(count: byteCount)), padded: false)
    }

    /// RFC 4648 §5 base64url.
    static func base64URL(_ data: Data, padded: Bool) -> String {
        var text = data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
        if !padded {
            while text.hasSuffix("=") { text.removeLast() }
        }
        return text
    }
}
