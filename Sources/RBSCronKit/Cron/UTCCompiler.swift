import Foundation

/// The UTC cron entries that replace a local-time schedule on a layer that fires in UTC
/// (Vercel, pg_cron on Supabase).
public enum UTCCompilation: Sendable, Equatable {
    /// These entries, together, fire at exactly the local schedule's instants over the
    /// year checked (each instant once).
    case exact([String])
    /// The zone changes its UTC offset, so no fixed set is exact all year: one set per
    /// offset; `moved` is the fewest fires a year that any single set gets wrong.
    case seasonal([UTCSeason], moved: Int)
    /// No translation rbscron can prove exact (the reason says why).
    case unsupported(String)
}

/// The UTC entries that are right while a zone is at one offset.
public struct UTCSeason: Sendable, Equatable {
    /// "standard time" or "daylight time".
    public var label: String
    public var offsetSeconds: Int
    public var entries: [String]
    /// Fires over the year checked that these entries alone would get wrong (missed,
    /// extra or moved), in time order.
    public var wrongFires: [Date]
}

/// Turns a local-time schedule into the smallest set of UTC cron expressions that fire at
/// the same instants. Hours that wrap past midnight move to the next (or previous) day, so
/// their day-of-week and day-of-month fields shift by one. Every answer is verified against
/// the cron engine over a year of fires; what cannot be verified is reported, never guessed.
public enum UTCCompiler {
    /// Compiles `schedule` as meant in `zone` (a QStash `CRON_TZ=` prefix wins) into entries
    /// of the same dialect, checking the year that starts at `from`.
    /// A Vercel schedule is read as meant in `zone` (Vercel itself would fire it in UTC:
    /// that is what the entries correct).
    public static func compile(schedule: CronSchedule, zone: TimeZone, from: Date = Date()) -> UTCCompilation {
        let zone = schedule.timeZone ?? zone
        // The local fires, ignoring Vercel's always-UTC rule (its syntax is a subset of Vixie's).
        let version = schedule.pgCronVersion ?? .supabase
        let meant = schedule.dialect == .vercel ? ((try? CronSchedule.parse(schedule.expression, dialect: .vixie)) ?? schedule) : schedule
        let year = (from, from.addingTimeInterval(366 * 86_400))
        switch schedule.kind {
        case .reboot:
            return .unsupported("@reboot has no fire times")
        case .interval:
            return .exact([schedule.expression])  // pg_cron intervals do not depend on the zone
        case .calendar(let spec):
            let target = schedule.dialect == .qstash ? CronDialect.qstash : schedule.dialect
            let offsets = distinctOffsets(zone, from: year.0, to: year.1)
            if offsets == [0] {
                return .exact([spec.texts.joined(separator: " ")])
            }
            let local = meant.fires(from: year.0, to: year.1, in: zone, limit: 1_000_000)
            var seasons: [UTCSeason] = []
            for offset in offsets {
                let entries: [String]
                switch translate(spec, offsetSeconds: offset, dialect: target, pgCronVersion: version) {
                case .failure(let why): return .unsupported(why.reason)
                case .success(let e): entries = e
                }
                guard let utcFires = fires(of: entries, dialect: target, pgCronVersion: version, from: year.0, to: year.1) else {
                    return .unsupported("the UTC entries \(entries) do not parse in \(target.rawValue)")
                }
                let wrong = difference(local, utcFires)
                if offsets.count == 1 {
                    if wrong.isEmpty { return .exact(entries) }
                    return .unsupported("the UTC translation differs at \(wrong.count) fires, first \(Timestamp.rfc3339(wrong[0]))")
                }
                let sample = firstDate(in: zone, withOffset: offset, from: year.0, to: year.1) ?? year.0
                seasons.append(UTCSeason(label: zone.isDaylightSavingTime(for: sample) ? "daylight time" : "standard time",
                                         offsetSeconds: offset, entries: entries, wrongFires: wrong))
            }
            return .seasonal(seasons, moved: seasons.map(\.wrongFires.count).min() ?? 0)
        }
    }

    /// `+05:30`, `-06:00`.
    public static func offsetText(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let m = abs(seconds) / 60
        return "\(sign)\(m / 60 < 10 ? "0" : "")\(m / 60):\(m % 60 < 10 ? "0" : "")\(m % 60)"
    }

    // MARK: Offsets

    static func distinctOffsets(_ zone: TimeZone, from: Date, to: Date) -> [Int] {
        var offsets = [zone.secondsFromGMT(for: from)]
        var cursor = from
        while let t = zone.nextDaylightSavingTimeTransition(after: cursor), t < to {
            let o = zone.secondsFromGMT(for: t.addingTimeInterval(1))
            if !offsets.contains(o) { offsets.append(o) }
            cursor = t.addingTimeInterval(1)
        }
        return offsets.sorted()
    }

    private static func firstDate(in zone: TimeZone, withOffset offset: Int, from: Date, to: Date) -> Date? {
        if zone.secondsFromGMT(for: from) == offset { return from }
        var cursor = from
        while let t = zone.nextDaylightSavingTimeTransition(after: cursor), t < to {
            let probe = t.addingTimeInterval(1)
            if zone.secondsFromGMT(for: probe) == offset { return probe }
            cursor = probe
        }
        return nil
    }

    // MARK: Verification

    /// All fires of the entries in UTC, duplicates kept (two entries firing at one
    /// instant would fire the job twice). Nil when an entry does not parse.
    static func fires(of entries: [String], dialect: CronDialect, pgCronVersion: PgCronVersion = .supabase,
                      from: Date, to: Date) -> [Date]? {
        guard let utc = TimeZone(identifier: "UTC") else { return nil }
        var all: [Date] = []
        for entry in entries {
            guard let s = try? CronSchedule.parse(entry, dialect: dialect, pgCronVersion: pgCronVersion) else { return nil }
            all += s.fires(from: from, to: to, in: utc, limit: 1_000_000)
        }
        return all.sorted()
    }

    /// The symmetric difference of two sorted lists of fires (as multisets), sorted.
    static func difference(_ a: [Date], _ b: [Date]) -> [Date] {
        var i = 0, j = 0
        var out: [Date] = []
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) {
                out.append(a[i]); i += 1
            } else if i == a.count || b[j] < a[i] {
                out.append(b[j]); j += 1
            } else {
                i += 1; j += 1
            }
        }
        return out
    }

    // MARK: Translation at one fixed offset

    struct Refusal: Error { var reason: String }

    /// The entries equivalent to `spec` in a zone fixed at `offsetSeconds`, or why not; in the
    /// pg_cron dialect they use only what `pgCronVersion` accepts.
    static func translate(_ spec: CronSpec, offsetSeconds: Int, dialect: CronDialect,
                          pgCronVersion: PgCronVersion = .supabase) -> Result<[String], Refusal> {
        guard offsetSeconds % 60 == 0 else { return .failure(Refusal(reason: "the zone's offset is not whole minutes")) }
        let shift = -offsetSeconds / 60  // UTC minute = local minute + shift
        // Local times of day, moved to UTC, grouped by the day shift they cause.
        var byDay: [Int: [Int: UInt64]] = [:]  // day shift → UTC hour → minute bits
        for h in 0..<24 where spec.hours & (1 << UInt64(h)) != 0 {
            for m in 0..<60 where spec.minutes & (1 << UInt64(m)) != 0 {
                let u = h * 60 + m + shift
                let k = floorDiv(u, 1440)
                let r = u - k * 1440
                byDay[k, default: [:]][r / 60, default: 0] |= 1 << UInt64(r % 60)
            }
        }
        var entries: [String] = []
        for k in byDay.keys.sorted() {
            let days: (doms: [String], month: String, dow: String)
            switch shiftDays(spec, by: k, dialect: dialect, pgCronVersion: pgCronVersion) {
            case .failure(let refusal): return .failure(refusal)
            case .success(let d): days = d
            }
            // Hours that share one minute set become one entry.
            var groups: [UInt64: UInt64] = [:]  // minute bits → hour bits
            for (hour, minutes) in byDay[k] ?? [:] { groups[minutes, default: 0] |= 1 << UInt64(hour) }
            for dom in days.doms {
                for (minutes, hours) in groups.sorted(by: { $0.value.trailingZeroBitCount < $1.value.trailingZeroBitCount }) {
                    entries.append([fieldText(minutes, 0...59), fieldText(hours, 0...23), dom, days.month, days.dow]
                        .joined(separator: " "))
                }
            }
        }
        return .success(entries)
    }

    /// The day fields of `spec` for UTC days `k` days after the local day. There may be more
    /// than one day-of-month text (one entry each): pg_cron takes `$` only as the whole field.
    private static func shiftDays(_ spec: CronSpec, by k: Int, dialect: CronDialect,
                                  pgCronVersion: PgCronVersion) -> Result<(doms: [String], month: String, dow: String), Refusal> {
        let texts = spec.texts
        if k == 0 { return .success(([texts[2]], texts[3], texts[4])) }
        let allDays: UInt64 = (1 << 32) - 2          // bits 1…31
        let allMonths: UInt64 = (1 << 13) - 2        // bits 1…12
        let allWeekdays: UInt64 = (1 << 7) - 1       // bits 0…6
        let domFull = spec.daysOfMonth & allDays == allDays && !spec.lastDayOfMonth
        let dowFull = spec.daysOfWeek & allWeekdays == allWeekdays
        let monthsFull = spec.months & allMonths == allMonths
        let domWild = texts[2].hasPrefix("*"), dowWild = texts[4].hasPrefix("*")
        if spec.dayAnd && !domFull && !dowFull {
            return .failure(Refusal(reason: "both day fields are restricted while one is written with '*'"))
        }

        // Day of week: rotate.
        var dow: UInt64 = 0
        for w in 0..<7 where spec.daysOfWeek & (1 << UInt64(w)) != 0 { dow |= 1 << UInt64(((w + k) % 7 + 7) % 7) }
        let dowText = dowWild && dowFull ? texts[4] : fieldText(dow, 0...6)

        // Day of month: shift within the month; only the edges that stay expressible.
        var domTexts = [texts[2]]
        var monthText = texts[3]
        if domWild && domFull {
            // Every day: only the day-of-week (or nothing) restricts; months must not.
            if !monthsFull {
                return .failure(Refusal(reason: "the month field is restricted and the fires cross midnight, so they spill into the next or previous month"))
            }
        } else {
            var dom: UInt64 = 0
            var last = false
            for d in 1...31 where spec.daysOfMonth & (1 << UInt64(d)) != 0 {
                let nd = d + k
                if nd >= 1 && nd <= 28 {
                    dom |= 1 << UInt64(nd)
                } else if nd == 0, dialect == .pgCron, pgCronVersion >= .lastDayOfMonth, monthsFull {
                    last = true  // the day before the 1st is the last day of the previous month
                } else {
                    return .failure(Refusal(reason: "day-of-month \(d) moves across a month boundary in UTC"))
                }
            }
            if spec.lastDayOfMonth {
                guard k == 1, monthsFull else {
                    return .failure(Refusal(reason: "'$' (last day of the month) moves to a day cron cannot name"))
                }
                dom |= 1 << 1  // the day after the last is the 1st
            }
            domTexts = []
            if dom != 0 { domTexts.append(fieldText(dom, 1...31)) }
            if last { domTexts.append("$") }
            if domTexts.count > 1 {
                // Separate entries match the union of their days only when day-of-week adds none
                // and no day is in both (28 is the last day of a common-year February).
                guard dowWild && dowFull else {
                    return .failure(Refusal(reason: "pg_cron takes '$' (the last day of the month) only alone in its field, and with day-of-week restricted a separate '$' entry would fire twice on those weekdays"))
                }
                if dom & (1 << 28) != 0 {
                    return .failure(Refusal(reason: "pg_cron takes '$' (the last day of the month) only alone in its field, and separate entries for day 28 and '$' would fire twice on 28 February"))
                }
            }
            monthText = texts[3]
        }
        guard let domText = domTexts.first else {
            return .failure(Refusal(reason: "no day of the month is left after the shift"))
        }
        let newDayAnd = domText.hasPrefix("*") || dowText.hasPrefix("*")
        if newDayAnd != spec.dayAnd && !domFull && !dowFull {
            return .failure(Refusal(reason: "the day fields cannot keep cron's day-of-month/day-of-week rule after the shift"))
        }
        if dialect == .vercel, !domText.hasPrefix("*"), !dowText.hasPrefix("*") {
            return .failure(Refusal(reason: "Vercel refuses both day fields restricted"))
        }
        return .success((domTexts, monthText, dowText))
    }

    /// The shortest usual text for a set of values: `*`, `*/15`, `9-18`, `0,2-6`, `15-59/15`.
    static func fieldText(_ bits: UInt64, _ bounds: ClosedRange<Int>) -> String {
        let values = bounds.filter { bits & (1 << UInt64($0)) != 0 }
        if values.count == bounds.count { return "*" }
        if values.count >= 3 {
            let step = values[1] - values[0]
            if step > 1, zip(values, values.dropFirst()).allSatisfy({ $1 - $0 == step }) {
                if values[0] == bounds.lowerBound, values[values.count - 1] + step > bounds.upperBound { return "*/\(step)" }
                return "\(values[0])-\(values[values.count - 1])/\(step)"
            }
        }
        var parts: [String] = []
        var i = 0
        while i < values.count {
            var j = i
            while j + 1 < values.count, values[j + 1] == values[j] + 1 { j += 1 }
            parts.append(j - i >= 2 ? "\(values[i])-\(values[j])" : (i...j).map { String(values[$0]) }.joined(separator: ","))
            i = j + 1
        }
        return parts.joined(separator: ",")
    }
}
