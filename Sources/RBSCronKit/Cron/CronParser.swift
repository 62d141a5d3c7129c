import Foundation

/// The five fields of a calendar schedule, as bit sets.
struct CronSpec: Hashable, Sendable {
    var minutes: UInt64 = 0       // bits 0…59
    var hours: UInt64 = 0         // bits 0…23
    var daysOfMonth: UInt64 = 0   // bits 1…31
    var months: UInt64 = 0        // bits 1…12
    var daysOfWeek: UInt64 = 0    // bits 0…6, Sunday = 0 (7 is folded onto 0)
    /// pg_cron `$`: the last day of the month.
    var lastDayOfMonth = false
    /// Vixie's day rule: when either day field's text starts with `*`, both must match.
    var dayAnd = false
    /// Minute or hour text starts with `*`: the job follows the wall clock through DST changes.
    var wildcardTime = false
    /// The five field texts after `@` shortcut expansion (for descriptions).
    var texts: [String] = []

    /// True when no calendar date can ever satisfy the day and month fields
    /// (e.g. `0 0 30 2 *`): day-of-month must match and no selected month is long enough.
    var neverMatchesCalendar: Bool {
        guard dayAnd, !lastDayOfMonth else { return false }
        let longest = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        for month in 1...12 where months & (1 << UInt64(month)) != 0 {
            for day in 1...longest[month] where daysOfMonth & (1 << UInt64(day)) != 0 {
                return false
            }
        }
        return true
    }
}

/// What an expression schedules.
enum CronKind: Hashable, Sendable {
    case calendar(CronSpec)
    /// `@reboot` (and pg_cron's alias `@restart`): accepted, never fires on a schedule.
    case reboot
    /// pg_cron `N seconds`.
    case interval(Int)
}

/// Parses one expression in one dialect. Every refusal names the field and the token.
struct CronParser {
    let expression: String
    let dialect: CronDialect
    /// What the pg_cron dialect accepts depends on it; other dialects ignore it.
    var pgCronVersion: PgCronVersion = .supabase

    static let shortcuts: [String: String] = [
        "yearly": "0 0 1 1 *",
        "annually": "0 0 1 1 *",
        "monthly": "0 0 1 * *",
        "weekly": "0 0 * * 0",
        "daily": "0 0 * * *",
        "midnight": "0 0 * * *",
        "hourly": "0 * * * *",
    ]

    private func fail(_ field: CronField?, _ token: String?, _ reason: String) -> CronError {
        CronError(expression: expression, field: field, token: token, reason: reason)
    }

    private static func words(_ s: Substring) -> [Substring] {
        s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
    }

    private static func isDigits<S: StringProtocol>(_ s: S) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// The longest number, leading zeros included, that the dialect's cron reads. Debian's and
    /// pg_cron's get_number keep up to MAX_TEMPSTR - 1 = 999 characters and read them with atoi.
    /// Vercel and QStash publish no limit; rbscron keeps to 6 characters there.
    private var maxNumberLength: Int {
        dialect == .vixie || dialect == .pgCron ? 999 : 6
    }

    /// The value of an all-digit `text`, leading zeros ignored, or nil above `limit`.
    private static func magnitude<S: StringProtocol>(_ text: S, limit: Int) -> Int? {
        let significant = text.drop(while: { $0 == "0" })
        if significant.isEmpty { return 0 }
        guard significant.count <= 10, let n = Int(significant), n <= limit else { return nil }
        return n
    }

    /// `text` for a message: whole when short, else its two ends around an ellipsis.
    private static func shortened<S: StringProtocol>(_ text: S) -> String {
        text.count <= 24 ? String(text) : "\(text.prefix(10))…\(text.suffix(10))"
    }

    /// Refusal of syntax that came with pg_cron `since`, when the project runs an older one.
    private func needsPgCron(_ since: PgCronVersion, _ field: CronField?, _ token: String, _ what: String, hint: String = "") throws(CronError) {
        guard dialect == .pgCron, pgCronVersion < since else { return }
        throw fail(field, token, "\(what) needs pg_cron \(since) or later; this project runs pg_cron \(pgCronVersion)\(hint)")
    }

    /// Why a number longer than `maxNumberLength` is refused.
    private func tooLongReason<S: StringProtocol>(_ text: S) -> String {
        let limit = dialect == .vixie || dialect == .pgCron
            ? "\(dialect.displayName) reads at most \(maxNumberLength)"
            : "rbscron takes at most \(maxNumberLength) for \(dialect.displayName); write it without leading zeros"
        return "is too long a number (\(text.count) characters; \(limit))"
    }

    func parse() throws(CronError) -> (kind: CronKind, timeZone: TimeZone?) {
        var body = Substring(expression)
        while let c = body.first, c.isWhitespace { body.removeFirst() }
        while let c = body.last, c.isWhitespace { body.removeLast() }
        if body.isEmpty { throw fail(nil, nil, "the expression is empty") }

        var zone: TimeZone?
        if body.uppercased().hasPrefix("CRON_TZ=") || body.uppercased().hasPrefix("TZ=") {
            let all = Self.words(body)
            let prefix = String(all[0])
            guard dialect == .qstash else {
                throw fail(nil, prefix, "the '\(prefix)' prefix is only understood by QStash; use the qstash dialect or give the time zone separately")
            }
            guard prefix.hasPrefix("CRON_TZ=") else {
                throw fail(nil, prefix, "QStash takes the time zone as 'CRON_TZ=Zone', not '\(prefix)'")
            }
            let name = String(prefix.dropFirst("CRON_TZ=".count))
            if name.isEmpty { throw fail(nil, prefix, "'CRON_TZ=' names no time zone") }
            guard name.utf8.allSatisfy({ $0 > 32 && $0 < 127 }), let tz = TimeZone(identifier: name) else {
                throw fail(nil, name, "unknown time zone '\(name)' in CRON_TZ; use an IANA name such as 'Europe/Berlin'")
            }
            zone = tz
            body = body.dropFirst(all[0].count)
            while let c = body.first, c.isWhitespace { body.removeFirst() }
        }

        var fields = Self.words(body)
        // pg_cron lower-cases its copy of the text before reading `N second[s]` (TryParseInterval).
        let isInterval = fields.count == 2 && ["seconds", "second"].contains(fields[1].lowercased())
        // pg_cron's entry.c refuses a schedule of MAX_FILE_BUFFER_LENGTH (1000) bytes or more;
        // only its `N seconds` reader has no such limit.
        if dialect == .pgCron, !isInterval, expression.utf8.count >= 1000 {
            throw fail(nil, nil, "pg_cron refuses a schedule of 1000 bytes or more; this one has \(expression.utf8.count)")
        }

        if let first = fields.first, first.hasPrefix("@") {
            let word = String(first)
            let key = String(first.dropFirst())
            guard dialect == .vixie || dialect == .pgCron else {
                let hint = Self.shortcuts[key.lowercased()].map { "; write the five fields instead, e.g. '\($0)'" } ?? ""
                throw fail(nil, word, "'@' shortcuts such as '\(word)' are not accepted by \(dialect.displayName)\(hint)")
            }
            if fields.count > 1 {
                throw fail(nil, String(fields[1]), "nothing may follow '\(word)', found '\(fields[1])'")
            }
            // pg_cron reads `@restart` as `@reboot` (entry.c, since pg_cron 1.3.0); Vixie cron does not.
            let rebootWords = dialect == .pgCron ? ["reboot", "restart"] : ["reboot"]
            if rebootWords.contains(key) {
                if key == "restart" {
                    try needsPgCron(.restartAlias, nil, word, "'\(word)'", hint: "; write '@reboot'")
                }
                return (.reboot, zone)
            }
            guard let expansion = Self.shortcuts[key] else {
                if rebootWords.contains(key.lowercased()) || Self.shortcuts[key.lowercased()] != nil {
                    throw fail(nil, word, "shortcut '\(word)' must be written in lower case ('@\(key.lowercased())'), as cron reads it")
                }
                let known = dialect == .pgCron ? "@hourly, @reboot or @restart" : "@hourly or @reboot"
                var reason = "unknown shortcut '\(word)' (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight, \(known))"
                if key.lowercased() == "restart" {
                    reason += "; '@restart' is pg_cron's name for '@reboot', which \(dialect.displayName) spells '@reboot'"
                }
                throw fail(nil, word, reason)
            }
            fields = Self.words(Substring(expansion))
            return (.calendar(try parseFields(fields.map(String.init))), zone)
        }

        if isInterval {
            let text = "\(fields[0]) \(fields[1])"
            guard dialect == .pgCron else {
                throw fail(nil, text, "'\(text)' intervals are only understood by pg_cron")
            }
            try needsPgCron(.secondsIntervals, nil, text, "'\(text)'")
            guard Self.isDigits(fields[0]), fields[0].count <= maxNumberLength,
                  let n = Self.magnitude(fields[0], limit: 59), n >= 1 else {
                throw fail(nil, text, "interval '\(text)' must be a whole number of seconds from 1 to 59")
            }
            return (.interval(n), zone)
        }

        guard fields.count == 5 else {
            var reason = "expected 5 fields (minute hour day-of-month month day-of-week), found \(fields.count)"
            if fields.count == 6 { reason += "; cron has no seconds or year field" }
            throw fail(nil, nil, reason)
        }
        if dialect == .qstash, zone == nil, fields.contains(where: { $0.uppercased().hasPrefix("CRON_TZ=") }) {
            throw fail(nil, nil, "'CRON_TZ=' must come first")
        }
        return (.calendar(try parseFields(fields.map(String.init))), zone)
    }

    private func parseFields(_ texts: [String]) throws(CronError) -> CronSpec {
        var spec = CronSpec()
        spec.texts = texts
        spec.minutes = try parseField(.minute, texts[0], spec: &spec)
        spec.hours = try parseField(.hour, texts[1], spec: &spec)
        spec.daysOfMonth = try parseField(.dayOfMonth, texts[2], spec: &spec)
        spec.months = try parseField(.month, texts[3], spec: &spec)
        var dow = try parseField(.dayOfWeek, texts[4], spec: &spec)
        if dow & (1 << 7) != 0 { dow = (dow | 1) & ~(1 << 7) }
        spec.daysOfWeek = dow
        spec.dayAnd = texts[2].hasPrefix("*") || texts[4].hasPrefix("*")
        spec.wildcardTime = texts[0].hasPrefix("*") || texts[1].hasPrefix("*")

        if dialect == .vercel {
            if !texts[2].hasPrefix("*") && !texts[4].hasPrefix("*") {
                throw fail(.dayOfWeek, texts[4], "Vercel does not accept both day-of-month ('\(texts[2])') and day-of-week ('\(texts[4])') restricted; set one of them to '*'")
            }
        }
        return spec
    }

    private func parseField(_ field: CronField, _ text: String, spec: inout CronSpec) throws(CronError) -> UInt64 {
        var bits: UInt64 = 0
        // pg_cron's entry.c reads `$` only when it is the whole day-of-month field.
        if field == .dayOfMonth, dialect == .pgCron, text != "$", text.contains("$") {
            throw fail(field, text, "pg_cron accepts '$' (the last day of the month) only alone in the day-of-month field, not in '\(text)'; give the other days a job of their own")
        }
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        for item in items {
            if item.isEmpty {
                throw fail(field, text, "empty item in list '\(text)'")
            }
            let token = String(item)
            if token == "$" {
                if field == .dayOfMonth && dialect == .pgCron {
                    try needsPgCron(.lastDayOfMonth, field, token, "'$' (the last day of the month)")
                    spec.lastDayOfMonth = true
                    continue
                }
                if field == .dayOfMonth {
                    throw fail(field, token, "'$' (last day of the month) is only understood by pg_cron")
                }
                throw fail(field, token, "'$' is only allowed in the day-of-month field (pg_cron)")
            }
            let parts = token.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            let base = parts[0]
            var step = 1
            var hasStep = false
            if parts.count == 2 {
                hasStep = true
                let stepText = parts[1]
                if stepText.isEmpty { throw fail(field, token, "missing step after '/' in '\(token)'") }
                guard Self.isDigits(stepText) else {
                    throw fail(field, token, "step '\(Self.shortened(stepText))' in '\(Self.shortened(token))' is not a number")
                }
                guard stepText.count <= maxNumberLength else {
                    throw fail(field, token, "step '\(Self.shortened(stepText))' in '\(Self.shortened(token))' \(tooLongReason(stepText))")
                }
                // Debian's atoi takes steps up to INT_MAX (larger ones wrap around there).
                guard let n = Self.magnitude(stepText, limit: Int(Int32.max)) else {
                    throw fail(field, token, "step '\(Self.shortened(stepText))' in '\(Self.shortened(token))' is too large")
                }
                if n == 0 { throw fail(field, token, "step 0 in '\(token)' must be at least 1") }
                step = n
            }
            if base.isEmpty { throw fail(field, token, "missing value before '/' in '\(token)'") }

            let bounds = field.bounds
            var low: Int
            var high: Int
            if base == "*" {
                low = bounds.lowerBound
                high = bounds.upperBound
            } else if base.contains("-") {
                let ends = base.split(separator: "-", omittingEmptySubsequences: false)
                guard ends.count == 2 else {
                    throw fail(field, token, "'\(token)' has more than one '-'")
                }
                if ends[0].isEmpty { throw fail(field, token, "missing start of range in '\(token)'") }
                if ends[1].isEmpty { throw fail(field, token, "missing end of range in '\(token)'") }
                low = try value(field, ends[0], in: token)
                high = try value(field, ends[1], in: token)
                if low > high {
                    throw fail(field, token, "range '\(base)' goes backwards (\(low) > \(high))")
                }
            } else {
                low = try value(field, base, in: token)
                high = low
                if hasStep {
                    if dialect == .pgCron {
                        throw fail(field, token, "pg_cron does not accept a step without a range ('\(token)'); write '\(base)-\(bounds.upperBound)/\(step)'")
                    }
                    high = bounds.upperBound  // `a/n` means a through the field's maximum
                }
            }
            // pg_cron 1.6.5 and later (entry.c get_range: `num3 > high`) refuse a step above the
            // field's maximum; an older pg_cron accepts it but drops the job after an upgrade.
            if hasStep, dialect == .pgCron, step > bounds.upperBound {
                throw fail(field, token, "step '\(Self.shortened(parts[1]))' in '\(Self.shortened(token))' is larger than the field's maximum (\(bounds.upperBound)), which pg_cron refuses from version 1.6.5 on; it selects only \(low), so write '\(low)'")
            }
            var v = low
            while v <= high {
                bits |= 1 << UInt64(v)
                v += step
            }
        }
        return bits
    }

    private func value(_ field: CronField, _ text: Substring, in token: String) throws(CronError) -> Int {
        let bounds = field.bounds
        let context = text == token ? "" : " in '\(Self.shortened(token))'"
        if Self.isDigits(text) {
            guard text.count <= maxNumberLength else {
                throw fail(field, token, "'\(Self.shortened(text))'\(context) \(tooLongReason(text))")
            }
            guard let n = Self.magnitude(text, limit: bounds.upperBound), bounds.contains(n) else {
                throw fail(field, token, "'\(Self.shortened(text))'\(context) is out of range (\(bounds.lowerBound)-\(bounds.upperBound))")
            }
            if field == .dayOfWeek, n == 7, dialect == .vercel {
                throw fail(field, token, "Vercel accepts day-of-week 0-6 only; write 0 for Sunday instead of 7 in '\(token)'")
            }
            return n
        }
        let names = field.names
        if !names.isEmpty {
            let upper = text.uppercased()
            if let index = names.firstIndex(of: upper) {
                if dialect == .vercel {
                    let range = field == .month ? "1-12" : "0-6"
                    throw fail(field, String(text), "names such as '\(text)' are not accepted by Vercel; use numbers (\(range))")
                }
                return field == .month ? index + 1 : index
            }
            let expected = field == .month ? "JAN-DEC or 1-12" : "SUN-SAT or 0-7"
            throw fail(field, String(text), "unknown name '\(Self.shortened(text))'\(context) (expected \(expected))")
        }
        if text.contains(where: { "LW#?".contains($0) }) {
            throw fail(field, token, "'\(token)' uses Quartz syntax (L, W, # or ?), which cron does not understand")
        }
        throw fail(field, token, "'\(Self.shortened(text))'\(context) is not a number")
    }
}
