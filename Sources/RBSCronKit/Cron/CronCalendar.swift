import Foundation

/// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01),
/// used instead of `Calendar` so that the search stays cheap and allocation-free.
enum CivilCalendar {
    /// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Civil date of a day number.
    static func civil(days z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// Day of week of a day number, 0 = Sunday.
    static func weekday(days: Int) -> Int {
        let w = (days + 4) % 7  // 1970-01-01 was a Thursday
        return w < 0 ? w + 7 : w
    }

    static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// Integer division rounding toward negative infinity.
@inline(__always)
func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// Thin wrapper over `TimeZone` that speaks whole seconds since the epoch.
struct ZoneClock {
    let zone: TimeZone

    init(_ zone: TimeZone) {
        self.zone = zone
    }

    @inline(__always)
    func offset(at instant: Int) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    /// The first offset change strictly after `instant`, in whole seconds.
    func nextTransition(after instant: Int) -> Int? {
        guard let d = zone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: TimeInterval(instant))) else {
            return nil
        }
        let t = Int(d.timeIntervalSince1970.rounded(.up))
        return t > instant ? t : instant + 1
    }

    /// The instant at which a wall-clock time fires under Debian cron's fixed-time rule:
    /// a wall time that exists once maps to that instant; one that exists twice (fall back)
    /// maps to the first occurrence; one skipped by a forward jump maps to the end of the jump.
    func fixedTimeInstant(wallSeconds l: Int) -> Int {
        let oa = offset(at: l - 86_400)
        let ob = offset(at: l + 86_400)
        // Candidate offsets: those on either side of any transition near this wall time.
        let candidates = [oa, ob, offset(at: l - oa), offset(at: l - ob)]
        var best: Int?
        for o in candidates {
            let t = l - o
            if offset(at: t) == o, best.map({ t < $0 }) ?? true { best = t }
            if oa == ob, best != nil { break }
        }
        if let best { return best }
        // In a gap: the wall time never happens; fire at the transition that skipped it.
        let earlier = l - max(oa, ob)
        return nextTransition(after: earlier) ?? (l - oa)
    }
}
