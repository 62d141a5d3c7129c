import Foundation

/// The thresholds `alert check` applies where a job's own `alert:` says nothing.
public struct AlertPolicy: Sendable, Equatable {
    /// Consecutive failed runs that open a `job_failing` incident.
    public var failures: Int
    /// A `success_rate` incident opens below this rate over `window`; nil leaves the condition to jobs that set one.
    public var minSuccessRate: Double?
    /// How far back success rates and missed fires are judged.
    public var window: TimeInterval
    /// A success rate is judged only over at least this many runs with a known result.
    public var minRuns: Int
    /// The circuit breaker's threshold and cool-down, as `trigger` uses them.
    public var breakerThreshold: Int
    public var breakerCooldown: TimeInterval

    public init(failures: Int = 1, minSuccessRate: Double? = nil, window: TimeInterval = 86_400, minRuns: Int = 5,
                breakerThreshold: Int = BreakerDefaults.threshold, breakerCooldown: TimeInterval = BreakerDefaults.cooldown) {
        self.failures = failures
        self.minSuccessRate = minSuccessRate
        self.window = window
        self.minRuns = minRuns
        self.breakerThreshold = breakerThreshold
        self.breakerCooldown = breakerCooldown
    }
}

/// Everything a condition source may read, gathered once per check.
public struct AlertContext: Sendable {
    public let inventory: Inventory
    public let store: InventoryStore
    public let now: Date
    public let policy: AlertPolicy
    /// `stats` over `policy.window`: streaks, last failures, success rates, missed fires.
    public let stats: StatsReport
    /// Every excerpt of outside text passes it before it enters an incident.
    public let redactor: Redactor
    /// What `--refresh` read from the layers that can be compared remotely; nil when they were not read.
    public let layerPlans: [LayerPlan]?

    public init(inventory: Inventory, store: InventoryStore, now: Date, policy: AlertPolicy, stats: StatsReport,
                redactor: Redactor, layerPlans: [LayerPlan]?) {
        self.inventory = inventory
        self.store = store
        self.now = now
        self.policy = policy
        self.stats = stats
        self.redactor = redactor
        self.layerPlans = layerPlans
    }

    /// The jobs that can alert: enabled, of an active app, with their stats.
    var watchedJobs: [(job: Job, stats: JobStats)] {
        stats.jobs.compactMap { stats in
            guard let job = inventory.job(stats.ref), job.enabled, inventory.app(named: job.app)?.active == true else { return nil }
            return (job, stats)
        }
    }

    /// Outside text made fit for a message: redacted, on one line, at most `limit` characters.
    func excerpt(_ text: String?, limit: Int = 300) -> String? {
        guard let text, !text.isEmpty else { return nil }
        let line = redactor.remote(text, limit: limit).split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.trimmingCharacters(in: .whitespaces)
    }
}

/// What a source made of the evidence this time.
public enum AlertJudgement: Sendable, Equatable {
    /// The conditions of its kind that hold now (none: every incident of its kind is over).
    case judged([AlertCondition])
    /// It could not look this time (and says why): its open incidents stay open, none opens.
    case notJudged(String)
}

/// One kind of condition, judged from what the inventory knows. A new kind (an `audit` finding, say) is one more
/// type adopting this protocol, a case in ``AlertKind`` and an entry in ``AlertSources/standard``.
public protocol AlertConditionSource: Sendable {
    var kind: AlertKind { get }
    func judge(_ context: AlertContext) throws -> AlertJudgement
}

/// The sources `alert check` consults.
public enum AlertSources {
    /// Every condition of issue 20 whose evidence exists today. The audit command's findings (its `audit_probes`
    /// table) are not on this branch yet; their source joins this list when they are.
    public static let standard: [any AlertConditionSource] = [
        JobFailingSource(), SuccessRateSource(), MissedFireSource(), AppDownSource(), KeepaliveSource(), BreakerOpenSource(),
        DriftSource(), EndpointOpenSource(),
    ]
}

/// `job_failing`: the job's latest N runs failed (N = its `alert.failures`, else the policy's, default 1).
public struct JobFailingSource: AlertConditionSource {
    public var kind: AlertKind { .jobFailing }
    public init() {}

    public func judge(_ context: AlertContext) throws -> AlertJudgement {
        var conditions: [AlertCondition] = []
        for (job, stats) in context.watchedJobs {
            let threshold = job.alert?.failures ?? context.policy.failures
            guard threshold > 0, stats.failureStreak >= threshold else { continue }
            let runs = stats.failureStreak == 1 ? "failed its latest run" : "failed \(stats.failureStreak) runs in a row"
            conditions.append(AlertCondition(
                kind: kind, subject: job.ref.description, severity: .of(job), app: job.app, job: job.ref, layer: job.layer,
                summary: "\(job.ref) \(runs)", detail: Self.describe(stats.lastFailure, context),
                since: try context.store.failureStreakStart(job.ref), lookCloser: "rbscron stats --job \(job.ref)"))
        }
        return .judged(conditions)
    }

    /// `http_error: HTTP 500: {"error":"db down"}`; the status is added when the error does not say it already.
    static func describe(_ failure: RunFailure?, _ context: AlertContext) -> String? {
        guard let failure else { return nil }
        let error = context.excerpt(failure.error)
        var head = failure.outcome
        if let status = failure.httpStatus, !(error?.hasPrefix("HTTP \(status)") ?? false) { head += ", HTTP \(status)" }
        return error.map { "\(head): \($0)" } ?? head
    }
}

/// `success_rate`: over the window, the job succeeded in fewer of its runs than its threshold asks.
public struct SuccessRateSource: AlertConditionSource {
    public var kind: AlertKind { .successRate }
    public init() {}

    public func judge(_ context: AlertContext) throws -> AlertJudgement {
        var conditions: [AlertCondition] = []
        let window = DurationText.format(milliseconds: Int(context.policy.window * 1000))
        for (job, stats) in context.watchedJobs {
            guard let threshold = job.alert?.successRate ?? context.policy.minSuccessRate, threshold > 0,
                  let rate = stats.successRate else { continue }
            let judged = stats.runs - stats.skipped - stats.unknown
            guard judged >= context.policy.minRuns, rate < threshold else { continue }
            conditions.append(AlertCondition(
                kind: kind, subject: job.ref.description, severity: .warning, app: job.app, job: job.ref, layer: job.layer,
                summary: "\(job.ref) succeeded in \(Self.percent(rate)) of its \(judged) runs over \(window) "
                    + "(alert below \(Self.percent(threshold)))",
                detail: JobFailingSource.describe(stats.lastFailure, context), lookCloser: "rbscron stats --job \(job.ref) --since \(window)"))
        }
        return .judged(conditions)
    }

    static func percent(_ rate: Double) -> String {
        let value = (rate * 1000).rounded() / 10
        return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }
}

/// `missed_fire`: the latest fire the job's schedule made was not run (``MissedFireEvidence``).
public struct MissedFireSource: AlertConditionSource {
    public var kind: AlertKind { .missedFire }
    public init() {}

    public func judge(_ context: AlertContext) throws -> AlertJudgement {
        var conditions: [AlertCondition] = []
        for (job, stats) in context.watchedJobs where job.alert?.missedFires != false {
            guard let miss = MissedFireEvidence.latestMiss(of: job, stats: stats, report: context.stats) else { continue }
            let tally = miss.expected > 1 ? " (\(miss.missed) of \(miss.expected) fires missed in the window)" : ""
            conditions.append(AlertCondition(
                kind: kind, subject: job.ref.description, severity: .of(job), app: job.app, job: job.ref, layer: job.layer,
                summary: "\(job.ref) did not run its \(job.layer.rawValue) fire of \(Timestamp.rfc3339(miss.fire))\(tally)",
                detail: nil, since: miss.fire, lookCloser: "rbscron stats --job \(job.ref)"))
        }
        return .judged(conditions)
    }
}

/// `app_down`: the app's latest health check found it down.
public struct AppDownSource: AlertConditionSource {
    public var kind: AlertKind { .appDown }
    public init() {}

    public func judge(_ context: AlertContext) throws -> AlertJudgement {
        let health = try context.store.latestHealth()
        let graph = FanOutGraph(inventory: context.inventory)
        var conditions: [AlertCondition] = []
        for app in context.inventory.apps where app.active {
            guard let entry = health[app.name], entry.latest.status == .down else { continue }
            let latest = entry.latest
            var summary = "\(app.name) is down"
            if let status = latest.httpStatus { summary += " (HTTP \(status))" }
            let lost = graph.dependentsLost(ifDown: app.name).map(\.app)
            if !lost.isEmpty { summary += "; \(lost.joined(separator: ", ")) lose the jobs it fires" }
            conditions.append(AlertCondition(
                kind: kind, subject: app.name, severity: .critical, app: app.name, summary: summary,
                detail: context.excerpt(Self.describe(latest, app: app)), since: entry.downSince ?? latest.checkedAt,
                lookCloser: "rbscron health-check --app \(app.name)"))
        }
        return .judged(conditions)
    }

    /// `HEAD https://camino.example.com/ answered HTTP 503 (expected 200)`: the stored reason code in words.
    static func describe(_ check: HealthCheckRecord, app: App) -> String {
        let target = "\(check.method) \(URLRules.join(app.baseURL, app.health.path))"
        switch check.reason.flatMap(HealthReason.init(rawValue:)) {
        case .httpStatus?:
            return "\(target) answered HTTP \(check.httpStatus.map(String.init) ?? "?") (expected \(app.health.expectedStatus))"
        case .timeout?: return "\(target): no answer within the timeout"
        case .refused?: return "\(target): the connection was refused or the host is unreachable"
        case .dns?: return "\(target): the host name did not resolve"
        case .tls?: return "\(target): the TLS handshake or certificate verification failed"
        case .redirect?: return "\(target): a redirect loop, or a redirect to a scheme other than http(s)"
        case .invalidURL?: return "\(target) is not a valid http(s) URL"
        case .transport?, .slow?, nil: return "\(target): the request failed (\(check.reason ?? "no reason recorded"))"
        }
    }
}

/// `keepalive`: a Supabase project 5 days or more without a successful keep-alive, or reported paused.
public struct KeepaliveSource: AlertConditionSource {
    public var kind: AlertKind { .keepalive }
    public init() {}

    public func judge(_ context: AlertContext) throws -> AlertJudgement {
        let report = try KeepaliveStatusReport.build(
            inventory: context.inventory, project: nil, history: try context.store.keepaliveHistory(),
            projects: try context.store.projectStates(), now: context.now)
        var conditions: [AlertCondition] = []
        for entry in report.entries where context.inventory.app(named: entry.app)?.active == true {
            let summary: String, severity: AlertSeverity, since: Date?
            switch entry.state {
            case .warn, .overdue:
                let days = String(format: "%.1f", ((entry.daysSince ?? 0) * 10).rounded(.down) / 10)
                summary = "\(entry.app)'s Supabase project has had no keep-alive for \(days) days; the free tier pauses it at 7"
                    + (entry.pausesAfter.map { " (after \(Timestamp.rfc3339($0)))" } ?? "")
                severity = entry.state == .warn ? .warning : .critical
                since = entry.lastSuccessAt?.addingTimeInterval(KeepaliveStatusReport.warnDays * 86_400)
            case .paused:
                summary = "\(entry.app)'s Supabase project is paused: it runs no pg_cron job until it is restored"
                severity = .critical
                since = nil
            case .ok, .unknown, .notConfigured:
                continue
            }
            conditions.append(AlertCondition(
                kind: kind, subject: entry.app, severity: severity, app: entry.app, layer: .pgCron, summary: summary,
                detail: context.excerpt(entry.lastError), since: since, lookCloser: "rbscron keepalive --status --project \(entry.app)"))
        }
        return .judged(conditions)
    }
}

/// `breaker_open`: the job's latest runs (as many as the breaker's threshold) all failed, so `trigger` skips it
/// (open) or lets one probe through (half-open) until a run succeeds.
public struct BreakerOpenSource: AlertConditionSource {
    public var kind: AlertKind { .breakerOpen }
    public init() {}

    public func judge(_ context: AlertContext) throws -> AlertJudgement {
        let threshold = context.policy.breakerThreshold
        guard threshold > 0 else { return .notJudged("the circuit breaker is off (--breaker-threshold 0)") }
        var conditions: [AlertCondition] = []
        for (job, stats) in context.watchedJobs where job.path != nil && stats.failureStreak >= threshold {
            guard let until = try context.store.breakerOpenUntil(job.ref, threshold: threshold,
                                                                 cooldown: context.policy.breakerCooldown) else { continue }
            let state = until > context.now ? "open until \(Timestamp.rfc3339(until))"
                : "half-open: the next trigger is a probe"
            conditions.append(AlertCondition(
                kind: kind, subject: job.ref.description, severity: .of(job), app: job.app, job: job.ref, layer: job.layer,
                summary: "\(job.ref)'s circuit breaker is \(state) after \(threshold) failed runs in a row",
                detail: JobFailingSource.describe(stats.lastFailure, context), lookCloser: "rbscron stats --job \(job.ref)"))
        }
        return .judged(conditions)
    }
}

/// `drift`: a layer's schedule differs from the inventory (one condition per schedule). Judged only from the plans
/// `--refresh` read: QStash, which can be compared for every app from its API. Vercel and pg_cron are compared with
/// files in each app's repository (`schedule plan --layer vercel|pg_cron --app A` there).
public struct DriftSource: AlertConditionSource {
    public var kind: AlertKind { .drift }
    public init() {}

    public func judge(_ context: AlertContext) throws -> AlertJudgement {
        guard let plans = context.layerPlans else {
            return .notJudged("the layers are read only with --refresh")
        }
        var conditions: [AlertCondition] = []
        for plan in plans {
            for item in plan.items {
                let ref = item.job.flatMap(JobRef.init)
                let layer = plan.layer.rawValue
                let summary: String
                switch item.action {
                case .create:
                    summary = "\(layer) has no schedule \(item.id)\(ref.map { " for \($0)" } ?? ""): the inventory's job is not scheduled there"
                case .update:
                    let fields = item.changes.map(\.field).joined(separator: ", ")
                    summary = "\(layer)'s schedule \(item.id) differs from the inventory\(fields.isEmpty ? "" : " (\(fields))")"
                case .delete:
                    summary = "\(layer) holds the schedule \(item.id), which the inventory no longer has"
                case .adopt:
                    let foreign = item.adopts.map(\.id).joined(separator: ", ")
                    summary = "\(layer) runs \(ref.map { "\($0)" } ?? item.id) from entries rbscron did not make (\(foreign)): "
                        + "adopt them (schedule apply --adopt)"
                case .unchanged, .ignored:
                    continue
                }
                let app = ref?.app ?? plan.app
                conditions.append(AlertCondition(
                    kind: kind, subject: "\(layer):\(item.id)", severity: .warning, app: app, job: ref, layer: plan.layer,
                    summary: summary, detail: context.excerpt(item.note),
                    lookCloser: "rbscron schedule plan --layer \(layer)\(app.map { " --app \($0)" } ?? "")"))
            }
        }
        return .judged(conditions)
    }
}

/// The one place a missed fire is decided: the job's fire ledger (``FireLedger``, what `stats` shows per fire).
/// The latest fire whose outcome is known decides; a fire still pending, paused or unobserved is never a miss.
public enum MissedFireEvidence {
    public struct Miss: Sendable, Equatable {
        /// The missed fire: the latest the schedule made that can be judged.
        public var fire: Date
        /// Fires missed, and fires judged, in the window.
        public var missed: Int
        public var expected: Int
    }

    /// The job's latest judged fire when the ledger says its layer missed it; nil when it was delivered (or failed:
    /// that is `job_failing`'s concern), or when its fires cannot be seen (unobserved jobs are never judged, and
    /// never shown as healthy either: `stats` greys them).
    public static func latestMiss(of job: Job, stats: JobStats, report: StatsReport) -> Miss? {
        guard stats.observation == .observed else { return nil }
        let ended: Set<FireState> = [.delivered, .failed, .missed, .unknown, .parentDelivered]
        guard let latest = stats.fires.last(where: { ended.contains($0.state) }), latest.state == .missed,
              latest.at <= report.firesCheckedUntil else { return nil }
        let missed = stats.missedFires ?? stats.fires.filter { $0.state == .missed }.count
        return Miss(fire: latest.at, missed: missed, expected: stats.expectedFires ?? missed)
    }
}

/// `endpoint_open`: the job's latest `audit` found a critical hole: a probe without (or with wrong) credentials was
/// let in. Always critical, whatever the job's priority: anyone can run the job. Resolved by the next audit that
/// finds none.
public struct EndpointOpenSource: AlertConditionSource {
    public var kind: AlertKind { .endpointOpen }
    public init() {}

    public func judge(_ context: AlertContext) throws -> AlertJudgement {
        let latest = try context.store.latestAuditProbes()
        guard !latest.isEmpty else { return .notJudged("no endpoint has been audited (`rbscron audit`)") }
        var conditions: [AlertCondition] = []
        for job in context.inventory.jobs where job.enabled {
            guard let probes = latest[job.ref] else { continue }
            let critical = probes.filter { $0.severity == "critical" }
            guard let first = critical.first else { continue }
            let names = critical.map(\.probe).joined(separator: ", ")
            let status = first.httpStatus.map { " (HTTP \($0))" } ?? ""
            conditions.append(AlertCondition(
                kind: kind, subject: job.ref.description, severity: .critical, app: job.app, job: job.ref, layer: job.layer,
                summary: "\(job.ref)'s endpoint let a caller without its secret in: \(names)\(status)",
                detail: context.excerpt(first.detail), since: first.auditedAt,
                lookCloser: "rbscron audit --job \(job.ref)"))
        }
        return .judged(conditions)
    }
}
