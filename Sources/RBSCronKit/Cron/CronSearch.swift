import Foundation

/// How far ahead `next` looks before concluding that an expression never fires
/// (the same horizon cronsim uses). Any calendar-possible day pattern recurs well within it.
let cronSearchHorizonSeconds = 50 * 366 * 86_400

@inline(__always)
private func nextBit(_ mask: UInt64, from: Int) -> Int? {
    guard from >= 0, from < 64 else { return nil }
    let shifted = mask >> UInt64(from)
    return shifted == 0 ? nil : from + shifted.trailingZeroBitCount
}

@inline(__always)
private func ceilDiv(_ a: Int, _ b: Int) -> Int {
    -floorDiv(-a, b)
}

extension CronSpec {
    @inline(__always)
    func dayMatches(day: Int, dayNumber: Int, daysInMonth: Int) -> Bool {
        let domOK = daysOfMonth & (1 << UInt64(day)) != 0 || (lastDayOfMonth && day == daysInMonth)
        let dowOK = daysOfWeek & (1 << UInt64(CivilCalendar.weekday(days: dayNumber))) != 0
        return dayAnd ? (domOK && dowOK) : (domOK || dowOK)
    }

    /// The smallest wall-clock minute (minutes since 1970-01-01T00:00 local) at or after
    /// `start` that matches every field, or nil if there is none up to `limit`.
    /// Skips whole months, days and hours at a time.
    func nextWallMinute(from start: Int, limit: Int) -> Int? {
        guard start <= limit else { return nil }
        var dayNumber = floorDiv(start, 1440)
        var minuteOfDay = start - dayNumber * 1440
        var (year, month, day) = CivilCalendar.civil(days: dayNumber)
        guard let firstMonth = nextBit(months, from: 1),
              let firstMinute = nextBit(minutes, from: 0) else { return nil }

        func startOfNextMonth() {
            if month == 12 { year += 1; month = 1 } else { month += 1 }
            day = 1
            dayNumber = CivilCalendar.days(year: year, month: month, day: 1)
            minuteOfDay = 0
        }

        while dayNumber * 1440 <= limit {
            if months & (1 << UInt64(month)) == 0 {
                if let m = nextBit(months, from: month + 1), m <= 12 {
                    month = m
                } else {
                    year += 1
                    month = firstMonth
                }
                day = 1
                dayNumber = CivilCalendar.days(year: year, month: month, day: 1)
                minuteOfDay = 0
                continue
            }
            let dim = CivilCalendar.daysInMonth(year: year, month: month)
            if !dayMatches(day: day, dayNumber: dayNumber, daysInMonth: dim) {
                var d = day + 1
                while d <= dim && !dayMatches(day: d, dayNumber: dayNumber + (d - day), daysInMonth: dim) { d += 1 }
                if d <= dim {
                    dayNumber += d - day
                    day = d
                    minuteOfDay = 0
                } else {
                    startOfNextMonth()
                    continue
                }
            }
            let hour = minuteOfDay / 60
            if hours & (1 << UInt64(hour)) != 0, let m = nextBit(minutes, from: minuteOfDay % 60) {
                let result = dayNumber * 1440 + hour * 60 + m
                return result <= limit ? result : nil
            }
            if let h = nextBit(hours, from: hour + 1) {
                let result = dayNumber * 1440 + h * 60 + firstMinute
                return result <= limit ? result : nil
            }
            // Nothing left today.
            if day < dim {
                day += 1
                dayNumber += 1
                minuteOfDay = 0
            } else {
                startOfNextMonth()
            }
        }
        return nil
    }

    /// Next fire strictly after `after` (seconds since the epoch) in `clock`'s zone.
    func next(after: Double, clock: ZoneClock) -> Int? {
        wildcardTime ? nextFollowingWallClock(after: after, clock: clock)
            : nextFixedTime(after: after, clock: clock)
    }

    /// Wildcard jobs follow the wall clock: they fire at every real instant whose local
    /// time matches, so a skipped hour is skipped and a repeated hour fires twice.
    /// The timeline is cut at each offset change; within a piece local time is monotone.
    private func nextFollowingWallClock(after: Double, clock: ZoneClock) -> Int? {
        var t = Int(floor(after / 60)) * 60 + 60
        let end = t + cronSearchHorizonSeconds
        while t <= end {
            let offset = clock.offset(at: t)
            let transition = clock.nextTransition(after: t)
            let pieceEnd = min(transition ?? (end + 1), end + 1)  // exclusive
            let wallStart = ceilDiv(t + offset, 60)
            let wallLimit = ceilDiv(pieceEnd + offset, 60) - 1
            if let w = nextWallMinute(from: wallStart, limit: wallLimit) {
                return w * 60 - offset
            }
            guard let transition, transition <= end else { return nil }
            t = ceilDiv(transition, 60) * 60
        }
        return nil
    }

    /// Fixed-time jobs (Debian cron): each matching wall time fires once, at its first
    /// occurrence; a wall time skipped by a forward jump fires right after the jump.
    /// Those instants never decrease as the wall time grows, so the first one after
    /// `after` is found by walking matching wall times from just before `after`'s.
    private func nextFixedTime(after: Double, clock: ZoneClock) -> Int? {
        let base = Int(floor(after))
        let lowestOffset = min(clock.offset(at: base - 86_400), clock.offset(at: base), clock.offset(at: base + 86_400))
        var wall = floorDiv(base + lowestOffset, 60)
        let limit = wall + cronSearchHorizonSeconds / 60
        while let w = nextWallMinute(from: wall, limit: limit) {
            let instant = clock.fixedTimeInstant(wallSeconds: w * 60)
            if Double(instant) > after { return instant }
            wall = w + 1
        }
        return nil
    }
}
