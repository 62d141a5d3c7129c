import Foundation

/// A pg_cron release, for the schedule syntax it accepts.
///
/// pg_cron's syntax grew over its releases (CHANGELOG.md and git history of citusdata/pg_cron):
/// - `@restart` as an alias of `@reboot`: 1.3.0 (commit 3c7318c, 2020-09-18);
/// - `N seconds` (1–59): 1.5.0 (commit c15004f, 2023-02-04; CHANGELOG 1.5.0 "Adds the
///   possibility of scheduling a job with a 1-59 second interval");
/// - `$`, the last day of the month: 1.6.0 (commit 956c07a, 2023-05-31; CHANGELOG 1.6.0
///   "Adds scheduling on the last day of the month");
/// - a step larger than the field's maximum is refused from 1.6.5 on (commit 5c10a8a); rbscron
///   refuses it for every version, since a job stored with one stops loading after an upgrade.
///
/// Written `1.6`, `1.6.4`, or as pg_cron's `extversion` reports it (`1.4-1`: a revision of
/// 1.4's SQL, read as 1.4). Encoded as that text.
public struct PgCronVersion: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, LosslessStringConvertible {
    public let major: Int
    public let minor: Int
    public let patch: Int

    public init(major: Int, minor: Int, patch: Int = 0) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Supabase's pg_cron (1.6; its images ship 1.6.4): the default.
    public static let supabase = PgCronVersion(major: 1, minor: 6)
    /// Debian 12's postgresql-15-cron (1.4.2): no `N seconds`, no `$`.
    public static let debian = PgCronVersion(major: 1, minor: 4)

    /// First version that reads `@restart` as `@reboot`.
    static let restartAlias = PgCronVersion(major: 1, minor: 3)
    /// First version that accepts `N seconds`.
    static let secondsIntervals = PgCronVersion(major: 1, minor: 5)
    /// First version that accepts `$` in day-of-month.
    static let lastDayOfMonth = PgCronVersion(major: 1, minor: 6)

    /// Reads `1.6`, `1.6.4`, `v1.6.4` or an extversion such as `1.4-1`; nil for anything else.
    public init?(_ description: String) {
        var text = Substring(description.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("v") { text = text.dropFirst() }
        var revision: Substring?
        if let dash = text.firstIndex(of: "-") {
            revision = text[text.index(after: dash)...]
            text = text[..<dash]
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        func number(_ s: Substring) -> Int? {
            guard !s.isEmpty, s.count <= 6, s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            return Int(s)
        }
        guard parts.count == 2 || parts.count == 3,
              let major = number(parts[0]), let minor = number(parts[1]) else { return nil }
        var patch = 0
        if parts.count == 3 {
            guard let p = number(parts[2]) else { return nil }
            patch = p
        }
        if let revision {
            // Only pg_cron's extversion form, `major.minor-N`.
            guard parts.count == 2, number(revision) != nil else { return nil }
        }
        self.init(major: major, minor: minor, patch: patch)
    }

    /// `1.6`, or `1.6.4` when there is a patch number.
    public var description: String {
        patch == 0 ? "\(major).\(minor)" : "\(major).\(minor).\(patch)"
    }

    public static func < (a: PgCronVersion, b: PgCronVersion) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let version = PgCronVersion(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a pg_cron version such as '1.6' or '1.6.4'")
        }
        self = version
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
