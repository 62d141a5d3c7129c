import Foundation

/// How a job's fires can be checked against its runs.
public enum FireObservation: String, Codable, Sendable {
    /// rbscron sees every fire: the job is fired by due mode or its layer's history is synced.
    case observed
    /// A scheduled job whose fires rbscron cannot see; never reported as healthy.
    case unobserved
    /// Manual and fan-out jobs: no schedule of their own.
    case unscheduled
    /// A disabled job: no fire is expected.
    case disabled
}

/// The colour of a job or app on the status board.
public enum StatusColour: String, Codable, Sendable, CaseIterable {
    case green, amber, red, grey
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
    /// Fires the schedule made inside the missed-fire window; nil unless observed.
    public var expectedFires: Int?
    public var missedFires: Int?
    public var lastMissedFire: Date?
    public var status: StatusColour

    public var ref: JobRef { JobRef(app: app, job: job) }

    enum CodingKeys: String, CodingKey {
        case app, job, layer, schedule, enabled, description, runs, successes, failures, skipped, unknown
        case successRate = "success_rate", p50Ms = "p50_ms", p95Ms = "p95_ms", maxMs = "max_ms"
        case lastSuccessAt = "last_success_at", lastFailure = "last_failure", failureStreak = "failure_streak"
        case observation, observationNote = "observation_note", observedSince = "observed_since", expectedFires = "expected_fires"
        case missedFires = "missed_fires", lastMissedFire = "last_missed_fire", status
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(app, forKey: .app)
        try c.encode(job, forKey: .job)
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
        try c.encode(status, forKey: .status)
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
    public var status: StatusColour

    enum CodingKeys: String, CodingKey {
        case app, displayName = "display_name", checks, uptime, p95LatencyMs = "p95_latency_ms"
        case lastCheckedAt = "last_checked_at", lastStatus = "last_status", status
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
    }
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
    /// A run without `scheduled_for` (a remote or due run) covers a fire when it starts at most this long after it
    /// (and before the next fire), or up to `clockSkew` before it. Fires younger than this are not judged yet.
    public static let matchTolerance: TimeInterval = 15 * 60
    public static let clockSkew: TimeInterval = 60
    /// A job whose success rate in the window is below this is amber.
    public static let amberSuccessRate = 0.95
    /// At most this many fires are checked per job (a 30-second pg_cron job over 90 days has 259,200).
    public static let maxFiresPerJob = 300_000

    /// The stats report for `query`.
    public static func report(store: InventoryStore, query: StatsQuery) throws -> StatsReport {
        let inventory = try store.inventory()
        let jobs = try query.jobs(in: inventory)
        let since = query.now.addingTimeInterval(-query.since)
        let added = try store.jobAddedTimes()
        // Observation start is only known after reading runs; the fire window starts at the later of since and added.
        var fireStart: [JobRef: Date] = [:]
        for job in jobs where job.layer.isScheduled && job.enabled {
            fireStart[job.ref] = max(since, added[job.ref] ?? since).addingTimeInterval(-matchTolerance)
        }
        let facts = try store.jobRunFacts(jobs: jobs.map(\.ref), since: since, until: query.now, fireWindowStart: fireStart)
        let health = try store.appHealthFacts(since: since, until: query.now)
        let appNames = Set(jobs.map(\.app)).union(query.app.map { [$0] } ?? [])
        let apps = inventory.apps.filter { appNames.contains($0.name) || (query.job == nil && query.app == nil) }
        let projects = try store.projectStates()
        return StatsReport(
            generatedAt: query.now, since: since, firesCheckedUntil: query.now.addingTimeInterval(-matchTolerance),
            toleranceMs: Int(matchTolerance * 1000),
            apps: apps.map { appStats($0, health[$0.name] ?? AppHealthFacts()) },
            jobs: jobs.map { job in
                var stats = jobStats(job, facts[job.ref] ?? JobRunFacts(), since: since, addedAt: added[job.ref], now: query.now,
                                     app: inventory.app(named: job.app))
                if job.layer == .pgCron, let ref = inventory.app(named: job.app)?.supabase?.projectRef,
                   let project = projects[ref], project.status == .paused || project.status == .unreachable {
                    unobserve(&stats, note: "project \(project.status.rawValue)")
                }
                return stats
            })
    }

    /// A job whose project cannot run or be read now is not judged: not green, and its fires not missed.
    static func unobserve(_ stats: inout JobStats, note: String) {
        guard stats.observation == .observed || stats.observation == .unobserved else { return }
        stats.observation = .unobserved
        stats.observationNote = note
        stats.expectedFires = nil
        stats.missedFires = nil
        stats.lastMissedFire = nil
        stats.status = status(of: stats)
    }

    /// Nearest-rank percentile of `values` (in any order; `p` in 0…1).
    public static func percentile(_ values: [Double], _ p: Double) -> Double? {
        Selection.percentiles(values, [p])[0]
    }

    /// One job's stats from its facts.
    /// `app` is the job's app: its Vercel mode and pg_cron release decide how the layer fires the schedule.
    public static func jobStats(_ job: Job, _ facts: JobRunFacts, since: Date, addedAt: Date?, now: Date,
                                app: App? = nil) -> JobStats {
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
        } else if let observedSince = facts.observedSince, let timing = try? JobFires.of(job, app: app) {
            stats.observation = .observed
            let schedule = timing.firing
            let zone = timing.zone
            // The first observed run covers its own fire, which may be up to the tolerance earlier.
            let from = [since, addedAt ?? since, observedSince.addingTimeInterval(-matchTolerance)].max() ?? since
            let until = now.addingTimeInterval(-matchTolerance)
            let fires = from < until ? schedule.fires(from: from, to: until, in: zone, limit: maxFiresPerJob) : []
            let missed = missedFires(fires: fires, schedule: schedule, zone: zone,
                                     scheduledFor: facts.scheduledFor, unscheduledStarts: facts.unscheduledStarts)
            stats.expectedFires = fires.count
            stats.missedFires = missed.count
            stats.lastMissedFire = missed.last
        }
        stats.status = status(of: stats)
        return stats
    }

    /// The fires that no run accounts for. A run with `scheduled_for` equal to a fire covers it; otherwise each
    /// run in `unscheduledStarts` covers at most one fire: the one it follows within the tolerance (and before
    /// the next fire), or precedes by at most the clock skew.
    public static func missedFires(fires: [Date], schedule: CronSchedule, zone: TimeZone,
                                   scheduledFor: Set<Int64>, unscheduledStarts: [Int64]) -> [Date] {
        var missed: [Date] = []
        var index = 0
        let skewMs = Int64(clockSkew * 1000), toleranceMs = Int64(matchTolerance * 1000)
        for (i, fire) in fires.enumerated() {
            let t = Timestamp.ms(fire)
            if scheduledFor.contains(t) { continue }
            while index < unscheduledStarts.count, unscheduledStarts[index] < t - skewMs { index += 1 }
            let nextFire = i + 1 < fires.count ? fires[i + 1] : schedule.next(after: fire, in: zone)
            let upper = min(t + toleranceMs, nextFire.map { Timestamp.ms($0) - skewMs } ?? Int64.max)
            if index < unscheduledStarts.count, unscheduledStarts[index] <= max(upper, t) {
                index += 1
            } else {
                missed.append(fire)
            }
        }
        return missed
    }

    /// Red: the latest run failed, or an observed job ran none of its fires. Amber: some fires missed, some results
    /// unknown, or the success rate is under 95 %. Grey: nothing to judge (unobserved scheduled jobs, jobs without
    /// runs). Green otherwise.
    public static func status(of stats: JobStats) -> StatusColour {
        if stats.failureStreak > 0 { return .red }
        if let missed = stats.missedFires, missed > 0 {
            return stats.runs == 0 || missed == stats.expectedFires ? .red : .amber
        }
        if stats.unknown > 0 { return .amber }
        if let rate = stats.successRate, rate < amberSuccessRate { return .amber }
        switch stats.observation {
        case .observed: return .green
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
                        lastStatus: facts.lastStatus, status: colour)
    }
}
