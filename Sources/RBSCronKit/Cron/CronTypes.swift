import Foundation

/// The scheduler layer whose cron syntax an expression is written in.
///
/// - `vixie`: Vixie/cronie crontab syntax (the default).
/// - `vercel`: Vercel Cron: exactly five numeric fields, no names, no `@` shortcuts,
///   day-of-week 0–6, never both day fields restricted; always evaluated in UTC.
/// - `qstash`: Upstash QStash: an optional `CRON_TZ=Zone ` prefix, then five fields.
/// - `pgCron`: Supabase pg_cron: five fields, with `$` (last day of month) as the whole
///   day-of-month field, or `N seconds` (1–59, unit in any case), or `@restart` for `@reboot`;
///   a step needs a range or `*` (`1/5` is refused, as pg_cron does) and may not exceed the
///   field's maximum; at most 999 bytes. `N seconds` needs pg_cron 1.5 and `$` 1.6: see
///   `PgCronVersion` and `CronSchedule.parse(_:dialect:pgCronVersion:)`.
public enum CronDialect: String, CaseIterable, Sendable, Codable {
    case vixie
    case vercel
    case qstash
    case pgCron = "pg_cron"

    /// The layer's name as an operator would write it in a sentence.
    var displayName: String {
        switch self {
        case .vixie: return "Vixie cron"
        case .vercel: return "Vercel"
        case .qstash: return "QStash"
        case .pgCron: return "pg_cron"
        }
    }
}

/// One of the five fields of a cron expression.
public enum CronField: String, Sendable, Codable, CaseIterable {
    case minute
    case hour
    case dayOfMonth = "day-of-month"
    case month
    case dayOfWeek = "day-of-week"

    /// Smallest and largest value the field accepts in crontab syntax.
    var bounds: ClosedRange<Int> {
        switch self {
        case .minute: return 0...59
        case .hour: return 0...23
        case .dayOfMonth: return 1...31
        case .month: return 1...12
        case .dayOfWeek: return 0...7
        }
    }

    /// Symbolic names the field accepts (index 0 is the field's first value).
    var names: [String] {
        switch self {
        case .month: return ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        case .dayOfWeek: return ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
        default: return []
        }
    }
}

/// A cron expression that could not be parsed, or that its dialect refuses.
///
/// `field` and `token` point at the offending part when there is one; `reason` is a
/// sentence fragment that quotes the bad value.
public struct CronError: Error, LocalizedError, Equatable, Sendable {
    /// The expression exactly as given.
    public var expression: String
    /// The field the problem is in, if the problem is inside one field.
    public var field: CronField?
    /// The offending token (a list item, a name, a step), if there is one.
    public var token: String?
    /// Why it is refused, quoting the bad value.
    public var reason: String

    public init(expression: String, field: CronField? = nil, token: String? = nil, reason: String) {
        self.expression = expression
        self.field = field
        self.token = token
        self.reason = reason
    }

    /// `invalid cron expression '…': day-of-week field: …`
    public var errorDescription: String? {
        if let field {
            return "invalid cron expression '\(expression)': \(field.rawValue) field: \(reason)"
        }
        return "invalid cron expression '\(expression)': \(reason)"
    }
}
