import Foundation

/// The JSON every `--json` output uses: sorted keys, snake_case keys (declared by each report), RFC 3339 dates.
public enum ReportJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.rfc3339(date))
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// rbscron's version, shown by `--version` and sent as `User-Agent: rbscron/VERSION`.
public enum RBSCronVersion {
    public static let current = "0.1.0"
    public static var userAgent: String { "rbscron/\(current)" }
}

extension ReportJSON {
    /// The same encoding on one line, as bytes: what rbscron sends to webhooks.
    public static func compact<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.rfc3339(date))
        }
        return try encoder.encode(value)
    }
}
