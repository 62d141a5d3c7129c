import Foundation

/// A parsed cron expression in one dialect, able to list its fire times in any zone.
///
/// Time zones and DST follow Debian's cron (as modelled by cronsim):
/// - a **fixed-time** job (minute and hour fields not starting with `*`) fires once per
///   matching wall-clock time: in a repeated hour (fall back) at the first occurrence only;
///   at a wall time skipped by a forward jump, once, right after the jump;
/// - a **wildcard** job (minute or hour starting with `*`) follows the wall clock: it fires
///   at every real instant whose local time matches (skipped times are skipped, a repeated
///   hour fires twice).
///
/// Zone precedence: Vercel schedules always use UTC; a QStash `CRON_TZ=` prefix wins over
/// the zone passed to `next`; otherwise the passed zone is used.
public struct CronSchedule: Sendable, Hashable {
    /// The expression exactly as given.
    public let expression: String
    /// The dialect it was parsed in.
    public let dialect: CronDialect
    /// The zone named by a QStash `CRON_TZ=` prefix, if any.
    public let timeZone: TimeZone?
    /// The pg_cron version the expression was checked against; nil outside the pg_cron dialect.
    public let pgCronVersion: PgCronVersion?
    let kind: CronKind

    /// Parses `text` in `dialect`; the error names the field and the token at fault.
    /// In the pg_cron dialect, syntax newer than `pgCronVersion` is refused (`N seconds` needs
    /// 1.5, `$` needs 1.6); the other dialects ignore the version.
    public static func parse(_ text: String, dialect: CronDialect = .vixie,
                             pgCronVersion: PgCronVersion = .supabase) throws(CronError) -> CronSchedule {
        let parsed = try CronParser(expression: text, dialect: dialect, pgCronVersion: pgCronVersion).parse()
        return CronSchedule(expression: text, dialect: dialect, timeZone: parsed.timeZone,
                            pgCronVersion: dialect == .pgCron ? pgCronVersion : nil, kind: parsed.kind)
    }

    /// `@reboot`: accepted but never fires on a schedule.
    public var neverFires: Bool {
        if case .reboot = kind { return true }
        return false
    }

    /// The interval of a pg_cron `N seconds` schedule.
    public var intervalSeconds: Int? {
        if case .interval(let n) = kind { return n }
        return nil
    }

    /// True when the minute or the hour field starts with `*` (the job follows the wall
    /// clock through DST changes); false for fixed-time jobs, `@reboot` and intervals.
    public var isWildcardTime: Bool {
        if case .calendar(let spec) = kind { return spec.wildcardTime }
        return false
    }

    /// True when no date can ever match (e.g. `0 0 30 2 *`), or for `@reboot`.
    public var neverMatches: Bool {
        switch kind {
        case .reboot: return true
        case .interval: return false
        case .calendar(let spec): return spec.neverMatchesCalendar
        }
    }

    /// The zone fires are computed in, given the caller's zone.
    public func effectiveTimeZone(_ zone: TimeZone) -> TimeZone {
        if dialect == .vercel { return TimeZone(identifier: "UTC") ?? zone }
        return timeZone ?? zone
    }

    /// Dates this library will compute fires for (years 1 through 9999).
    private static let supportedSeconds: ClosedRange<Double> = -62_135_596_800 ... 253_402_300_799

    /// The first fire strictly after `after`, or nil if there is none within 50 years.
    public func next(after: Date, in zone: TimeZone) -> Date? {
        let a = after.timeIntervalSince1970
        guard a.isFinite, Self.supportedSeconds.contains(a) else { return nil }
        switch kind {
        case .reboot:
            return nil
        case .interval(let n):
            // pg_cron runs these on its own timer; rbscron models them as every multiple
            // of N seconds since the Unix epoch.
            let k = floor(a / Double(n)) + 1
            return Date(timeIntervalSince1970: k * Double(n))
        case .calendar(let spec):
            if spec.neverMatchesCalendar { return nil }
            guard let t = spec.next(after: a, clock: ZoneClock(effectiveTimeZone(zone))) else { return nil }
            let d = Double(t)
            return Self.supportedSeconds.contains(d) ? Date(timeIntervalSince1970: d) : nil
        }
    }

    /// Up to `count` consecutive fires strictly after `after`.
    public func nextFires(after: Date, in zone: TimeZone, count: Int) -> [Date] {
        var result: [Date] = []
        guard count > 0 else { return result }
        result.reserveCapacity(min(count, 10_000))
        var cursor = after
        while result.count < count, let n = next(after: cursor, in: zone) {
            result.append(n)
            cursor = n
        }
        return result
    }

    /// Every fire `t` with `from < t <= to`, at most `limit` of them (the earliest ones).
    public func fires(from: Date, to: Date, in zone: TimeZone, limit: Int = 100_000) -> [Date] {
        var result: [Date] = []
        var cursor = from
        while result.count < limit, let n = next(after: cursor, in: zone), n <= to {
            result.append(n)
            cursor = n
        }
        return result
    }

    /// The latest fire `t` with `atOrBefore - lookback <= t <= atOrBefore`, or nil.
    /// Searches windows that double in size, so a dense schedule is answered quickly.
    public func previous(atOrBefore date: Date, in zone: TimeZone, lookback: TimeInterval) -> Date? {
        guard lookback >= 0, lookback.isFinite else { return nil }
        if neverMatches { return nil }
        var window: TimeInterval = min(3600, lookback)
        while true {
            // Fires are whole seconds; half a second keeps `date - lookback` itself inside.
            let from = date.addingTimeInterval(-window - (window >= lookback ? 0.5 : 0))
            if let last = fires(from: from, to: date, in: zone, limit: .max).last { return last }
            if window >= lookback { return nil }
            window = min(window * 2, lookback)
        }
    }
}
