import Foundation

/// Time stamps as the store keeps them (milliseconds since the epoch) and as reports show them (RFC 3339 UTC).
public enum Timestamp {
    public static func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    public static func date(ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    /// `2026-03-08T07:00:00Z`, or with milliseconds when they are not zero.
    public static func rfc3339(_ date: Date) -> String {
        let ms = Self.ms(date)
        let seconds = Date(timeIntervalSince1970: Double(ms / 1000 - (ms % 1000 < 0 ? 1 : 0)))
        var text = seconds.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? .current))
        let fraction = ((ms % 1000) + 1000) % 1000
        if fraction != 0, text.hasSuffix("Z") {
            text.removeLast()
            text += String(format: ".%03dZ", fraction)
        }
        return text
    }

    /// Parses RFC 3339 with or without fractional seconds.
    public static func parse(_ text: String) -> Date? {
        if let d = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return d }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }
}

/// How far a time is from now in the largest whole unit: `3 min ago`, `in 2 h`, `just now`, like `ls -l`'s readers
/// expect. The terminal tables and the dashboard say it the same way.
public enum RelativeTime {
    public static func text(_ date: Date, now: Date) -> String {
        let seconds = date.timeIntervalSince(now)
        let magnitude = abs(seconds)
        if magnitude < 45 { return seconds < 0 ? "just now" : "in a moment" }
        let units: [(Double, String)] = [(86_400, "d"), (3_600, "h"), (60, "min")]
        let (size, name) = units.first { magnitude >= $0.0 * (($0.1 == "min") ? 0.75 : 1) } ?? (60, "min")
        let count = max(1, Int((magnitude / size).rounded()))
        return seconds < 0 ? "\(count) \(name) ago" : "in \(count) \(name)"
    }
}
