import Foundation

/// What `schedule next` is asked: an expression in a dialect, or a job of the inventory.
public struct NextFiresRequest: Sendable {
    public enum Subject: Sendable {
        case expression(String, dialect: CronDialect)
        case job(JobRef)
    }

    public var subject: Subject
    /// Fires strictly after this.
    public var from: Date
    public var count: Int
    /// The zone asked for (`--tz`): the expression's zone, and the zone times are shown in.
    public var zone: TimeZone?

    public init(subject: Subject, from: Date, count: Int, zone: TimeZone? = nil) {
        self.subject = subject
        self.from = from
        self.count = count
        self.zone = zone
    }
}

/// `schedule next`'s report and what the operator should know about how to read it. Its JSON is the report's.
public struct NextFiresResult: Sendable, Encodable {
    public var report: NextFiresReport
    /// Sentences for stderr (a zone that does not apply, a layer that fires in UTC).
    public var warnings: [String]
    /// The zone to show local times in.
    public var displayZone: TimeZone

    public func encode(to encoder: any Encoder) throws { try report.encode(to: encoder) }
}

extension Workspace {
    /// `schedule next`.
    public func nextFires(_ request: NextFiresRequest) throws -> NextFiresResult {
        var warnings: [String] = []
        let utc = TimeZone(identifier: "UTC") ?? .current
        let report: NextFiresReport
        switch request.subject {
        case .job(let ref):
            let inventory = try inventory()
            let job = try inventory.resolve(ref)
            report = try ScheduleReports.next(job: job, in: inventory, from: request.from, count: request.count)
            let root = report.via.flatMap { JobRef($0) }.flatMap(inventory.job) ?? job
            let schedulesMode = root.layer == .vercel && inventory.app(named: root.app)?.vercelMode == .schedules
            if root.timezone != "UTC", root.layer == .pgCron || (root.layer == .vercel && !schedulesMode) {
                warnings.append("\(root.layer.rawValue) fires in UTC, not \(root.timezone): these are the intended times; "
                                + "`rbscron schedule check` shows the UTC entries that keep them")
            }
        case .expression(let text, let dialect):
            report = try ScheduleReports.next(expression: text, dialect: dialect, zone: request.zone ?? utc,
                                              from: request.from, count: request.count)
            if let asked = request.zone, report.timezone != ScheduleReports.zoneName(asked) {
                let why = report.dialect == .vercel ? "Vercel always uses UTC" : "its CRON_TZ= prefix"
                warnings.append("the expression fires in \(report.timezone) (\(why)); --tz \(ScheduleReports.zoneName(asked)) "
                                + "only changes how times are shown")
            }
        }
        return NextFiresResult(report: report, warnings: warnings,
                               displayZone: request.zone ?? TimeZone(identifier: report.timezone) ?? utc)
    }

    /// `schedule timeline`.
    public func timeline(_ request: TimelineRequest) throws -> TimelineReport {
        let inventory = try inventory()
        try InventoryFilter(app: request.app).validate(against: inventory)
        return ScheduleReports.timeline(inventory, request)
    }

    /// `schedule timeline --budget`: each app's fires (and QStash messages) per UTC day and layer, against its plans.
    public func budget(from: Date, days: Int, app: String?) throws -> BudgetReport {
        let inventory = try inventory()
        try InventoryFilter(app: app).validate(against: inventory)
        return ScheduleBudget.report(inventory, from: from, days: days, app: app)
    }

    /// `schedule check`; time-based rules (pg_cron concurrency, keep-alive gaps, QStash budgets) look ahead from `from`
    /// (now by default).
    public func scheduleCheck(app: String?, from: Date? = nil) throws -> ScheduleCheckReport {
        let inventory = try inventory()
        try InventoryFilter(app: app).validate(against: inventory)
        return ScheduleCheck.run(inventory, app: app, now: from ?? now)
    }
}
