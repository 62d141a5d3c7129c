import Foundation

/// How serious a finding of `schedule check` is.
public enum FindingSeverity: String, CaseIterable, Codable, Sendable, Comparable {
    /// The job will not run as declared (or breaks a hard limit of its layer).
    case error
    /// The job runs, but fragilely or not quite as meant.
    case warning
    /// Worth knowing; nothing is wrong yet.
    case info

    var rank: Int {
        switch self {
        case .error: return 0
        case .warning: return 1
        case .info: return 2
        }
    }

    public static func < (lhs: FindingSeverity, rhs: FindingSeverity) -> Bool { lhs.rank < rhs.rank }
}

/// One problem `schedule check` found.
public struct ScheduleFinding: Encodable, Sendable, Equatable {
    public var severity: FindingSeverity
    /// `APP/JOB`, or an app's slug for a finding about the whole app.
    public var job: String
    /// A stable identifier of the rule (`vercel.method-get`); see `ScheduleCheck.rules`.
    public var rule: String
    public var message: String
    /// What to do about it.
    public var fix: String

    public init(severity: FindingSeverity, job: String, rule: String, message: String, fix: String) {
        self.severity = severity
        self.job = job
        self.rule = rule
        self.message = message
        self.fix = fix
    }
}

/// The findings of `schedule check`, most severe first.
public struct ScheduleCheckReport: Encodable, Sendable, Equatable {
    public struct Counts: Encodable, Sendable, Equatable {
        public var error: Int
        public var warning: Int
        public var info: Int
    }

    public var findings: [ScheduleFinding]
    public var counts: Counts
    public var appsChecked: Int
    public var jobsChecked: Int
    /// The start of the window over which time-based rules (pg_cron concurrency) looked.
    public var from: Date

    /// True when any finding is an error (`--exit-code` then exits 2).
    public var hasErrors: Bool { counts.error > 0 }

    enum CodingKeys: String, CodingKey {
        case findings, counts, appsChecked = "apps_checked", jobsChecked = "jobs_checked", from
    }
}

/// The limits the rules check against, with the layers' documented values as defaults.
public struct ScheduleLimits: Sendable {
    /// The per-plan limits of Vercel and QStash (data, not code).
    public var layers = LayerLimits.standard
    /// How far ahead the QStash budget rules look, in days (a month: monthly jobs count).
    public var budgetWindowDays = ScheduleBudget.checkWindowDays
    /// Supabase pg_cron: jobs running at the same time.
    public var pgCronConcurrentJobs = 8
    /// Supabase pg_cron: longest run of one job, in milliseconds.
    public var pgCronMaxRuntimeMs = 600_000
    /// How far ahead the pg_cron concurrency rule looks, in days.
    public var concurrencyWindowDays = 7
    /// Supabase pauses a free project after this many days without activity.
    public var supabasePauseDays = 7

    public init() {}
}

/// Every job against its layer's rules and limits (`schedule check`).
///
/// Findings are derived from the inventory only: apps, platforms, plans, layers, schedules,
/// zones, methods, timeouts and fan-out links. Rule identifiers are stable; `rules` lists them.
public enum ScheduleCheck {
    /// The rule identifiers and what each checks.
    public static let rules: [(id: String, summary: String)] = [
        ("schedule.missing", "a job on a scheduled layer has no schedule"),
        ("schedule.invalid", "the schedule does not parse in its layer's dialect"),
        ("schedule.never-fires", "the schedule can never fire (e.g. 30 February)"),
        ("schedule.timezone", "the job's time zone is not an IANA zone"),
        ("vercel.job-limit", "more Vercel crons (disabled ones included) than a project allows (100)"),
        ("vercel.plan-unknown", "a cron that breaks Hobby limits on a project of unknown plan"),
    ] + VercelPlan.allCases.flatMap { plan in [
        ("vercel.\(plan.rawValue)-frequency", "a \(plan.rawValue.capitalized) project's cron fires more often than its plan allows (Hobby: once a day)"),
        ("vercel.\(plan.rawValue)-precision", "a \(plan.rawValue.capitalized) project's cron fires anywhere within its plan's precision (Hobby: the hour)"),
    ] } + [
        ("vercel.method-get", "crons mode: Vercel Cron calls with GET; the job is declared with another method"),
        ("vercel.timezone", "crons mode: Vercel Cron fires in UTC; the job is meant in another zone"),
        ("vercel.schedules-method", "schedules mode: Vercel Schedules calls a path with GET or POST only"),
        ("vercel.schedules-timezone", "schedules mode: a time zone name longer than Vercel Schedules accepts"),
        ("vercel.jitter", "a jitter outside 1–15 minutes, or set on an app in crons mode, which has none"),
        ("vercel.unobserved", "an app's Vercel fires are unobserved: no vercel_project is recorded to read them from"),
        ("qstash.resolution", "QStash has one-minute resolution and five fields only"),
        ("qstash.timezone", "QStash fires in UTC unless CRON_TZ= is given; the job is meant in another zone"),
        ("qstash.plan-unknown", "an app with QStash schedules whose QStash plan is not recorded"),
        ("qstash.schedule-limit", "more active QStash schedules than the app's plan allows"),
        ("qstash.daily-messages", "more QStash messages a day (fires × (1 + retries)) than the app's plan allows"),
        ("pg_cron.no-supabase", "a pg_cron job on an app with no Supabase project"),
        ("pg_cron.concurrency", "more than 8 pg_cron jobs of one project running at once"),
        ("pg_cron.timeout", "a pg_cron job allowed to run longer than 10 minutes"),
        ("pg_cron.timezone", "pg_cron fires in cron.timezone (GMT on Supabase); the job is meant in another zone"),
        ("pg_cron.http-only", "an app's HTTP jobs are fired only by pg_cron through pg_net"),
        ("supabase.keep-alive", "a Supabase project with no pg_cron activity at least weekly"),
        ("fanout.cross-app", "a fan-out child whose parent is another app's job: a single point of failure"),
        ("fanout.parent-disabled", "a fan-out child whose parent is disabled or unscheduled never runs"),
        ("manual.unscheduled", "a cron endpoint that nothing schedules"),
    ]

    /// Checks `inventory` (or one app of it) at `now`.
    public static func run(_ inventory: Inventory, app: String? = nil, now: Date,
                           limits: ScheduleLimits = ScheduleLimits()) -> ScheduleCheckReport {
        var findings: [ScheduleFinding] = []
        func add(_ severity: FindingSeverity, _ job: String, _ rule: String, _ message: String, _ fix: String) {
            findings.append(ScheduleFinding(severity: severity, job: job, rule: rule, message: message, fix: fix))
        }
        let apps = inventory.apps.filter { app == nil || $0.name == app }
        let jobs = inventory.jobs.filter { app == nil || $0.app == app }

        for job in jobs where job.enabled {
            checkJob(job, in: inventory, now: now, limits: limits, add: add)
        }
        for a in apps {
            let all = inventory.jobs(ofApp: a.name)
            checkApp(a, jobs: all.filter(\.enabled), declared: all, now: now, limits: limits, add: add)
        }
        findings.sort { ($0.severity, $0.job, $0.rule, $0.message) < ($1.severity, $1.job, $1.rule, $1.message) }
        let counts = ScheduleCheckReport.Counts(
            error: findings.filter { $0.severity == .error }.count,
            warning: findings.filter { $0.severity == .warning }.count,
            info: findings.filter { $0.severity == .info }.count)
        return ScheduleCheckReport(findings: findings, counts: counts, appsChecked: apps.count,
                                   jobsChecked: jobs.count, from: now)
    }

    // MARK: Per job

    private static func checkJob(_ job: Job, in inventory: Inventory, now: Date, limits: ScheduleLimits,
                                 add: (FindingSeverity, String, String, String, String) -> Void) {
        let name = job.ref.description
        let owner = inventory.app(named: job.app)
        let zone = TimeZone(identifier: job.timezone)
        if zone == nil {
            add(.error, name, "schedule.timezone", "'\(job.timezone)' is not an IANA time zone.",
                "Set `timezone:` to an IANA name such as UTC or America/Mexico_City.")
        }

        if job.layer.isScheduled {
            guard let text = job.schedule else {
                add(.error, name, "schedule.missing", "a \(job.layer.rawValue) job with no schedule never fires.",
                    "Add `schedule:` in \(job.layer.dialect.rawValue) syntax, or set `layer: manual`.")
                return
            }
            let schedule: CronSchedule
            do {
                schedule = try CronSchedule.parse(text, dialect: job.layer.dialect, pgCronVersion: owner?.pgCronVersion ?? .supabase)
            } catch {
                if job.layer == .qstash, (try? CronSchedule.parse(text, dialect: .pgCron)) != nil {
                    add(.error, name, "qstash.resolution",
                        "QStash does not accept '\(text)': it fires at most once a minute, on five cron fields (\(error.reason)).",
                        "Write five fields with minute resolution (e.g. '* * * * *'); for sub-minute work loop inside the endpoint or use pg_cron.")
                } else {
                    add(.error, name, "schedule.invalid", "\(error.localizedDescription)",
                        "Rewrite the schedule in \(job.layer.dialect.rawValue) syntax; try it with `rbscron schedule next '…' --dialect \(job.layer.dialect.rawValue)`.")
                }
                return
            }
            if schedule.neverMatches {
                add(.warning, name, "schedule.never-fires", "'\(text)' matches no date, so the job never fires.",
                    "Correct the day-of-month and month fields.")
            }
            switch job.layer {
            case .vercel: checkVercel(job, schedule: schedule, app: owner, now: now, limits: limits.layers, add: add)
            case .qstash: checkQStash(job, schedule: schedule, add: add)
            case .pgCron: checkPgCron(job, schedule: schedule, app: owner, now: now, add: add)
            case .manual, .fanout: break
            }
        }

        if job.layer == .fanout, let parentRef = job.triggeredBy {
            checkFanout(job, parentRef: parentRef, in: inventory, limits: limits.layers, add: add)
        }

        if job.layer == .manual, let path = job.path, path.hasPrefix("/api/cron/") {
            // Scheduled elsewhere under another name (same app, same path)?
            let scheduledTwin = inventory.jobs(ofApp: job.app).contains {
                $0.name != job.name && $0.path == path && $0.enabled
                    && ($0.layer.isScheduled || $0.layer == .fanout)
            }
            if !scheduledTwin {
                add(.warning, name, "manual.unscheduled",
                    "\(path) is a cron endpoint, but no layer schedules it and no job fans out to it: it runs only when someone fires it.",
                    "Give it a schedule (layer vercel, qstash or pg_cron), or fire it from a CI schedule with `rbscron trigger \(name)`.")
            }
        }
    }

    private static func checkVercel(_ job: Job, schedule: CronSchedule, app: App?, now: Date, limits: LayerLimits,
                                    add: (FindingSeverity, String, String, String, String) -> Void) {
        let name = job.ref.description
        let text = job.schedule ?? ""
        let schedulesLimits = limits.vercelSchedules
        switch app?.vercelMode ?? .crons {
        case .crons:
            if job.method != .GET {
                add(.error, name, "vercel.method-get",
                    "declared \(job.method.rawValue) \(job.path ?? ""), but Vercel Cron always calls with GET: a handler that only accepts \(job.method.rawValue) answers 405 and the job never runs.",
                    "Export a GET handler for \(job.path ?? "the path") and set `method: GET`; or move \(job.app) to Vercel Schedules (`rbscron schedule migrate --layer vercel --app \(job.app)`), which calls with the job's method; or move the job to QStash, which can POST.")
            }
            if !isUTC(job.timezone) {
                add(.error, name, "vercel.timezone",
                    "meant in \(job.timezone), but Vercel Cron evaluates '\(text)' in UTC.",
                    utcFix(job: job, schedule: schedule, now: now, layerHint: "Vercel Cron has no time-zone setting")
                        + " Or move \(job.app) to Vercel Schedules (`rbscron schedule migrate --layer vercel --app \(job.app)`), which fires in the job's zone.")
            }
            if let jitter = job.jitter {
                add(.warning, name, "vercel.jitter",
                    "jitter \(jitter) is a Vercel Schedules setting, but \(job.app) uses Vercel Cron (crons mode), which has none: it is not written.",
                    "Move \(job.app) to Vercel Schedules (`vercel_mode: schedules`, see `rbscron schedule migrate --layer vercel --app \(job.app)`), or remove `jitter:`.")
            }
        case .schedules:
            if !schedulesLimits.requestMethods.contains(job.method) {
                let allowed = schedulesLimits.requestMethods.map(\.rawValue).joined(separator: " or ")
                add(.error, name, "vercel.schedules-method",
                    "declared \(job.method.rawValue) \(job.path ?? ""), but a Vercel Schedules path target is called with \(allowed) only.",
                    "Accept \(allowed) at \(job.path ?? "the path") and set `method:` accordingly, or move the job to QStash.")
            }
            if job.timezone.count > schedulesLimits.maxTimezoneLength {
                add(.error, name, "vercel.schedules-timezone",
                    "the zone name '\(job.timezone)' is longer than the \(schedulesLimits.maxTimezoneLength) characters a Vercel Schedules `timezone` holds.",
                    "Use an equivalent, shorter IANA name for the zone.")
            }
            if let jitter = job.jitter, !schedulesLimits.jitterMinutes.contains(jitter) {
                add(.error, name, "vercel.jitter",
                    "jitter \(jitter) is outside the \(schedulesLimits.jitterMinutes.lowerBound)–\(schedulesLimits.jitterMinutes.upperBound) minutes Vercel Schedules accepts: the deployment is refused.",
                    "Set `jitter:` from \(schedulesLimits.jitterMinutes.lowerBound) to \(schedulesLimits.jitterMinutes.upperBound), or remove it.")
            }
        }
        let interval = schedule.minimumIntervalSeconds
        let hobby = limits.vercel[.hobby] ?? limits.vercelAnyPlan
        guard let plan = app?.vercelPlan else {
            if let interval, interval < hobby.minimumIntervalSeconds {
                add(.info, name, "vercel.plan-unknown",
                    "'\(text)' fires more often than \(everyText(hobby.minimumIntervalSeconds)), which a Hobby project does not allow; the app's Vercel plan is not recorded.",
                    "Record `vercel_plan: pro` (or hobby) for \(job.app) in the manifest.")
            }
            return
        }
        let planLimits = limits.vercel(plan)
        if let interval, interval < planLimits.minimumIntervalSeconds {
            add(.error, name, "vercel.\(plan.rawValue)-frequency",
                "'\(text)' fires more often than \(everyText(planLimits.minimumIntervalSeconds)); a \(plan.rawValue.capitalized) project's cron fires at most \(everyText(planLimits.minimumIntervalSeconds)) (deployment fails).",
                "Fire it at most \(everyText(planLimits.minimumIntervalSeconds)), move it to QStash, or upgrade the project's plan.")
        } else if planLimits.precisionSeconds > 60 {
            add(.info, name, "vercel.\(plan.rawValue)-precision",
                "on \(plan.rawValue.capitalized), Vercel fires '\(text)' at some moment within \(withinText(planLimits.precisionSeconds)) of the scheduled time, not at the exact minute.",
                "If the exact minute matters, upgrade the plan or use QStash.")
        }
    }

    /// "once a day", "once an hour", "once every 5 minutes".
    static func everyText(_ seconds: Int) -> String {
        switch seconds {
        case 86_400: return "once a day"
        case 3_600: return "once an hour"
        case 60: return "once a minute"
        default:
            if seconds % 86_400 == 0 { return "once every \(seconds / 86_400) days" }
            if seconds % 3_600 == 0 { return "once every \(seconds / 3_600) hours" }
            if seconds % 60 == 0 { return "once every \(seconds / 60) minutes" }
            return "once every \(seconds) seconds"
        }
    }

    /// "its hour", "5 minutes".
    static func withinText(_ seconds: Int) -> String {
        seconds == 3_600 ? "its hour" : seconds % 60 == 0 ? "\(seconds / 60) minutes" : "\(seconds) seconds"
    }

    private static func checkQStash(_ job: Job, schedule: CronSchedule,
                                    add: (FindingSeverity, String, String, String, String) -> Void) {
        if !isUTC(job.timezone), schedule.timeZone == nil {
            let text = job.schedule ?? ""
            add(.error, job.ref.description, "qstash.timezone",
                "meant in \(job.timezone), but QStash evaluates '\(text)' in UTC without a CRON_TZ= prefix.",
                "Write the schedule as 'CRON_TZ=\(job.timezone) \(text)'.")
        }
    }

    private static func checkPgCron(_ job: Job, schedule: CronSchedule, app: App?, now: Date,
                                    add: (FindingSeverity, String, String, String, String) -> Void) {
        let name = job.ref.description
        if app?.supabase == nil {
            add(.error, name, "pg_cron.no-supabase",
                "\(job.app) has no Supabase project, so there is no pg_cron to run this job.",
                "Declare the app's `supabase:` project, or move the job to vercel or qstash.")
        }
        if job.timeoutMs > 600_000 {
            add(.error, name, "pg_cron.timeout",
                "timeout \(DurationText.format(milliseconds: job.timeoutMs)) is longer than the 10 minutes a Supabase pg_cron job may run.",
                "Split the work or make it resumable, and set `timeout:` to 10m or less; long work belongs behind an HTTP endpoint called by QStash.")
        }
        if !isUTC(job.timezone), schedule.intervalSeconds == nil {
            var fix = utcFix(job: job, schedule: schedule, now: now, layerHint: "cron.timezone cannot be changed per job")
            if app?.vercelMode == .schedules, let path = job.path {
                fix += " Or move it to \(job.app)'s Vercel Schedules, which fire it in \(job.timezone) with \(job.method.rawValue) \(path): "
                    + "`rbscron schedule migrate --layer vercel --app \(job.app) --move \(job.name)`."
            }
            add(.error, name, "pg_cron.timezone",
                "meant in \(job.timezone), but pg_cron evaluates '\(job.schedule ?? "")' in cron.timezone, which is GMT on Supabase.",
                fix)
        }
    }

    private static func checkFanout(_ job: Job, parentRef: JobRef, in inventory: Inventory, limits: LayerLimits,
                                    add: (FindingSeverity, String, String, String, String) -> Void) {
        let name = job.ref.description
        guard let parent = inventory.job(parentRef) else { return }  // the validator refuses this
        let root = ScheduleReports.scheduledRoot(of: job, in: inventory)
        var chainEnabled = true
        var cursor = job
        var seen: Set<JobRef> = [job.ref]
        while let p = cursor.triggeredBy.flatMap(inventory.job), seen.insert(p.ref).inserted {
            if !p.enabled { chainEnabled = false }
            cursor = p
        }
        if !chainEnabled || !root.layer.isScheduled {
            let why = !chainEnabled ? "is disabled" : "is a \(root.layer.rawValue) job with no schedule"
            add(.warning, name, "fanout.parent-disabled",
                "it runs only when \(parentRef) runs, and \(chainEnabled ? root.ref.description : parentRef.description) \(why).",
                "Enable or schedule \(chainEnabled ? root.ref.description : parentRef.description), or give \(name) a schedule of its own.")
        }
        if parent.app != job.app {
            let how = root.schedule.map { "\(root.layer.rawValue) '\($0)'" } ?? root.layer.rawValue
            let fallback = fallbackSchedule(for: root)
            let childApp = inventory.app(named: job.app)
            var fix = "Add a fallback cron of its own in \(job.app)'s vercel.json"
            if let path = job.path {
                if childApp?.vercelMode == .schedules {
                    fix += ": \"schedules\": {\"\(job.name)\": {\"schedule\": \"\(fallback)\", \"path\": \"\(path)\", \"requestMethod\": \"\(job.method == .POST ? "POST" : "GET")\"}}"
                } else {
                    fix += ": {\"path\": \"\(path)\", \"schedule\": \"\(fallback)\"} (Vercel calls it with GET)"
                }
            }
            let plan = childApp?.vercelPlan
            let hobbyInterval = (limits.vercel[.hobby] ?? limits.vercelAnyPlan).minimumIntervalSeconds
            let subDaily = ((try? CronSchedule.parse(fallback, dialect: .vercel))?.minimumIntervalSeconds ?? hobbyInterval) < hobbyInterval
            if subDaily, plan != .pro {
                fix += plan == .hobby
                    ? "; a Hobby project fires at most daily, so use a daily schedule such as '0 6 * * *' or upgrade to Pro"
                    : "; more than once a day needs the Pro plan (on Hobby use a daily schedule such as '0 6 * * *')"
            }
            fix += "; keep the endpoint idempotent so the parent and the fallback may both fire it."
            add(.warning, name, "fanout.cross-app",
                "\(job.app)'s job runs only when \(parentRef) (\(how)) calls it: an outage of \(parent.app) stops it.",
                fix)
        }
    }

    /// `UTC`, `Etc/UTC`, `GMT` and the like: no offset to correct.
    static func isUTC(_ name: String) -> Bool {
        TimeZone(identifier: name).map { ScheduleReports.zoneName($0) == "UTC" } ?? false
    }

    /// The parent's schedule, when Vercel accepts it as it is; else a daily fallback.
    private static func fallbackSchedule(for root: Job) -> String {
        if let text = root.schedule, isUTC(root.timezone), (try? CronSchedule.parse(text, dialect: .vercel)) != nil {
            return text
        }
        return "0 6 * * *"
    }

    /// The fix for a job meant in a local zone on a layer that fires in UTC.
    private static func utcFix(job: Job, schedule: CronSchedule, now: Date, layerHint: String) -> String {
        let text = job.schedule ?? ""
        guard let zone = TimeZone(identifier: job.timezone) else { return "Rewrite '\(text)' in UTC." }
        switch UTCCompiler.compile(schedule: schedule, zone: zone, from: now) {
        case .exact(let entries):
            let list = entries.map { "'\($0)'" }.joined(separator: " + ")
            let plural = entries.count == 1 ? "this UTC entry, which fires" : "these \(entries.count) UTC entries, which together fire"
            return "Replace it with \(plural) at exactly the same instants all year: \(list), and set `timezone: UTC` (\(layerHint))."
        case .seasonal(let seasons, let moved):
            let parts = seasons.map { s in
                "\(s.label) (UTC\(UTCCompiler.offsetText(s.offsetSeconds))): " + s.entries.map { "'\($0)'" }.joined(separator: " + ")
            }
            return "\(job.timezone) changes its UTC offset, so no fixed UTC schedule is exact all year "
                + "(one set moves \(moved) fires a year by an hour). Move the job to QStash with 'CRON_TZ=\(job.timezone) \(text)', "
                + "or keep two seasonal entry sets and swap them at each change: " + parts.joined(separator: "; ") + "."
        case .unsupported(let reason):
            return "Rewrite '\(text)' in UTC by hand (\(reason)), or move the job to QStash with 'CRON_TZ=\(job.timezone) \(text)'."
        }
    }

    // MARK: Per app

    private static func checkApp(_ app: App, jobs: [Job], declared: [Job], now: Date, limits: ScheduleLimits,
                                 add: (FindingSeverity, String, String, String, String) -> Void) {
        let vercelJobs = jobs.filter { $0.layer == .vercel }
        let vercelLimits = limits.layers.vercel(app.vercelPlan)
        let counted = vercelLimits.disabledCronsCount ? declared.filter { $0.layer == .vercel } : vercelJobs
        if counted.count > vercelLimits.cronsPerProject {
            let disabled = counted.count - vercelJobs.count
            let note = disabled > 0 ? " (\(disabled) disabled: Vercel counts disabled crons too)" : ""
            add(.error, app.name, "vercel.job-limit",
                "\(counted.count) Vercel \(app.vercelMode == .schedules ? "schedules" : "cron jobs")\(note); a Vercel project allows \(vercelLimits.cronsPerProject).",
                "Merge jobs behind a dispatcher endpoint (one cron fanning out), remove disabled ones from the manifest, or move some to QStash.")
        }

        let qstashJobs = jobs.filter { $0.layer == .qstash }
        if !qstashJobs.isEmpty {
            checkQStashBudget(app: app, jobs: qstashJobs, now: now, limits: limits, add: add)
        }

        if !vercelJobs.isEmpty, app.vercelProject == nil {
            add(.info, app.name, "vercel.unobserved",
                "\(app.name)'s \(vercelJobs.count == 1 ? "Vercel cron" : "\(vercelJobs.count) Vercel crons") cannot be observed: no `vercel_project` is recorded, so `stats --sync` cannot read the project's cron state or request log, and every fire shows as unobserved.",
                "Record `vercel_project:` (the project's id prj_… or its name) and, for a team's project, `vercel_team:` for \(app.name) in the manifest, and store a VERCEL_TOKEN: `rbscron secret set global VERCEL_TOKEN --from-env VERCEL_TOKEN`.")
        }

        let pgCron = jobs.filter { $0.layer == .pgCron }
        if app.supabase != nil, !pgCron.isEmpty {
            checkPgCronConcurrency(app: app, jobs: pgCron, now: now, limits: limits, add: add)
        }

        // HTTP jobs that only the database fires: if pg_net or the project is down, nothing else does.
        let httpByDB = pgCron.filter { $0.path != nil }
        if app.platform == .vercel, !httpByDB.isEmpty, vercelJobs.isEmpty {
            let names = httpByDB.map(\.name).joined(separator: ", ")
            add(.warning, app.name, "pg_cron.http-only",
                "\(app.name)'s HTTP jobs (\(names)) are fired only by pg_cron through pg_net; the app has no Vercel cron of its own, so a paused project or a missing pg_net secret stops them silently.",
                "Check that pg_net is installed and the job's secret is set in the database; add the endpoints to \(app.name)'s vercel.json as a backup, or watch them with `rbscron trigger --due` from CI.")
        }

        if app.supabase != nil {
            checkKeepAlive(app: app, jobs: pgCron, now: now, limits: limits, add: add)
        }
    }

    /// The app's QStash schedules and messages a day against its recorded plan (a fire is one message, each retry
    /// one more), over the next month.
    private static func checkQStashBudget(app: App, jobs: [Job], now: Date, limits: ScheduleLimits,
                                          add: (FindingSeverity, String, String, String, String) -> Void) {
        let (budget, _) = ScheduleBudget.forecast(app: app, layer: .qstash, jobs: jobs,
                                                  from: ScheduleBudget.startOfUTCDay(now), days: limits.budgetWindowDays,
                                                  limits: limits.layers)
        let peak = budget.peak
        let peakText = peak.map { "up to \(NumberText.grouped($0.messages ?? 0)) messages a day (\($0.date): \(NumberText.grouped($0.fires)) fires, each with its retries)" }
            ?? "no message in the next \(limits.budgetWindowDays) days"
        guard let plan = app.qstashPlan, let planLimits = limits.layers.qstash[plan] else {
            let free = limits.layers.qstash[.free]
            let freeText = free.map { f in
                "; the free plan allows " + [f.activeSchedules.map { "\($0) active schedules" }, f.messagesPerDay.map { "\(NumberText.grouped($0)) messages a day" }]
                    .compactMap { $0 }.joined(separator: " and ")
            } ?? ""
            let why = app.qstashPlan.map { "no limits are recorded for its QStash plan '\($0.rawValue)'" } ?? "its QStash plan is not recorded"
            add(.info, app.name, "qstash.plan-unknown",
                "\(app.name) registers \(jobs.count) QStash schedule\(jobs.count == 1 ? "" : "s") and needs \(peakText); \(why)\(freeText).",
                "Record `qstash_plan: free` (or payg, fixed) for \(app.name) in the manifest, so these are held to the plan's limits; `rbscron schedule timeline --budget --app \(app.name)` shows the forecast.")
            return
        }
        if let max = planLimits.activeSchedules, jobs.count > max {
            add(planLimits.schedulesHardLimit ? .error : .warning, app.name, "qstash.schedule-limit",
                "\(jobs.count) active QStash schedules; the \(plan.rawValue) plan allows \(max)"
                    + (planLimits.schedulesHardLimit ? ", so QStash refuses the rest." : " before each extra one is billed."),
                planLimits.schedulesHardLimit
                    ? "Merge schedules behind one dispatcher endpoint (one schedule fanning out), move some jobs to another layer, or record a larger plan (`qstash_plan: payg`)."
                    : "Merge schedules behind a dispatcher endpoint, or accept the extra cost.")
        }
        if let daily = planLimits.messagesPerDay, let peak, (peak.messages ?? 0) > daily {
            let over = budget.daysOverLimit
            add(.error, app.name, "qstash.daily-messages",
                "\(peakText), above the \(NumberText.grouped(daily)) a day of the \(plan.rawValue) plan on \(over.count) of the next \(limits.budgetWindowDays) days (first \(over.first?.date ?? peak.date)); QStash stops accepting messages for the rest of such a day.",
                "Fire less often, lower `retries:`, or record a larger plan (`qstash_plan: payg`).")
        }
    }

    /// Peak number of distinct pg_cron jobs running at once over the window, each run
    /// lasting up to its timeout (runs of one job never overlap: pg_cron waits for the last).
    private static func checkPgCronConcurrency(app: App, jobs: [Job], now: Date, limits: ScheduleLimits,
                                               add: (FindingSeverity, String, String, String, String) -> Void) {
        let peak = pgCronPeak(jobs: jobs, from: now, days: limits.concurrencyWindowDays, version: app.pgCronVersion)
        guard peak.jobs.count > limits.pgCronConcurrentJobs, let at = peak.at else { return }
        add(.error, app.name, "pg_cron.concurrency",
            "\(peak.jobs.count) pg_cron jobs run at once at \(Timestamp.rfc3339(at)) (\(peak.jobs.joined(separator: ", "))); Supabase runs at most \(limits.pgCronConcurrentJobs) at a time and the rest wait or fail.",
            "Stagger the schedules (different minutes), shorten the timeouts, or merge jobs into one.")
    }

    /// The first moment of the largest overlap of pg_cron runs in `[from, from + days)`.
    static func pgCronPeak(jobs: [Job], from: Date, days: Int, version: PgCronVersion = .supabase) -> (at: Date?, jobs: [String]) {
        let to = from.addingTimeInterval(TimeInterval(days) * 86_400)
        struct Event { var time: Double; var delta: Int; var job: String }
        var events: [Event] = []
        for job in jobs {
            guard let text = job.schedule, let zone = TimeZone(identifier: job.timezone),
                  let schedule = try? CronSchedule.parse(text, dialect: .pgCron, pgCronVersion: version) else { continue }
            let length = Double(job.timeoutMs) / 1000
            // Merge one job's overlapping runs into spans.
            var spans: [(Double, Double)] = []
            for t in schedule.fires(from: from.addingTimeInterval(-0.5), to: to, in: zone, limit: 1_000_000) where t < to {
                let s = t.timeIntervalSince1970
                if let last = spans.last, s < last.1 {
                    spans[spans.count - 1].1 = max(last.1, s + length)
                } else {
                    spans.append((s, s + length))
                }
            }
            for (s, e) in spans {
                events.append(Event(time: s, delta: 1, job: job.ref.description))
                events.append(Event(time: e, delta: -1, job: job.ref.description))
            }
        }
        // Half-open spans: an end at t comes before a start at t.
        events.sort { ($0.time, $0.delta) < ($1.time, $1.delta) }
        var running: [String: Int] = [:]
        var best: (at: Date?, jobs: [String]) = (nil, [])
        for event in events {
            running[event.job, default: 0] += event.delta
            if running[event.job] == 0 { running[event.job] = nil }
            if event.delta > 0, running.count > best.jobs.count {
                best = (Date(timeIntervalSince1970: event.time), running.keys.sorted())
            }
        }
        return best
    }

    private static func checkKeepAlive(app: App, jobs: [Job], now: Date, limits: ScheduleLimits,
                                       add: (FindingSeverity, String, String, String, String) -> Void) {
        // Longest gap between database activity over two months.
        let horizon = now.addingTimeInterval(62 * 86_400)
        var instants: [Date] = [now]
        for job in jobs {
            guard let text = job.schedule, let zone = TimeZone(identifier: job.timezone),
                  let schedule = try? CronSchedule.parse(text, dialect: .pgCron, pgCronVersion: app.pgCronVersion) else { continue }
            // At most one fire per hour is needed to measure day-long gaps.
            var cursor = now
            while let next = schedule.next(after: cursor, in: zone), next <= horizon {
                instants.append(next)
                cursor = max(next, next.addingTimeInterval(3600 - 1))
            }
        }
        instants.append(horizon)
        instants.sort()
        var longest: TimeInterval = 0
        for (a, b) in zip(instants, instants.dropFirst()) { longest = max(longest, b.timeIntervalSince(a)) }
        let limit = TimeInterval(limits.supabasePauseDays) * 86_400
        guard longest >= limit else { return }
        let detail = jobs.isEmpty ? "it has no pg_cron job at all" : "its pg_cron jobs leave a gap of \(Int(longest / 86_400)) days"
        add(.warning, app.name, "supabase.keep-alive",
            "\(app.name) has a Supabase project, and \(detail); a free project is paused after \(limits.supabasePauseDays) days without activity.",
            "Add a pg_cron keep-alive job to the project: a `keep_alive()` function returning 1, scheduled with cron.schedule('keep-alive-ping', '0 12 */3 * *', 'SELECT keep_alive()').")
    }
}
