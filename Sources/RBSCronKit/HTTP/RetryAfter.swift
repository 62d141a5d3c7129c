import Foundation

/// Seconds to wait according to a `Retry-After` value: either delay-seconds (`120`) or an
/// HTTP-date (IMF-fixdate, RFC 850 or asctime, as RFC 9110 requires recipients to accept).
/// A date in the past gives 0; anything else unparsable gives nil.
public func parseRetryAfter(_ value: String, now: Date) -> TimeInterval? {
    let text = value.trimmingCharacters(in: .whitespaces)
    guard !text.isEmpty else { return nil }
    if text.allSatisfy({ $0.isASCII && $0.isNumber }) {
        return TimeInterval(text)
    }
    let formats = [
        "EEE, dd MMM yyyy HH:mm:ss zzz",  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        "EEEE, dd-MMM-yy HH:mm:ss zzz",  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        "EEE MMM d HH:mm:ss yyyy",  // asctime: Sun Nov  6 08:49:37 1994
    ]
    // asctime pads single-digit days with a space; collapse runs of spaces first.
    let collapsed = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    for format in formats {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = format
        formatter.isLenient = false
        if let date = formatter.date(from: collapsed) {
            return max(0, date.timeIntervalSince(now))
        }
    }
    return nil
}
