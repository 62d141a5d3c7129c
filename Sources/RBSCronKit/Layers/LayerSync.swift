import Foundation

/// What `schedule plan|apply`, `list schedules --remote` and `cleanup --remote` ask of a layer.
public struct LayerRequest: Sendable {
    /// Only this app (required for vercel and pg_cron: one vercel.json, one database per app).
    public var app: String?
    /// The app's `vercel.json` (vercel layer).
    public var vercelJSON: String
    /// Where a pg_cron migration is written (pg_cron layer).
    public var migrationsDirectory: String
    /// QStash: also delete schedules rbscron did not make.
    public var pruneForeign: Bool
    public var now: Date

    public init(app: String? = nil, vercelJSON: String? = nil, migrationsDirectory: String? = nil, pruneForeign: Bool = false,
                now: Date = Date()) {
        self.app = app
        self.vercelJSON = vercelJSON ?? "vercel.json"
        self.migrationsDirectory = migrationsDirectory ?? PgCronSync.defaultDirectory
        self.pruneForeign = pruneForeign
        self.now = now
    }
}

/// What a layer holds, as `list schedules --remote` reports it; encodes as the layer's own report.
public enum RemoteSchedules: Encodable, Sendable {
    case qstash([RemoteScheduleReport], app: String?)
    case pgCron(PgCronRemoteReport)
    case vercel(VercelRemoteReport)

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .qstash(let schedules, _): try schedules.encode(to: encoder)
        case .pgCron(let report): try report.encode(to: encoder)
        case .vercel(let report): try report.encode(to: encoder)
        }
    }
}

/// What `cleanup --remote` did on a layer; encodes as the layer's own report.
public enum RemoteCleanupReport: Encodable, Sendable {
    case qstash(QStashCleanupReport)
    case pgCron(PgCronCleanupReport)

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .qstash(let report): try report.encode(to: encoder)
        case .pgCron(let report): try report.encode(to: encoder)
        }
    }
}

/// What `stats --sync` read back from one layer.
public struct SyncSummary: Encodable, Sendable, Equatable {
    public var layer: String
    /// Project refs (pg_cron) or `qstash`.
    public var sources: [String]
    /// Events or history rows read.
    public var read: Int
    /// Rows that matched a job of the inventory and ended.
    public var matched: Int
    /// Runs that were new to the inventory.
    public var inserted: Int
    /// What the operator should know (a project skipped because it is paused or unreachable); not in the JSON.
    public var warnings: [String] = []

    public init(layer: String, sources: [String], read: Int, matched: Int, inserted: Int = 0) {
        self.layer = layer
        self.sources = sources
        self.read = read
        self.matched = matched
        self.inserted = inserted
    }

    enum CodingKeys: String, CodingKey { case layer, sources, read, matched, inserted }
}

/// The runs a layer's own history holds for the inventory's jobs, and what it learnt of its projects.
public struct LayerHistory: Sendable {
    public var summary: SyncSummary
    public var runs: [RemoteRun]
    /// Supabase projects: paused, unreachable, their pg_cron version, how far their history was read.
    public var projects: [ProjectState]
    /// Sentences for the operator (a project skipped because it is paused or unreachable).
    public var warnings: [String]
    /// Per job: how far back the layer was read, its schedule's state, the calls still in flight.
    public var observations: [LayerObservation]
    /// The layer's own dead letters of the jobs read (QStash's DLQ), when it keeps them and they were read.
    public var deadLetters: (origin: String, jobs: [JobRef], letters: [RemoteDeadLetter])?

    public init(summary: SyncSummary, runs: [RemoteRun], projects: [ProjectState] = [], warnings: [String] = [],
                observations: [LayerObservation] = [],
                deadLetters: (origin: String, jobs: [JobRef], letters: [RemoteDeadLetter])? = nil) {
        self.summary = summary
        self.runs = runs
        self.projects = projects
        self.warnings = warnings
        self.observations = observations
        self.deadLetters = deadLetters
    }
}

/// Why a layer request cannot be carried out as asked.
public enum LayerSyncError: Error, LocalizedError, Sendable, Equatable {
    /// `manual` and `fanout` have no scheduler.
    case notALayer(Layer)
    /// The layer works on one app at a time (one vercel.json, one database).
    case appRequired(Layer)
    /// The operation does not exist on this layer.
    case unsupported(Layer, operation: String, hint: String)

    public var errorDescription: String? {
        switch self {
        case .notALayer(let layer):
            return "the \(layer.rawValue) layer has no scheduler to sync; use qstash, vercel or pg_cron"
        case .appRequired(let layer):
            return "--layer \(layer.rawValue) needs --app APP (one vercel.json or database per app)"
        case .unsupported(let layer, let operation, let hint):
            return "\(operation) is not available for the \(layer.rawValue) layer: \(hint)"
        }
    }
}

/// One scheduler layer: what it should hold (plan), making it so (apply), what it holds (remote), and what it did
/// (history). QStash, Vercel and pg_cron adopt it; a new layer or a new kind of evidence slots in here.
public protocol LayerSync: Sendable {
    var layer: Layer { get }
    /// The inventory against what the layer holds.
    func plan(_ request: LayerRequest) async throws -> LayerPlan
    /// Makes the layer match the inventory (or, with `dryRun`, says what would change).
    func apply(_ request: LayerRequest, dryRun: Bool) async throws -> LayerApplyReport
    /// What the layer holds now.
    func remote(_ request: LayerRequest) async throws -> RemoteSchedules
    /// The layer's own record of the fires of `jobs` since `since`, read at `now` (the workspace's clock); nil when
    /// none of them is on this layer.
    func history(jobs: [Job], since: Date, now: Date) async throws -> LayerHistory?
}

extension LayerSync {
    /// The app a per-app layer works on, checked against the inventory.
    func requiredApp(_ request: LayerRequest, in inventory: Inventory) throws -> App {
        guard let name = request.app else { throw LayerSyncError.appRequired(layer) }
        try InventoryFilter(app: name).validate(against: inventory)
        guard let app = inventory.app(named: name) else { throw InventoryQueryError.unknownApp(name, suggestion: nil) }
        return app
    }
}
