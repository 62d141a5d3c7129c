import Foundation

/// The shape of one field's text, for describing it in words.
private enum FieldShape {
    case any
    case every(Int)
    case single(Int)
    case range(Int, Int)
    case rangeEvery(Int, Int, Int)
    case fromEvery(Int, Int)
    case list([Int])
}

private let monthNames = ["January", "February", "March", "April", "May", "June", "July",
                          "August", "September", "October", "November", "December"]
private let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

private func values(_ mask: UInt64, _ bounds: ClosedRange<Int>) -> [Int] {
    bounds.filter { mask & (1 << UInt64($0)) != 0 }
}

private func englishList(_ items: [String]) -> String {
    switch items.count {
    case 0: return ""
    case 1: return items[0]
    default: return items.dropLast().joined(separator: ", ") + " and " + (items.last ?? "")
    }
}

private func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

extension CronSpec {
    private func number(_ field: CronField, _ text: Substring) -> Int? {
        if let n = Int(text) { return n }
        guard let i = field.names.firstIndex(of: text.uppercased()) else { return nil }
        return field == .month ? i + 1 : i
    }

    private func shape(_ field: CronField, _ text: String, mask: UInt64) -> FieldShape {
        let fallback = FieldShape.list(values(mask, field == .dayOfWeek ? 0...6 : field.bounds))
        if text == "*" { return .any }
        if text.contains(",") {
            let items = text.split(separator: ",")
            if items.allSatisfy({ !$0.contains("-") && !$0.contains("/") && !$0.contains("*") }) {
                let nums = items.compactMap { number(field, $0) }
                if nums.count == items.count { return .list(Array(Set(nums)).sorted()) }
            }
            return fallback
        }
        let parts = text.split(separator: "/", maxSplits: 1)
        let step = parts.count == 2 ? Int(parts[1]) : nil
        let base = parts.first ?? ""
        let bounds = field.bounds
        if base == "*" {
            // A step past the field's span selects only its first value.
            if let step, step > bounds.upperBound - bounds.lowerBound { return .single(bounds.lowerBound) }
            if let step { return step == 1 ? .any : .every(step) }
            return .any
        }
        let ends = base.split(separator: "-")
        if ends.count == 2, let a = number(field, ends[0]), let b = number(field, ends[1]) {
            if let step, step > b - a { return .single(a) }
            if let step, step > 1 { return .rangeEvery(a, b, step) }
            return .range(a, b)
        }
        if ends.count == 1, let a = number(field, ends[0]) {
            if let step, step > bounds.upperBound - a { return .single(a) }
            if let step, step > 1 || a != bounds.lowerBound { return .fromEvery(a, step) }
            return .single(a)
        }
        return fallback
    }

    /// A plain-English sentence for the schedule.
    func englishDescription() -> String {
        guard texts.count == 5 else { return "" }
        let minute = shape(.minute, texts[0], mask: minutes)
        let hour = shape(.hour, texts[1], mask: hours)
        var parts: [String] = [timePhrase(minute, hour)]
        if let days = dayPhrase() { parts.append(days) }
        if let m = monthPhrase() { parts.append(m) }
        return parts.joined(separator: ", ")
    }

    private func timePhrase(_ minute: FieldShape, _ hour: FieldShape) -> String {
        // Exact clock times when there are only a few of them.
        let ms: [Int]?
        switch minute {
        case .single(let m): ms = [m]
        case .list(let l) where l.count <= 4: ms = l
        default: ms = nil
        }
        let hs: [Int]?
        switch hour {
        case .single(let h): hs = [h]
        case .list(let l) where l.count <= 6: hs = l
        default: hs = nil
        }
        if let ms, let hs, ms.count * hs.count <= 6 {
            let times = hs.flatMap { h in ms.map { "\(two(h)):\(two($0))" } }
            return "At " + englishList(times)
        }
        if case .single(0) = minute, case .any = hour { return "Every hour" }

        let minutePart: String
        switch minute {
        case .any: minutePart = "Every minute"
        case .every(let n): minutePart = "Every \(n) minutes"
        case .single(let m): minutePart = "At minute \(m)"
        case .range(let a, let b): minutePart = "Every minute from minute \(a) through \(b)"
        case .rangeEvery(let a, let b, let n): minutePart = "Every \(n) minutes from minute \(a) through \(b)"
        case .fromEvery(let a, let n): minutePart = "Every \(n) minutes from minute \(a)"
        case .list(let l): minutePart = "At minutes " + englishList(l.map(String.init))
        }
        let hourPart: String?
        switch hour {
        case .any:
            switch minute {
            case .single, .list: hourPart = "past every hour"
            default: hourPart = nil
            }
        case .every(let n): hourPart = "every \(n) hours"
        case .single(let h): hourPart = "between \(two(h)):00 and \(two(h)):59"
        case .range(let a, let b): hourPart = "between \(two(a)):00 and \(two(b)):59"
        case .rangeEvery(let a, let b, let n): hourPart = "every \(n) hours from \(two(a)):00 through \(two(b)):59"
        case .fromEvery(let a, let n): hourPart = "every \(n) hours from \(two(a)):00"
        case .list(let l): hourPart = "during hours " + englishList(l.map(two))
        }
        guard let hourPart else { return minutePart }
        if hourPart == "past every hour" { return minutePart + " " + hourPart }
        return minutePart + ", " + hourPart
    }

    private func domPhrase() -> String? {
        let text = texts[2]
        let s = shape(.dayOfMonth, text, mask: daysOfMonth)
        var phrase: String
        switch s {
        case .any: return lastDayOfMonth ? "on the last day of the month" : nil
        case .every(let n): phrase = "every \(n) days of the month"
        case .single(let d): phrase = "on day \(d) of the month"
        case .range(let a, let b): phrase = "on days \(a) through \(b) of the month"
        case .rangeEvery(let a, let b, let n): phrase = "every \(n) days from day \(a) through \(b) of the month"
        case .fromEvery(let a, let n): phrase = "every \(n) days of the month from day \(a)"
        case .list(let l):
            var items = l.map(String.init)
            if lastDayOfMonth { items.append("the last day") }
            if items.isEmpty { return nil }
            if items == ["the last day"] { return "on the last day of the month" }
            phrase = (items.count == 1 ? "on day " : "on days ") + englishList(items) + " of the month"
        }
        return phrase
    }

    private func dowPhrase() -> String? {
        let s = shape(.dayOfWeek, texts[4], mask: daysOfWeek)
        switch s {
        case .any: return nil
        case .single(let d): return "on \(dayNames[d])"
        case .range(let a, let b): return "\(dayNames[a]) through \(dayNames[b])"
        default:
            return "on " + englishList(values(daysOfWeek, 0...6).map { dayNames[$0] })
        }
    }

    private func dayPhrase() -> String? {
        let dom = domPhrase()
        let dow = dowPhrase()
        switch (dom, dow) {
        case (nil, nil): return nil
        case (let d?, nil): return d
        case (nil, let w?): return w
        case (let d?, let w?):
            if dayAnd {
                let names = englishList(values(daysOfWeek, 0...6).map { dayNames[$0] })
                return "\(d), but only on \(names)"
            }
            return "\(d), or \(w)"
        }
    }

    private func monthPhrase() -> String? {
        let s = shape(.month, texts[3], mask: months)
        switch s {
        case .any: return nil
        case .every(let n): return "every \(n) months"
        case .single(let m): return "in \(monthNames[m - 1])"
        case .range(let a, let b): return "\(monthNames[a - 1]) through \(monthNames[b - 1])"
        default: return "in " + englishList(values(months, 1...12).map { monthNames[$0 - 1] })
        }
    }

    /// Smallest gap between two fires, on the wall clock (DST ignored).
    func minimumIntervalSeconds() -> Int? {
        if neverMatchesCalendar { return nil }
        let times = values(hours, 0...23).flatMap { h in values(minutes, 0...59).map { h * 60 + $0 } }
        guard let first = times.first, let last = times.last else { return nil }
        // Every day of every month matches (most schedules): the gap across midnight is the only one between days,
        // so 30 years of days need no walk. `schedule check` asks this of every job.
        if matchesEveryDay {
            var best = (first + 1440 - last) * 60
            for i in times.indices.dropFirst() { best = min(best, (times[i] - times[i - 1]) * 60) }
            return best
        }
        return minimumIntervalSecondsOverDays()
    }

    /// True when the month and day fields let every calendar day through.
    var matchesEveryDay: Bool {
        let allMonths: UInt64 = 0b1_1111_1111_1110, allDaysOfMonth: UInt64 = 0xFFFF_FFFE, allWeekdays: UInt64 = 0b111_1111
        let everyDayOfMonth = daysOfMonth & allDaysOfMonth == allDaysOfMonth
        let everyWeekday = daysOfWeek & allWeekdays == allWeekdays
        return months & allMonths == allMonths && (dayAnd ? everyDayOfMonth && everyWeekday : everyDayOfMonth || everyWeekday)
    }

    /// The minimum interval found by walking the matching days of 30 years.
    func minimumIntervalSecondsOverDays() -> Int? {
        if neverMatchesCalendar { return nil }
        let times = values(hours, 0...23).flatMap { h in values(minutes, 0...59).map { h * 60 + $0 } }
        guard let first = times.first, let last = times.last else { return nil }
        // Matching days over 30 years from 2000 (covers leap-day patterns).
        let start = CivilCalendar.days(year: 2000, month: 1, day: 1)
        var matchingDays: [Int] = []
        var day = start
        while day < start + 30 * 366 {
            let (y, m, d) = CivilCalendar.civil(days: day)
            if months & (1 << UInt64(m)) != 0,
               dayMatches(day: d, dayNumber: day, daysInMonth: CivilCalendar.daysInMonth(year: y, month: m)) {
                matchingDays.append(day)
            }
            day += 1
        }
        var best = Int.max
        for i in times.indices.dropFirst() { best = min(best, (times[i] - times[i - 1]) * 60) }
        for i in matchingDays.indices.dropFirst() {
            let gapDays = matchingDays[i] - matchingDays[i - 1]
            best = min(best, ((gapDays - 1) * 1440 + (first + 1440 - last)) * 60)
        }
        return best == .max ? nil : best
    }
}

extension CronSchedule {
    /// A plain-English sentence, e.g. `*/15 9-18 * * 1-6` →
    /// "Every 15 minutes, between 09:00 and 18:59, Monday through Saturday".
    public var englishDescription: String {
        switch kind {
        case .reboot:
            return "At start-up only (@reboot); never on a schedule"
        case .interval(let n):
            return n == 1 ? "Every second" : "Every \(n) seconds"
        case .calendar(let spec):
            var s = spec.englishDescription()
            if let tz = timeZone { s += " (\(tz.identifier) time)" } else if dialect == .vercel { s += " (UTC)" }
            return s
        }
    }

    /// Best effort: the smallest gap in seconds between two consecutive fires, computed on
    /// the wall clock (DST shifts are ignored) over the times of day and 30 years of
    /// matching days. Below 86 400 means the job can fire more than once a day.
    /// nil for `@reboot` and for expressions that never match.
    public var minimumIntervalSeconds: Int? {
        switch kind {
        case .reboot: return nil
        case .interval(let n): return n
        case .calendar(let spec): return spec.minimumIntervalSeconds()
        }
    }
}
