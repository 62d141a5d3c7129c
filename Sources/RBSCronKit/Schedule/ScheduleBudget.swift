import Foundation

/// One UTC day of a layer's budget.
///
/// JSON: `date` (`YYYY-MM-DD`, UTC), `fires`, `messages` (QStash: each fire and each of its retries is a message;
/// null on the other layers, which neither bill nor retry per message).
public struct BudgetDay: Encodable, Sendable, Equatable {
    public var date: String
    public var fires: Int
    public var messages: Int?

    public init(date: String, fires: Int, messages: Int?) {
        self.date = date
        self.fires = fires
        self.messages = messages
    }

    enum CodingKeys: String, CodingKey { case date, fires, messages }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(date, forKey: .date)
        try c.encode(fires, forKey: .fires)
        try c.encode(messages, forKey: .messages)
    }
}

/// What one app asks of one layer, day by day (`schedule timeline --budget`).
///
/// JSON: `app`, `layer`, `plan` (the recorded plan, or null), `schedules` (enabled jobs on the layer),
/// `schedule_limit` (or null), `daily_limit` (QStash messages a day, or null), `days`, `peak` (the day with the most
/// messages, else fires), `days_over_limit`.
public struct LayerBudget: Encodable, Sendable, Equatable {
    public var app: String
    public var layer: Layer
    public var plan: String?
    public var schedules: Int
    public var scheduleLimit: Int?
    /// True when the plan refuses schedules beyond the limit (false: billed extra).
    public var scheduleLimitHard: Bool
    public var dailyLimit: Int?
    public var days: [BudgetDay]

    /// The busiest day: most messages (QStash), else most fires; the first of equals.
    public var peak: BudgetDay? {
        days.max { ($0.messages ?? $0.fires, $1.date) < ($1.messages ?? $1.fires, $0.date) }
    }

    /// Days whose messages exceed the daily limit.
    public var daysOverLimit: [BudgetDay] {
        guard let limit = dailyLimit else { return [] }
        return days.filter { ($0.messages ?? 0) > limit }
    }

    public var overSchedules: Bool { scheduleLimit.map { schedules > $0 } ?? false }

    enum CodingKeys: String, CodingKey {
        case app, layer, plan, schedules, scheduleLimit = "schedule_limit", dailyLimit = "daily_limit", days, peak,
             daysOverLimit = "days_over_limit"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(app, forKey: .app)
        try c.encode(layer, forKey: .layer)
        try c.encode(plan, forKey: .plan)
        try c.encode(schedules, forKey: .schedules)
        try c.encode(scheduleLimit, forKey: .scheduleLimit)
        try c.encode(dailyLimit, forKey: .dailyLimit)
        try c.encode(days, forKey: .days)
        try c.encode(peak, forKey: .peak)
        try c.encode(daysOverLimit.map(\.date), forKey: .daysOverLimit)
    }
}

/// `schedule timeline --budget`: every app's use of every layer, per UTC day, against its plan.
///
/// JSON: `from` (the first day's midnight, UTC), `to` (exclusive), `days`, `budgets`, `skipped`.
public struct BudgetReport: Encodable, Sendable, Equatable {
    public var from: Date
    public var to: Date
    public var days: Int
    public var budgets: [LayerBudget]
    public var skipped: [TimelineSkip]

    enum CodingKeys: String, CodingKey { case from, to, days, budgets, skipped }
}

/// Forecasts of what each app asks of its layers: fires per day, and on QStash messages per day (a fire is one
/// message, each retry one more), against the recorded plan's limits (``LayerLimits``).
public enum ScheduleBudget {
    /// The window `schedule check` forecasts over: a month, so monthly jobs are seen.
    public static let checkWindowDays = 31

    /// Midnight UTC of `date`'s day.
    public static func startOfUTCDay(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }

    /// The budgets of every app (or `app`) on every scheduled layer it uses, over `days` UTC days from `from`'s day.
    public static func report(_ inventory: Inventory, from: Date, days: Int, app: String? = nil,
                              limits: LayerLimits = .standard) -> BudgetReport {
        let start = startOfUTCDay(from)
        var budgets: [LayerBudget] = []
        var skipped: [TimelineSkip] = []
        for a in inventory.apps where app == nil || a.name == app {
            for layer in [Layer.vercel, .qstash, .pgCron] {
                let jobs = inventory.jobs.filter { $0.app == a.name && $0.layer == layer && $0.enabled }
                guard !jobs.isEmpty else { continue }
                var (budget, skips) = forecast(app: a, layer: layer, jobs: jobs, from: start, days: days, limits: limits)
                if layer == .vercel, limits.vercel(a.vercelPlan).disabledCronsCount {
                    // Vercel counts a disabled cron against the project's limit.
                    budget.schedules = inventory.jobs.filter { $0.app == a.name && $0.layer == .vercel }.count
                }
                budgets.append(budget)
                skipped += skips
            }
        }
        return BudgetReport(from: start, to: start.addingTimeInterval(TimeInterval(days) * 86_400), days: days,
                            budgets: budgets, skipped: skipped)
    }

    /// One app's budget on one layer: `jobs` are its enabled jobs there; `from` is a UTC midnight.
    public static func forecast(app: App, layer: Layer, jobs: [Job], from: Date, days: Int,
                                limits: LayerLimits = .standard) -> (LayerBudget, [TimelineSkip]) {
        var fires = Array(repeating: 0, count: days)
        var messages = Array(repeating: 0, count: days)
        var skipped: [TimelineSkip] = []
        let to = from.addingTimeInterval(TimeInterval(days) * 86_400)
        for job in jobs {
            let timing: JobFires?
            do {
                timing = try JobFires.of(job, app: app)
            } catch {
                skipped.append(TimelineSkip(job: job.ref.description, reason: error.localizedDescription))
                continue
            }
            guard let timing else {
                skipped.append(TimelineSkip(job: job.ref.description, reason: job.schedule == nil
                                            ? "no schedule" : "unknown time zone '\(job.timezone)'"))
                continue
            }
            // Fires in [from, to): fires are whole seconds, so half a second before `from` includes it.
            for date in timing.fires(from: from.addingTimeInterval(-0.5), to: to) where date < to {
                let day = Int(date.timeIntervalSince(from) / 86_400)
                guard (0..<days).contains(day) else { continue }
                fires[day] += 1
                messages[day] += 1 + max(job.retries, 0)
            }
        }
        let isQStash = layer == .qstash
        let dayList = (0..<days).map { i in
            BudgetDay(date: dayText(from.addingTimeInterval(TimeInterval(i) * 86_400)), fires: fires[i],
                      messages: isQStash ? messages[i] : nil)
        }
        var budget = LayerBudget(app: app.name, layer: layer, plan: nil, schedules: jobs.count, scheduleLimit: nil,
                                 scheduleLimitHard: false, dailyLimit: nil, days: dayList)
        switch layer {
        case .qstash:
            budget.plan = app.qstashPlan?.rawValue
            if let plan = app.qstashPlan, let planLimits = limits.qstash[plan] {
                budget.scheduleLimit = planLimits.activeSchedules
                budget.scheduleLimitHard = planLimits.schedulesHardLimit
                budget.dailyLimit = planLimits.messagesPerDay
            }
        case .vercel:
            budget.plan = app.vercelPlan?.rawValue
            let planLimits = limits.vercel(app.vercelPlan)
            budget.scheduleLimit = planLimits.cronsPerProject
            budget.scheduleLimitHard = true
        default:
            break
        }
        return (budget, skipped)
    }

    /// `YYYY-MM-DD` of a UTC date.
    static func dayText(_ date: Date) -> String {
        String(Timestamp.rfc3339(date).prefix(10))
    }
}
