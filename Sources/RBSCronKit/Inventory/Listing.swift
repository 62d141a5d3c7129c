import Foundation

/// An app as `list apps` reports it. Keys are a contract (see README "JSON shapes").
public struct AppReport: Encodable, Sendable, Equatable {
    public var name: String
    public var displayName: String
    public var baseURL: String
    public var platform: Platform
    public var vercelPlan: VercelPlan?
    public var vercelMode: VercelMode
    public var qstashPlan: QStashPlan?
    public var active: Bool
    public var health: HealthTarget
    public var supabase: SupabaseProject?
    public var jobs: Int
    public var notes: String

    public init(app: App, jobCount: Int) {
        name = app.name
        displayName = app.displayName
        // An inventory imported before URLs with credentials were refused may still hold one: never print it.
        baseURL = URLRules.masked(app.baseURL)
        platform = app.platform
        vercelPlan = app.vercelPlan
        vercelMode = app.vercelMode
        qstashPlan = app.qstashPlan
        active = app.active
        health = app.health
        supabase = app.supabase
        jobs = jobCount
        notes = app.notes
    }

    enum CodingKeys: String, CodingKey {
        case name, displayName = "display_name", baseURL = "base_url", platform, vercelPlan = "vercel_plan",
             vercelMode = "vercel_mode", qstashPlan = "qstash_plan", active, health, supabase, jobs, notes
    }

    enum HealthKeys: String, CodingKey { case path, method, expectedStatus = "expected_status" }
    enum SupabaseKeys: String, CodingKey { case url, projectRef = "project_ref", pgCronVersion = "pg_cron_version" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(displayName, forKey: .displayName)
        try c.encode(baseURL, forKey: .baseURL)
        try c.encode(platform, forKey: .platform)
        try c.encode(vercelPlan, forKey: .vercelPlan)
        try c.encode(vercelMode, forKey: .vercelMode)
        try c.encode(qstashPlan, forKey: .qstashPlan)
        try c.encode(active, forKey: .active)
        var h = c.nestedContainer(keyedBy: HealthKeys.self, forKey: .health)
        try h.encode(health.path, forKey: .path)
        try h.encode(health.method, forKey: .method)
        try h.encode(health.expectedStatus, forKey: .expectedStatus)
        if let supabase {
            var s = c.nestedContainer(keyedBy: SupabaseKeys.self, forKey: .supabase)
            try s.encode(supabase.url, forKey: .url)
            try s.encode(supabase.projectRef, forKey: .projectRef)
            // The recorded release, or null: Supabase's 1.6 is then assumed.
            try s.encode(supabase.pgCronVersion, forKey: .pgCronVersion)
        } else {
            try c.encodeNil(forKey: .supabase)
        }
        try c.encode(jobs, forKey: .jobs)
        try c.encode(notes, forKey: .notes)
    }
}

/// A job as `list jobs` reports it. Keys are a contract (see README "JSON shapes").
public struct JobReport: Encodable, Sendable, Equatable {
    public var job: Job
    /// When its latest run recorded in the inventory started, and how it ended (nil while it runs); nil when none.
    public var lastRunAt: Date?
    public var lastOutcome: RunOutcome?
    /// Its next fire by its schedule (a fan-out child: its chain's); nil for a job nothing schedules.
    public var nextFireAt: Date?

    public init(job: Job, lastRunAt: Date? = nil, lastOutcome: RunOutcome? = nil, nextFireAt: Date? = nil) {
        self.job = job
        self.lastRunAt = lastRunAt
        self.lastOutcome = lastOutcome
        self.nextFireAt = nextFireAt
    }

    enum CodingKeys: String, CodingKey {
        case app, name, address, path, sql, method, layer, schedule, timezone, auth, timeout, timeoutMs = "timeout_ms",
             retries, priority, enabled, triggeredBy = "triggered_by", order, dependsOn = "depends_on", description, group,
             jitter, lastRunAt = "last_run_at", lastOutcome = "last_outcome", nextFireAt = "next_fire_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(job.app, forKey: .app)
        try c.encode(job.name, forKey: .name)
        // The address every report that names a job carries (APP/JOB), beside the app and name kept from before.
        try c.encode(job.ref.description, forKey: .address)
        try c.encode(job.path, forKey: .path)
        try c.encode(job.sql, forKey: .sql)
        try c.encode(job.method, forKey: .method)
        try c.encode(job.layer, forKey: .layer)
        try c.encode(job.schedule, forKey: .schedule)
        try c.encode(job.timezone, forKey: .timezone)
        try c.encode(job.auth, forKey: .auth)
        try c.encode(DurationText.format(milliseconds: job.timeoutMs), forKey: .timeout)
        try c.encode(job.timeoutMs, forKey: .timeoutMs)
        try c.encode(job.retries, forKey: .retries)
        try c.encode(job.priority, forKey: .priority)
        try c.encode(job.enabled, forKey: .enabled)
        try c.encode(job.triggeredBy?.description, forKey: .triggeredBy)
        try c.encode(job.order, forKey: .order)
        try c.encode(job.dependsOn.map(\.description), forKey: .dependsOn)
        try c.encode(job.description, forKey: .description)
        try c.encode(job.group, forKey: .group)
        try c.encode(job.jitter, forKey: .jitter)
        try c.encode(lastRunAt, forKey: .lastRunAt)
        try c.encode(lastOutcome, forKey: .lastOutcome)
        try c.encode(nextFireAt, forKey: .nextFireAt)
    }
}

/// Why an inventory query could not be answered.
public enum InventoryQueryError: Error, LocalizedError, Sendable, Equatable {
    case unknownApp(String, suggestion: String?)
    case unknownJob(String, suggestion: String?)

    public var errorDescription: String? {
        switch self {
        case .unknownApp(let name, let suggestion):
            let hint = suggestion.map { " Did you mean '\($0)'?" } ?? ""
            return "no app named '\(name)' in the inventory.\(hint) See `rbscron list apps`."
        case .unknownJob(let name, let suggestion):
            let hint = suggestion.map { " Did you mean '\($0)'?" } ?? ""
            return "no job '\(name)' in the inventory.\(hint) See `rbscron list jobs`."
        }
    }
}

/// Filters shared by the commands that read the inventory.
public struct InventoryFilter: Sendable {
    public var app: String?
    public var layer: Layer?

    public init(app: String? = nil, layer: Layer? = nil) {
        self.app = app
        self.layer = layer
    }

    /// Checks that the filter names things that exist.
    public func validate(against inventory: Inventory) throws(InventoryQueryError) {
        if let app, inventory.app(named: app) == nil {
            throw .unknownApp(app, suggestion: Suggest.closest(to: app, in: inventory.apps.map(\.name)))
        }
    }

    public func apps(in inventory: Inventory) -> [App] {
        inventory.apps.filter { app == nil || $0.name == app }
            .filter { candidate in
                layer == nil || inventory.jobs(ofApp: candidate.name).contains { $0.layer == layer }
            }
    }

    public func jobs(in inventory: Inventory) -> [Job] {
        inventory.jobs.filter { (app == nil || $0.app == app) && (layer == nil || $0.layer == layer) }
    }
}

extension Inventory {
    /// The job `ref` names, with a did-you-mean suggestion when it does not exist.
    public func resolve(_ ref: JobRef) throws(InventoryQueryError) -> Job {
        try resolve(ref.description)
    }

    /// Resolves `APP/JOB`, with a did-you-mean suggestion when it does not exist.
    public func resolve(_ text: String) throws(InventoryQueryError) -> Job {
        if let ref = JobRef(text), let job = job(ref) { return job }
        let all = jobs.map(\.ref.description)
        if let ref = JobRef(text), app(named: ref.app) == nil {
            throw .unknownApp(ref.app, suggestion: Suggest.closest(to: ref.app, in: apps.map(\.name)))
        }
        throw .unknownJob(text, suggestion: Suggest.closest(to: text, in: all))
    }
}
