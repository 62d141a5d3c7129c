import Foundation

/// How a job's fires can be checked against its runs.
public enum FireObservation: String, Codable, Sendable {
    /// rbscron sees the job's fires: its layer's history is synced (or due mode fires it, or it follows a parent whose
    /// fires are seen).
    case observed
    /// A scheduled job whose fires rbscron cannot see; never reported as healthy.
    case unobserved
    /// Manual and fan-out jobs: no schedule of their own.
    case unscheduled
    /// A disabled job: no fire is expected.
    case disabled
}

/// The colour of a job or app on the status board.
/// The colour of one fire, as the table and the dashboard's fire strip show it.
extension FireState {
    public var colour: StatusColour {
        switch self {
        case .delivered: return .green
        case .failed, .missed: return .red
        case .unknown, .pending: return .amber
        case .parentDelivered: return .blue
        case .paused, .unobserved: return .grey
        }
    }
}

public enum StatusColour: String, Codable, Sendable, CaseIterable {
    case green, amber, red, grey
    /// Called by a delivered fan-out parent, with no proof of its own result: never green.
    case blue
}

/// One job's line in `stats`. Keys are a contract (see README "JSON shapes").
public struct JobStats: Encodable, Sendable, Equatable {
    public var app: String
    public var job: String
    public var layer: Layer
    public var schedule: String?
    public var enabled: Bool
    public var description: String
    public var runs: Int
    public var successes: Int
    public var failures: Int
    public var skipped: Int
    /// Fires whose result is unknown (the layer fired them; nobody can tell how they ended).
    public var unknown: Int
    /// successes / (runs − skipped − unknown); nil when no run has a known result.
    public var successRate: Double?
    public var p50Ms: Double?
    public var p95Ms: Double?
    public var maxMs: Double?
    public var lastSuccessAt: Date?
    public var lastFailure: RunFailure?
    public var failureStreak: Int
    public var observation: FireObservation
    /// Why an unobserved job cannot be judged now (`project paused`, `project unreachable`), when there is a reason
    /// beyond "the layer keeps nothing rbscron reads".
    public var observationNote: String?
    public var observedSince: Date?
    /// Fires the schedule made in the window that rbscron could judge (seen, and past the layer's tolerance); nil
    /// unless observed.
    public var expectedFires: Int?
    public var missedFires: Int?
    public var lastMissedFire: Date?
    public var status: StatusColour
    /// Every fire of the window by state (all states present).
    public var fireCounts = FireCounts()
    /// Every fire of the window, oldest first, with its state and reason.
    public var fires: [FireAccount] = []
    /// The job's next fire on its own schedule; nil for manual and fan-out jobs (a fan-out job fires when its parent
    /// does), disabled jobs and schedules its layer holds paused.
    public var nextFireAt: Date? = nil

    public var ref: JobRef { JobRef(app: app, job: job) }

    enum CodingKeys: String, CodingKey {
        case app, job, address, layer, schedule, enabled, description, runs, successes, failures, skipped, unknown
        case successRate = "success_rate", p50Ms = "p50_ms", p95Ms = "p95_ms", maxMs = "max_ms"
        case lastSuccessAt = "last_success_at", lastFailure = "last_failure", failureStreak = "failure_streak"
        case observation, observationNote = "observation_note", observedSince = "observed_since", expectedFires = "expected_fires"
        case missedFires = "missed_fires", lastMissedFire = "last_missed_fire", status, fireCounts = "fire_counts", fires
        case nextFireAt = "next_fire_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(app, forKey: .app)
        try c.encode(job, forKey: .job)
        // Every report that names a job carries `address` (APP/JOB); `job` here stays the bare name, as before.
        try c.encode(ref.description, forKey: .address)
        try c.encode(layer, forKey: .layer)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(enabled, forKey: .enabled)
        try c.encode(description, forKey: .description)
        try c.encode(runs, forKey: .runs)
        try c.encode(successes, forKey: .successes)
        try c.encode(failures, forKey: .failures)
        try c.encode(skipped, forKey: .skipped)
        try c.encode(unknown, forKey: .unknown)
        try c.encode(successRate, forKey: .successRate)
        try c.encode(p50Ms, forKey: .p50Ms)
        try c.encode(p95Ms, forKey: .p95Ms)
        try c.encode(maxMs, forKey: .maxMs)
        try c.encode(lastSuccessAt, forKey: .lastSuccessAt)
        try c.encode(lastFailure, forKey: .lastFailure)
        try c.encode(failureStreak, forKey: .failureStreak)
        try c.encode(observation, forKey: .observation)
        try c.encode(observationNote, forKey: .observationNote)
        try c.encode(observedSince, forKey: .observedSince)
        try c.encode(expectedFires, forKey: .expectedFires)
        try c.encode(missedFires, forKey: .missedFires)
        try c.encode(lastMissedFire, forKey: .lastMissedFire)
        try c.encode(nextFireAt, forKey: .nextFireAt)
        try c.encode(status, forKey: .status)
        try c.encode(fireCounts, forKey: .fireCounts)
        try c.encode(fires, forKey: .fires)
    }
}

/// One app's health in `stats`, from the recorded health checks.
public struct AppStats: Encodable, Sendable, Equatable {
    public var app: String
    public var displayName: String
    public var checks: Int
    /// Share of checks that were up or degraded; nil without checks.
    public var uptime: Double?
    public var p95LatencyMs: Double?
    public var lastCheckedAt: Date?
    public var lastStatus: String?
    /// The colour of the health checks alone.
    public var status: StatusColour
    /// Why the latest check was not up (`http_status`, `timeout`, `slow`, …) and its HTTP status, when it had one.
    public var lastReason: String? = nil
    public var lastHTTPStatus: Int? = nil
    /// The worst of `status` and the colours of the app's jobs in the report: an app whose checks pass but whose
    /// job fails is not healthy.
    public var overallStatus: StatusColour = .grey
    /// Only while the app is down: the other apps that lose background jobs it fires (`triggered_by` links).
    public var dependentsAffected: [AffectedDependent] = []

    enum CodingKeys: String, CodingKey {
        case app, displayName = "display_name", checks, uptime, p95LatencyMs = "p95_latency_ms"
        case lastCheckedAt = "last_checked_at", lastStatus = "last_status", status
        case lastReason = "last_reason", lastHTTPStatus = "last_http_status", overallStatus = "overall_status"
        case dependentsAffected = "dependents_affected"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(app, forKey: .app)
        try c.encode(displayName, forKey: .displayName)
        try c.encode(checks, forKey: .checks)
        try c.encode(uptime, forKey: .uptime)
        try c.encode(p95LatencyMs, forKey: .p95LatencyMs)
        try c.encode(lastCheckedAt, forKey: .lastCheckedAt)
        try c.encode(lastStatus, forKey: .lastStatus)
        try c.encode(status, forKey: .status)
        try c.encode(lastReason, forKey: .lastReason)
        try c.encode(lastHTTPStatus, forKey: .lastHTTPStatus)
        try c.encode(overallStatus, forKey: .overallStatus)
        try c.encode(dependentsAffected, forKey: .dependentsAffected)
    }
}

extension StatusColour {
    /// How bad the colour is for an app's overall state: red worst, then amber; the others say nothing is wrong.
    var severity: Int {
        switch self {
        case .red: return 2
        case .amber: return 1
        case .green, .grey, .blue: return 0
        }
    }

    /// The worse of `self` and `other` (`self` when neither is worse).
    public func worse(_ other: StatusColour) -> StatusColour { other.severity > severity ? other : self }
}

/// What `rbscron stats` reports.
public struct StatsReport: Encodable, Sendable, Equatable {
    public var generatedAt: Date
    public var since: Date
    /// Missed fires are judged only up to here (`generated_at` minus the match tolerance).
    public var firesCheckedUntil: Date
    public var toleranceMs: Int
    public var apps: [AppStats]
    public var jobs: [JobStats]

    /// Jobs whose latest run failed or that missed fires: what `--exit-code` fails on.
    public var problemJobs: [JobStats] { jobs.filter { $0.failureStreak > 0 || ($0.missedFires ?? 0) > 0 } }

    enum CodingKeys: String, CodingKey {
        case generatedAt = "generated_at", since, firesCheckedUntil = "fires_checked_until"
        case toleranceMs = "tolerance_ms", apps, jobs
    }
}

/// Why a stats request could not be answered.
public enum StatsError: Error, LocalizedError, Sendable, Equatable {
    case unknownApp(String, suggestion: String?)
    case unknownJob(String, suggestion: String?)
    case badSince(String)

    public var errorDescription: String? {
        switch self {
        case .unknownApp(let name, let suggestion):
            return "no app named '\(name)' in the inventory.\(suggestion.map { " Did you mean '\($0)'?" } ?? "") See `rbscron list apps`."
        case .unknownJob(let name, let suggestion):
            return "no job '\(name)' in the inventory.\(suggestion.map { " Did you mean '\($0)'?" } ?? "") See `rbscron list jobs`."
        case .badSince(let text):
            return "'\(text)' is not a duration for --since; write it like 7d, 24h or 90d."
        }
    }
}

/// Which jobs and which window `stats` looks at.
public struct StatsQuery: Sendable {
    public var app: String?
    /// A job name (with `app`), or `APP/JOB`.
    public var job: String?
    public var since: TimeInterval
    public var now: Date

    public init(app: String? = nil, job: String? = nil, since: TimeInterval = 7 * 86_400, now: Date = Date()) {
        self.app = app
        self.job = job
        self.since = since
        self.now = now
    }

    /// The jobs selected, in inventory order; throws when the filter names nothing that exists.
    public func jobs(in inventory: Inventory) throws(StatsError) -> [Job] {
        if let app, inventory.app(named: app) == nil {
            throw .unknownApp(app, suggestion: Suggest.closest(to: app, in: inventory.apps.map(\.name)))
        }
        guard let job else { return inventory.jobs.filter { app == nil || $0.app == app } }
        let ref: JobRef?
        if let parsed = JobRef(job) { ref = parsed } else if let app { ref = JobRef(app: app, job: job) } else { ref = nil }
        let matches = inventory.jobs.filter { candidate in
            if let ref { return candidate.ref == ref }
            return candidate.name == job
        }
        if matches.isEmpty {
            throw .unknownJob(job, suggestion: Suggest.closest(to: ref?.description ?? job,
                                                                in: inventory.jobs.map { ref == nil ? $0.name : $0.ref.description }))
        }
        return matches
    }
}

/// Turns stored runs and checks into `StatsReport`s. Pure arithmetic lives here; SQL lives in `StatsStore`.
public enum StatsEngine {
    /// A job whose success rate in the window is below this is amber.
    public static let amberSuccessRate = 0.95

    /// The stats report for `query`.
    public static func report(store: InventoryStore, query: StatsQuery) throws -> StatsReport {
        let inventory = try store.inventory()
        let jobs = try query.jobs(in: inventory)
        let since = query.now.addingTimeInterval(-query.since)
        let facts = try store.jobRunFacts(jobs: jobs.map(\.ref), since: since, until: query.now)
        let ledger = try FireLedger.build(store: store, inventory: inventory, jobs: jobs, from: since, now: query.now)
        let observations = try store.observations()
        let pausedProjects = Set(try store.projectStates().values.filter { $0.status == .paused }.map(\.projectRef))
        let health = try store.appHealthFacts(since: since, until: query.now)
        let appNames = Set(jobs.map(\.app)).union(query.app.map { [$0] } ?? [])
        let apps = inventory.apps.filter { appNames.contains($0.name) || (query.job == nil && query.app == nil) }
        let jobLines = jobs.map { job in
            var stats = jobStats(job, facts[job.ref] ?? JobRunFacts())
            stats.nextFireAt = nextFire(of: job, in: inventory, observation: observations[job.ref],
                                        pausedProjects: pausedProjects, after: query.now)
            apply(ledger.fires[job.ref] ?? [], to: &stats)
            // The layer was read, and the job had no fire in the window (a weekly or monthly job): observed,
            // nothing due; grey until it has something to judge.
            if stats.observation == .unobserved, (ledger.fires[job.ref] ?? []).isEmpty, job.enabled,
               job.layer.isScheduled, let read = observations[job.ref], read.historyFrom != nil,
               read.scheduleState != .paused {
                stats.observation = .observed
                stats.expectedFires = 0
                stats.missedFires = 0
                stats.observationNote = "no fire in the window"
                stats.status = status(of: stats)
            }
            // No fire in the window to carry the reason: the layer's own word on why it cannot be seen.
            if stats.observation == .unobserved, stats.observationNote == nil, let note = observations[job.ref]?.note,
               observations[job.ref]?.historyFrom == nil {
                stats.observationNote = note
            }
            return stats
        }
        let graph = FanOutGraph(inventory: inventory)
        let appLines = apps.map { app in
            var stats = appStats(app, health[app.name] ?? AppHealthFacts())
            stats.overallStatus = jobLines.filter { $0.app == app.name }.reduce(stats.status) { $0.worse($1.status) }
            if stats.lastStatus == "down" { stats.dependentsAffected = graph.dependentsLost(ifDown: app.name) }
            return stats
        }
        return StatsReport(
            generatedAt: query.now, since: since, firesCheckedUntil: query.now,
            toleranceMs: Int(LayerTiming.matchWindow * 1000), apps: appLines, jobs: jobLines)
    }

    /// The next fire of a job on its own schedule, after `now`; nil for jobs without one (manual, fan-out), disabled
    /// jobs, jobs of inactive apps, schedules their layer holds paused, and pg_cron jobs of a Supabase project that
    /// Supabase reports paused (its pg_cron runs nothing until the project is restored).
    static func nextFire(of job: Job, in inventory: Inventory, observation: LayerObservation?,
                         pausedProjects: Set<String> = [], after now: Date) -> Date? {
        guard job.enabled, job.layer.isScheduled, job.schedule != nil, observation?.scheduleState != .paused,
              let app = inventory.app(named: job.app), app.active,
              !(job.layer == .pgCron && app.supabase?.projectRef.map(pausedProjects.contains) == true),
              let timing = try? JobFires.of(job, app: app) else { return nil }
        return timing.next(after: now)
    }

    /// Fills a job's fire accounting: counts, the fires, and what they say of the job (observed or not, missed
    /// fires, the colour).
    static func apply(_ entries: [FireLedger.Entry], to stats: inout JobStats) {
        guard !entries.isEmpty else { return }
        let accounts = entries.map(\.account)
        stats.fires = accounts
        stats.fireCounts = FireCounts(accounts)
        // A fire younger than its layer's tolerance, with no call yet, is not judged.
        let judged = accounts.filter { !($0.state == .pending && $0.calledAt == nil) }
        let seen = judged.filter { $0.state != .unobserved }
        if seen.isEmpty {
            stats.observation = .unobserved
            stats.observationNote = accounts.last { $0.state == .unobserved }.map { reason in
                reason.reason.hasPrefix("unobserved: ") ? String(reason.reason.dropFirst("unobserved: ".count)) : reason.reason
            }
        } else {
            stats.observation = .observed
            let missed = seen.filter { $0.state == .missed }
            stats.expectedFires = seen.count
            stats.missedFires = missed.count
            stats.lastMissedFire = missed.last?.at
        }
        stats.status = status(of: stats)
    }

    /// Nearest-rank percentile of `values` (in any order; `p` in 0…1).
    public static func percentile(_ values: [Double], _ p: Double) -> Double? {
        Selection.percentiles(values, [p])[0]
    }

    /// One job's stats from its run facts; its fires are accounted by ``apply(_:to:)``.
    public static func jobStats(_ job: Job, _ facts: JobRunFacts) -> JobStats {
        let attempted = facts.runs - facts.skipped - facts.unknown
        let failures = attempted - facts.successes
        let durations = Selection.percentiles(facts.durationsMs, [0.5, 0.95, 1])
        var stats = JobStats(
            app: job.app, job: job.name, layer: job.layer, schedule: job.schedule, enabled: job.enabled,
            description: job.description, runs: facts.runs, successes: facts.successes, failures: failures,
            skipped: facts.skipped, unknown: facts.unknown, successRate: attempted > 0 ? Double(facts.successes) / Double(attempted) : nil,
            p50Ms: durations[0], p95Ms: durations[1], maxMs: durations[2], lastSuccessAt: facts.lastSuccessAt, lastFailure: facts.lastFailure,
            failureStreak: facts.failureStreak, observation: .unobserved, observationNote: nil, observedSince: facts.observedSince,
            expectedFires: nil, missedFires: nil, lastMissedFire: nil, status: .grey)
        if !job.enabled {
            stats.observation = .disabled
        } else if !job.layer.isScheduled || job.schedule == nil {
            stats.observation = .unscheduled
        }
        stats.status = status(of: stats)
        return stats
    }

    /// Red: the latest run failed, the latest fire that ended was failed or missed, or an observed job ran none of
    /// its fires. Amber: some fires missed, failed or of unknown result, or the success rate is under 95 %. Blue: its
    /// fires were only called by a delivered fan-out parent (no proof of its own result). Grey: nothing to judge
    /// (unobserved or paused scheduled jobs, jobs without runs). Green otherwise.
    public static func status(of stats: JobStats) -> StatusColour {
        if stats.failureStreak > 0 { return .red }
        let ended: Set<FireState> = [.delivered, .failed, .missed, .unknown, .parentDelivered]
        if let latest = stats.fires.last(where: { ended.contains($0.state) }), latest.state == .failed || latest.state == .missed {
            return .red
        }
        if let missed = stats.missedFires, missed > 0 {
            return stats.runs == 0 || missed == stats.expectedFires ? .red : .amber
        }
        let counts = stats.fireCounts
        if counts[.failed] > 0 || counts[.unknown] > 0 || stats.unknown > 0 { return .amber }
        if let rate = stats.successRate, rate < amberSuccessRate { return .amber }
        switch stats.observation {
        case .observed:
            if stats.fires.isEmpty { return stats.runs > 0 ? .green : .grey }
            if counts[.delivered] == 0, counts[.parentDelivered] > 0 { return .blue }
            if counts[.delivered] == 0, counts[.paused] > 0 { return .grey }
            return .green
        case .unobserved, .disabled: return .grey
        case .unscheduled: return stats.runs > 0 ? .green : .grey
        }
    }

    static func appStats(_ app: App, _ facts: AppHealthFacts) -> AppStats {
        let uptime = facts.checks > 0 ? Double(facts.up + facts.degraded) / Double(facts.checks) : nil
        let colour: StatusColour
        switch (uptime, facts.lastStatus) {
        case (nil, _): colour = .grey
        case (_, "down"?): colour = .red
        case (let u?, _) where u < 0.99 || facts.lastStatus == "degraded": colour = .amber
        default: colour = .green
        }
        return AppStats(app: app.name, displayName: app.displayName, checks: facts.checks, uptime: uptime,
                        p95LatencyMs: percentile(facts.latenciesMs, 0.95), lastCheckedAt: facts.lastCheckedAt,
                        lastStatus: facts.lastStatus, status: colour,
                        lastReason: facts.lastStatus == "up" ? nil : facts.lastReason,
                        lastHTTPStatus: facts.lastStatus == nil ? nil : facts.lastHTTPStatus, overallStatus: colour)
    }
}
