import Foundation

/// A safe preview of a secret value for listings: never more than its first 4 characters,
/// and none at all for short values, where 4 characters would be too much of the secret.
public enum SecretMask {
    /// Values shorter than this show only their length.
    public static let minimumLengthForPrefix = 16
    /// How many leading characters a long value shows.
    public static let prefixLength = 4

    /// `sk_l…(40 chars)` for a 40-character value; `…(8 chars)` for an 8-character one;
    /// `(empty)` for the empty string. Lengths are counted in characters.
    public static func preview(_ value: String) -> String {
        let count = value.count
        guard count > 0 else { return "(empty)" }
        let length = count == 1 ? "(1 char)" : "(\(count) chars)"
        guard count >= minimumLengthForPrefix else { return "…" + length }
        return String(value.prefix(prefixLength)) + "…" + length
    }
}

extension SecretMask {
    /// A URL that is itself a secret (a Slack webhook, a ping URL), as listings show it: scheme, host and port,
    /// then `…` and the length: `https://hooks.slack.com/…(79 chars)`. Path, query and user info never show.
    public static func url(_ value: String) -> String {
        guard let components = URLComponents(string: value), let scheme = components.scheme, let host = components.host,
              !host.isEmpty else { return preview(value) }
        let port = components.port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)/…(\(value.count) chars)"
    }
}
