import Foundation

/// Where an app is hosted. It decides which scheduler layers it can use (a Firebase app has no pg_cron).
public enum Platform: String, CaseIterable, Codable, Sendable {
    case vercel, firebase, other
}

/// The Vercel plan of a project; Hobby limits crons to once a day (the limits are data: ``LayerLimits``).
public enum VercelPlan: String, CaseIterable, Codable, Sendable {
    case hobby, pro
}

/// How an app's `vercel.json` declares its schedules.
public enum VercelMode: String, CaseIterable, Codable, Sendable {
    /// Vercel Cron (legacy): the `crons` array; every call is a GET in UTC.
    case crons
    /// Vercel Schedules: the `schedules` object; each entry has its own time zone, request method and jitter.
    case schedules
}

/// The plan of the QStash account an app's QStash jobs are registered with (the limits are data: ``LayerLimits``).
public enum QStashPlan: String, CaseIterable, Codable, Sendable {
    /// Free: 10 active schedules, 1,000 messages a day.
    case free
    /// Pay as you go.
    case payg
    /// A fixed plan (Fixed 1M, the smallest: one million messages a day).
    case fixed
}

/// The scheduler layer that fires a job.
public enum Layer: String, CaseIterable, Codable, Sendable {
    /// Vercel Cron, declared in the app's `vercel.json`.
    case vercel
    /// Upstash QStash schedules.
    case qstash
    /// Supabase pg_cron inside the app's database (HTTP through pg_net, or plain SQL).
    case pgCron = "pg_cron"
    /// No scheduler: fired by hand or from CI.
    case manual
    /// Fired by another job (a dispatcher or heartbeat) that fans out to it.
    case fanout

    /// Whether jobs on this layer carry a schedule of their own.
    public var isScheduled: Bool {
        switch self {
        case .vercel, .qstash, .pgCron: return true
        case .manual, .fanout: return false
        }
    }
}

/// How rbscron authenticates to a job's endpoint.
public enum AuthKind: String, CaseIterable, Codable, Sendable {
    /// `Authorization: Bearer <CRON_SECRET>`.
    case cronSecret = "cron_secret"
    /// An `Upstash-Signature` JWT signed with the app's QStash signing key.
    case qstash
    /// Supabase service role: `Authorization: Bearer` and `apikey`.
    case serviceRole = "service_role"
    /// No credential.
    case none
}

/// How urgent a job is; orchestration runs higher priorities first.
public enum Priority: String, CaseIterable, Codable, Sendable, Comparable {
    case critical, high, medium, low

    var rank: Int {
        switch self {
        case .critical: return 0
        case .high: return 1
        case .medium: return 2
        case .low: return 3
        }
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rank < rhs.rank }
}

/// The HTTP methods a job or health target may use.
public enum HTTPMethod: String, CaseIterable, Codable, Sendable {
    case GET, POST, PUT, PATCH, DELETE, HEAD
}

/// The request rbscron makes to decide whether an app is up.
public struct HealthTarget: Codable, Sendable, Equatable {
    public var path: String
    public var method: HTTPMethod
    public var expectedStatus: Int

    public init(path: String = "/", method: HTTPMethod = .HEAD, expectedStatus: Int = 200) {
        self.path = path
        self.method = method
        self.expectedStatus = expectedStatus
    }
}

/// A Supabase project behind an app (pg_cron, keep-alive).
public struct SupabaseProject: Codable, Sendable, Equatable {
    /// `https://<ref>.supabase.co`; unknown until an operator sets it.
    public var url: String?
    public var projectRef: String?
    /// The pg_cron release the project runs, when recorded; nil means Supabase's (``PgCronVersion/supabase``).
    public var pgCronVersion: PgCronVersion?

    public init(url: String? = nil, projectRef: String? = nil, pgCronVersion: PgCronVersion? = nil) {
        self.url = url
        self.projectRef = projectRef
        self.pgCronVersion = pgCronVersion
    }

    /// The version schedules are checked against: the recorded one, else Supabase's.
    public var effectivePgCronVersion: PgCronVersion { pgCronVersion ?? .supabase }

    /// The recorded version as stored (`1.4`), or nil.
    public var pgCronVersionText: String? { pgCronVersion?.description }

    /// A project whose recorded version is stored as text (an unreadable text reads as not recorded).
    public init(url: String?, projectRef: String?, pgCronVersionText: String?) {
        self.init(url: url, projectRef: projectRef, pgCronVersion: pgCronVersionText.flatMap(PgCronVersion.init))
    }
}

/// One web app of the ecosystem.
public struct App: Codable, Sendable, Equatable {
    /// A slug: lowercase letters, digits and hyphens (`la-hoja`).
    public var name: String
    /// The human name, accents kept (`La Hoja`, `Baúl`).
    public var displayName: String
    public var baseURL: String
    public var platform: Platform
    public var vercelPlan: VercelPlan?
    /// Whether the app's vercel.json uses Vercel Cron (`crons`, the default) or Vercel Schedules (`schedules`).
    public var vercelMode: VercelMode
    /// The plan of the QStash account this app's QStash jobs use, when recorded.
    public var qstashPlan: QStashPlan?
    public var health: HealthTarget
    public var supabase: SupabaseProject?
    /// The Vercel project (its id `prj_…` or its name) whose cron state and request log `stats --sync` reads;
    /// without it the app's Vercel fires are unobserved.
    public var vercelProject: String?
    /// The Vercel team (`team_…`) that owns the project; nil for a personal account's project.
    public var vercelTeam: String?
    public var active: Bool
    public var notes: String

    public init(
        name: String, displayName: String, baseURL: String, platform: Platform,
        vercelPlan: VercelPlan? = nil, vercelMode: VercelMode = .crons, qstashPlan: QStashPlan? = nil,
        health: HealthTarget = HealthTarget(), supabase: SupabaseProject? = nil, vercelProject: String? = nil,
        vercelTeam: String? = nil, active: Bool = true, notes: String = ""
    ) {
        self.name = name
        self.displayName = displayName
        self.baseURL = baseURL
        self.platform = platform
        self.vercelPlan = vercelPlan
        self.vercelMode = vercelMode
        self.qstashPlan = qstashPlan
        self.health = health
        self.supabase = supabase
        self.vercelProject = vercelProject
        self.vercelTeam = vercelTeam
        self.active = active
        self.notes = notes
    }

    /// The pg_cron release of the app's Supabase project (Supabase's when not recorded, or without a project).
    public var pgCronVersion: PgCronVersion { supabase?.effectivePgCronVersion ?? .supabase }
}

/// A job's address: `APP/JOB`.
public struct JobRef: Hashable, Codable, Sendable, CustomStringConvertible, Comparable {
    public var app: String
    public var job: String

    public init(app: String, job: String) {
        self.app = app
        self.job = job
    }

    /// Parses `APP/JOB`; both parts must be slugs.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, Slug.isValid(String(parts[0])), Slug.isValid(String(parts[1])) else { return nil }
        self.app = String(parts[0])
        self.job = String(parts[1])
    }

    public var description: String { "\(app)/\(job)" }

    public static func < (lhs: JobRef, rhs: JobRef) -> Bool {
        (lhs.app, lhs.job) < (rhs.app, rhs.job)
    }
}

/// One scheduled or triggerable endpoint (or, on pg_cron, a SQL command).
public struct Job: Codable, Sendable, Equatable {
    /// The longest a job's timeout may be (24h), in the manifest and in `trigger --timeout`.
    public static let maximumTimeoutMs = 86_400_000

    public var app: String
    /// A slug, unique within the app.
    public var name: String
    /// The HTTP path on the app's base URL; nil for a pg_cron job that runs SQL.
    public var path: String?
    /// The SQL a pg_cron job runs inside the database, when it makes no HTTP call.
    public var sql: String?
    public var method: HTTPMethod
    public var layer: Layer
    /// The schedule in the layer's dialect; nil for manual and fan-out jobs.
    public var schedule: String?
    /// The IANA zone the schedule is meant in.
    public var timezone: String
    public var auth: AuthKind
    /// Per-attempt timeout, in milliseconds.
    public var timeoutMs: Int
    /// Attempts after the first.
    public var retries: Int
    public var priority: Priority
    public var enabled: Bool
    /// The job that fans out to this one, if any.
    public var triggeredBy: JobRef?
    /// Position among the fan-out parent's children (1-based).
    public var order: Int?
    /// Jobs (of the same fan-out group) that must succeed first.
    public var dependsOn: [JobRef]
    public var description: String
    /// The time-of-day group an orchestrator runs it in (seed 003): `hourly`, `daily@09:00`,
    /// `weekly@sun-10:00`; `trigger --app A --schedule …` runs a group by hand.
    public var group: String?
    /// The job's own alert thresholds (manifest `alert:`); nil takes the `alert check` defaults.
    public var alert: JobAlertPolicy?
    /// Vercel Schedules only: the jitter window of each run, in minutes (Vercel starts the run at a random
    /// moment within it); nil for none.
    public var jitter: Int?

    public var ref: JobRef { JobRef(app: app, job: name) }

    public init(
        app: String, name: String, path: String?, sql: String? = nil, method: HTTPMethod = .POST,
        layer: Layer, schedule: String? = nil, timezone: String = "UTC", auth: AuthKind = .cronSecret,
        timeoutMs: Int = 60_000, retries: Int = 0, priority: Priority = .medium, enabled: Bool = true,
        triggeredBy: JobRef? = nil, order: Int? = nil, dependsOn: [JobRef] = [], description: String = "",
        group: String? = nil, alert: JobAlertPolicy? = nil, jitter: Int? = nil
    ) {
        self.app = app
        self.name = name
        self.path = path
        self.sql = sql
        self.method = method
        self.layer = layer
        self.schedule = schedule
        self.timezone = timezone
        self.auth = auth
        self.timeoutMs = timeoutMs
        self.retries = retries
        self.priority = priority
        self.enabled = enabled
        self.triggeredBy = triggeredBy
        self.order = order
        self.dependsOn = dependsOn
        self.description = description
        self.group = group
        self.alert = alert
        self.jitter = jitter
    }
}

/// The whole inventory: apps and their jobs, in a stable order.
///
/// Lookups by name go through an index built on first use and dropped whenever `apps` or `jobs` change, so code
/// that looks up every job's app (listings, checks, export) stays linear in the size of the inventory.
public struct Inventory: Sendable, Equatable {
    public var apps: [App] { didSet { index = IndexBox() } }
    public var jobs: [Job] { didSet { index = IndexBox() } }
    /// Recurring windows in which incidents notify no one (manifest `maintenance:`).
    public var maintenance: [MaintenanceWindow]
    private var index = IndexBox()

    public init(apps: [App], jobs: [Job], maintenance: [MaintenanceWindow] = []) {
        self.apps = apps
        self.jobs = jobs
        self.maintenance = maintenance
    }

    public static func == (lhs: Inventory, rhs: Inventory) -> Bool {
        lhs.apps == rhs.apps && lhs.jobs == rhs.jobs && lhs.maintenance == rhs.maintenance
    }

    /// The app named `name` (the first, should a manifest declare it twice).
    public func app(named name: String) -> App? { lookup.appPosition[name].map { apps[$0] } }

    public func job(_ ref: JobRef) -> Job? { lookup.jobPosition[ref].map { jobs[$0] } }

    /// The jobs of app `name`, in inventory order.
    public func jobs(ofApp name: String) -> [Job] { (lookup.jobsOfApp[name] ?? []).map { jobs[$0] } }

    /// The pg_cron release of `app`'s Supabase project (Supabase's 1.6 when not recorded).
    public func pgCronVersion(of app: String) -> PgCronVersion {
        self.app(named: app)?.pgCronVersion ?? .supabase
    }

    /// The fan-out children of a job, in their order.
    public func children(of ref: JobRef) -> [Job] {
        (lookup.children[ref] ?? []).map { jobs[$0] }
            .sorted { ($0.order ?? Int.max, $0.name) < ($1.order ?? Int.max, $1.name) }
    }

    private var lookup: Lookup { index.get(apps: apps, jobs: jobs) }

    /// Positions by name, for one value of `apps` and `jobs`.
    struct Lookup: Sendable {
        var appPosition: [String: Int] = [:]
        var jobPosition: [JobRef: Int] = [:]
        var jobsOfApp: [String: [Int]] = [:]
        var children: [JobRef: [Int]] = [:]

        init(apps: [App], jobs: [Job]) {
            appPosition.reserveCapacity(apps.count)
            for (i, app) in apps.enumerated() where appPosition[app.name] == nil { appPosition[app.name] = i }
            jobPosition.reserveCapacity(jobs.count)
            for (i, job) in jobs.enumerated() {
                if jobPosition[job.ref] == nil { jobPosition[job.ref] = i }
                jobsOfApp[job.app, default: []].append(i)
                if let parent = job.triggeredBy { children[parent, default: []].append(i) }
            }
        }
    }

    /// The lazily built ``Lookup``, shared by copies until one of them changes (which gives it a new box).
    final class IndexBox: @unchecked Sendable {
        private let lock = NSLock()
        private var built: Lookup?

        func get(apps: [App], jobs: [Job]) -> Lookup {
            lock.lock()
            defer { lock.unlock() }
            if let built { return built }
            let lookup = Lookup(apps: apps, jobs: jobs)
            built = lookup
            return lookup
        }
    }
}

/// Slug rules shared by app and job names.
public enum Slug {
    /// Lowercase ASCII letters and digits, single hyphens between them, 1–63 characters.
    public static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 63, !text.hasPrefix("-"), !text.hasSuffix("-"), !text.contains("--") else {
            return false
        }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}

extension Layer {
    /// The cron dialect the layer speaks.
    public var dialect: CronDialect {
        switch self {
        case .vercel: return .vercel
        case .qstash: return .qstash
        case .pgCron: return .pgCron
        case .manual, .fanout: return .vixie
        }
    }
}
