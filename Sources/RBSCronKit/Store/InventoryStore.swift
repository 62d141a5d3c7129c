import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the inventory file could not be used.
public enum StoreError: Error, LocalizedError, Sendable {
    case cannotCreateFolder(path: String, reason: String)
    case cannotOpen(path: String, reason: String)
    case newerSchema(path: String)
    case database(String)

    public var errorDescription: String? {
        switch self {
        case .cannotCreateFolder(let path, let reason):
            return "cannot create the inventory folder '\(path)': \(reason). Choose another file with --db or RBSCRON_DB."
        case .cannotOpen(let path, let reason):
            return "cannot open the inventory '\(path)': \(reason). Check the path, or choose another file with --db or RBSCRON_DB."
        case .newerSchema(let path):
            return "the inventory '\(path)' was written by a newer rbscron; upgrade rbscron to use it (nothing was changed)."
        case .database(let message):
            return "inventory database error: \(message)"
        }
    }
}

/// Failures a test can switch on in a store, standing in for a full disk.
struct StoreFaults {
    /// ``InventoryStore/finishRun(_:_:)`` fails as SQLite does when the disk is full.
    var failRunCompletion = false
    /// The free bytes ``InventoryStore/availableBytes()`` reports, instead of the file system's.
    var availableBytes: Int64?
}

/// Where the inventory file lives.
public enum StorePaths {
    /// `RBSCRON_DB`, else `$XDG_DATA_HOME/rbscron/inventory.sqlite`, else `~/.local/share/rbscron/inventory.sqlite`.
    public static func defaultDatabasePath(environment: [String: String]) -> String {
        if let explicit = environment["RBSCRON_DB"], !explicit.isEmpty { return explicit }
        let base: String
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            base = home + "/.local/share"
        }
        return base + "/rbscron/inventory.sqlite"
    }
}

/// What an import changed.
public struct ImportSummary: Codable, Sendable, Equatable {
    public var apps: Int
    public var jobs: Int
    public var appsAdded: [String]
    public var appsRemoved: [String]
    public var jobsAdded: [String]
    public var jobsRemoved: [String]
    public var jobsChanged: [String]
    /// How many maintenance windows the manifest declares.
    public var maintenanceWindows: Int
    public var dryRun: Bool

    /// The import removes apps or jobs: what needs a confirmation.
    public var removesSomething: Bool { !appsRemoved.isEmpty || !jobsRemoved.isEmpty }

    /// The `import --json` keys.
    enum CodingKeys: String, CodingKey {
        case apps, jobs, appsAdded = "apps_added", appsRemoved = "apps_removed", jobsAdded = "jobs_added",
             jobsRemoved = "jobs_removed", jobsChanged = "jobs_changed", maintenanceWindows = "maintenance_windows",
             dryRun = "dry_run"
    }
}

/// The local SQLite inventory: apps, jobs, secrets and the history of runs and checks.
///
/// One file in WAL mode, mode 0600 in a 0700 folder, created and seeded with the embedded
/// ecosystem on first use. Every write method runs one transaction.
public final class InventoryStore: Sendable {
    /// The file path, or `:memory:`.
    public let path: String
    let writer: any DatabaseWriter
    /// Failures tests provoke where a real one cannot be made on demand (a full disk).
    let faults = Locked(StoreFaults())

    private init(path: String, writer: any DatabaseWriter) {
        self.path = path
        self.writer = writer
    }

    static func configuration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        // Concurrent rbscron processes share the file; wait rather than fail with "database is locked".
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return config
    }

    /// Opens (creating and seeding if needed) the inventory at `path`.
    /// - Parameters:
    ///   - seed: makes the inventory loaded into a new file; nil leaves it empty. Called only for a new file.
    ///   - readOnly: open an existing file for reading only (the commands that only read): nothing is written to it,
    ///     so a read-only file or folder still lists and exports. A missing file is still created and seeded, and one
    ///     written by an older rbscron is migrated first when it can be written.
    public static func open(path: String, seed: (() throws -> Inventory)? = nil, now: Date = Date(),
                            readOnly: Bool = false) throws(StoreError) -> InventoryStore {
        var info = stat()
        if stat(path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                if readOnly, let store = try openReadOnly(path: path) { return store }
            case S_IFDIR:
                throw .cannotOpen(path: path, reason: "it is a folder")
            default:
                // SQLite would read a device or a pipe as an empty database and create a journal beside it.
                throw .cannotOpen(path: path, reason: "it is not a regular file (a device, a pipe or a socket), and the "
                                  + "inventory is an SQLite file")
            }
        }
        let fm = FileManager.default
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !fm.fileExists(atPath: folder) {
            do {
                try fm.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                       attributes: [.posixPermissions: 0o700])
            } catch {
                throw .cannotCreateFolder(path: folder, reason: Self.reason(error))
            }
        }
        if !fm.fileExists(atPath: path) {
            // Create the file 0600 before SQLite does, so it never exists with looser permissions;
            // SQLite gives the -wal and -shm files the same mode.
            let fd = posixOpen(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 {
                fchmod(fd, 0o600)
                close(fd)
            } else if errno != EEXIST {
                throw .cannotOpen(path: path, reason: "the file cannot be created: \(SystemErrorText.errno(errno))")
            }
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration())
        } catch {
            throw .cannotOpen(path: path, reason: Self.reason(error))
        }
        let store = InventoryStore(path: path, writer: pool)
        try store.prepare(seed: seed, now: now)
        return store
    }

    /// An in-memory store for tests.
    public static func inMemory(seed: Inventory? = nil, now: Date = Date()) throws(StoreError) -> InventoryStore {
        try inMemory(seeding: seed.map { inventory in { inventory } }, now: now)
    }

    static func inMemory(seeding seed: (() throws -> Inventory)?, now: Date) throws(StoreError) -> InventoryStore {
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(configuration: configuration())
        } catch {
            throw .database(Self.reason(error))
        }
        let store = InventoryStore(path: ":memory:", writer: queue)
        try store.prepare(seed: seed, now: now)
        return store
    }

    private func prepare(seed: (() throws -> Inventory)?, now: Date) throws(StoreError) {
        let migrator = Schema.migrator()
        try run {
            if try writer.read({ try migrator.hasBeenSuperseded($0) }) { throw StoreError.newerSchema(path: path) }
            try migrator.migrate(writer)
            try writer.write { db in
                let seeded = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'seeded_at'")
                guard seeded == nil else { return }
                if let seed { try Self.insert(try seed(), into: db, addedAt: [:], now: now) }
                try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('seeded_at', ?)",
                               arguments: [Timestamp.rfc3339(now)])
            }
        }
        if path != ":memory:" {
            // Tighten an existing file that someone loosened (group and others lose their bits; the owner's are
            // kept, so a file made read-only stays so); the folder is left as the user made it.
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & 0o077 != 0 { chmod(path, info.st_mode & 0o700) }
        }
    }

    /// The existing inventory at `path` opened for reading only; nil when it must be opened for writing first (its
    /// schema is behind and the file may be written, so it is migrated).
    private static func openReadOnly(path: String) throws(StoreError) -> InventoryStore? {
        var config = configuration()
        config.readonly = true
        let migrator = Schema.migrator()
        func attempt(_ location: String) throws -> (InventoryStore, complete: Bool) {
            let pool = try DatabasePool(path: location, configuration: config)
            let store = InventoryStore(path: path, writer: pool)
            let (superseded, complete) = try pool.read { db in
                (try migrator.hasBeenSuperseded(db), try migrator.hasCompletedMigrations(db))
            }
            if superseded { throw StoreError.newerSchema(path: path) }
            return (store, complete)
        }
        let opened: (InventoryStore, complete: Bool)
        do {
            opened = try attempt(path)
        } catch let error as StoreError {
            throw error
        } catch {
            // A WAL file whose folder cannot be written has no -shm to read through; nothing can write it either
            // (a writer would need that folder too), so it is read as immutable.
            let folder = (path as NSString).deletingLastPathComponent
            guard access(folder.isEmpty ? "." : folder, W_OK) != 0, let uri = immutableURI(path),
                  let again = try? attempt(uri) else {
                throw .cannotOpen(path: path, reason: reason(error))
            }
            opened = again
        }
        if opened.complete { return opened.0 }
        guard access(path, W_OK) == 0 else {
            throw .cannotOpen(path: path, reason: "it was written by an older rbscron and must be upgraded, which needs "
                              + "write access; run any command with write access to it once")
        }
        return nil
    }

    /// `file:` URI for `path` with `immutable=1`.
    private static func immutableURI(_ path: String) -> String? {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        guard let encoded = absolute.addingPercentEncoding(withAllowedCharacters: allowed) else { return nil }
        return "file://\(encoded)?immutable=1"
    }

    /// Runs database work, turning any failure into a `StoreError`.
    func run<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database(Self.reason(error))
        }
    }

    static func reason(_ error: any Error) -> String {
        if let db = error as? DatabaseError {
            return db.message ?? "SQLite error \(db.resultCode.rawValue)"
        }
        return SystemErrorText.describe(error)
    }

    // MARK: - Inventory

    /// The whole inventory, in manifest order.
    public func inventory() throws(StoreError) -> Inventory {
        try run { try writer.read { db in try Self.readInventory(db) } }
    }

    /// The bytes free for this process on the file system holding the inventory; nil in memory or when unknown.
    public func availableBytes() -> Int64? {
        if let injected = faults.withLock({ $0.availableBytes }) { return injected }
        guard path != ":memory:" else { return nil }
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// How many apps, jobs and secrets the file holds.
    public func counts() throws(StoreError) -> (apps: Int, jobs: Int, secrets: Int) {
        try run {
            try writer.read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM apps") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM secrets") ?? 0)
            }
        }
    }

    /// When each job entered the inventory (missed fires are only counted after it).
    public func jobAddedTimes() throws(StoreError) -> [JobRef: Date] {
        try run {
            try writer.read { db in
                var result: [JobRef: Date] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT app, name, added_at FROM jobs") {
                    result[JobRef(app: row["app"], job: row["name"])] = Timestamp.date(ms: row["added_at"])
                }
                return result
            }
        }
    }

    /// Replaces apps and jobs with `inventory` in one transaction. Secrets and history are kept.
    /// With `dryRun`, computes the summary and writes nothing.
    public func replaceInventory(with inventory: Inventory, dryRun: Bool = false, now: Date = Date()) throws(StoreError) -> ImportSummary {
        try run {
            try writer.write { db in
                let before = try Self.readInventory(db)
                let summary = Self.summary(from: before, to: inventory, dryRun: dryRun)
                if dryRun { return summary }
                var addedAt: [JobRef: Int64] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT app, name, added_at FROM jobs") {
                    addedAt[JobRef(app: row["app"], job: row["name"])] = row["added_at"]
                }
                try db.execute(sql: "DELETE FROM jobs")
                try db.execute(sql: "DELETE FROM apps")
                try db.execute(sql: "DELETE FROM maintenance_windows")
                try Self.insert(inventory, into: db, addedAt: addedAt, now: now)
                return summary
            }
        }
    }

    /// Records that `app` moved to Vercel Schedules: its `vercel_mode` becomes `schedules` and the jobs named in `moved`
    /// (pg_cron jobs of the app) move to the vercel layer, in one transaction.
    public func recordVercelSchedules(app: String, moved: [String]) throws(StoreError) {
        try run {
            try writer.write { db in
                try db.execute(sql: "UPDATE apps SET vercel_mode = 'schedules' WHERE name = ?", arguments: [app])
                for job in moved {
                    try db.execute(sql: "UPDATE jobs SET layer = 'vercel' WHERE app = ? AND name = ? AND layer = 'pg_cron'",
                                   arguments: [app, job])
                }
            }
        }
    }

    private static func summary(from before: Inventory, to after: Inventory, dryRun: Bool) -> ImportSummary {
        let oldApps = Set(before.apps.map(\.name)), newApps = Set(after.apps.map(\.name))
        let oldJobs = Dictionary(before.jobs.map { ($0.ref, $0) }, uniquingKeysWith: { a, _ in a })
        let newJobs = Dictionary(after.jobs.map { ($0.ref, $0) }, uniquingKeysWith: { a, _ in a })
        let changed = newJobs.compactMap { ref, job in oldJobs[ref].map { $0 == job ? nil : ref.description } ?? nil }
        return ImportSummary(
            apps: after.apps.count, jobs: after.jobs.count,
            appsAdded: newApps.subtracting(oldApps).sorted(), appsRemoved: oldApps.subtracting(newApps).sorted(),
            jobsAdded: Set(newJobs.keys).subtracting(oldJobs.keys).map(\.description).sorted(),
            jobsRemoved: Set(oldJobs.keys).subtracting(newJobs.keys).map(\.description).sorted(),
            jobsChanged: changed.sorted(), maintenanceWindows: after.maintenance.count, dryRun: dryRun)
    }

    private static func insert(_ inventory: Inventory, into db: Database, addedAt: [JobRef: Int64], now: Date) throws {
        let nowMs = Timestamp.ms(now)
        for (position, app) in inventory.apps.enumerated() {
            try db.execute(sql: """
                INSERT INTO apps (name, display_name, base_url, platform, vercel_plan, health_path, health_method,
                                  health_expect, has_supabase, supabase_url, supabase_ref, active, notes, position,
                                  vercel_project, vercel_team, vercel_mode, qstash_plan, supabase_pg_cron_version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [app.name, app.displayName, app.baseURL, app.platform.rawValue, app.vercelPlan?.rawValue,
                                 app.health.path, app.health.method.rawValue, app.health.expectedStatus,
                                 app.supabase != nil, app.supabase?.url, app.supabase?.projectRef, app.active,
                                 app.notes, position, app.vercelProject, app.vercelTeam, app.vercelMode.rawValue,
                                 app.qstashPlan?.rawValue, app.supabase?.pgCronVersionText])
        }
        for (position, job) in inventory.jobs.enumerated() {
            let deps = String(decoding: try JSONEncoder().encode(job.dependsOn.map(\.description)), as: UTF8.self)
            let alert = try job.alert.flatMap { $0.isEmpty ? nil : String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
            try db.execute(sql: """
                INSERT INTO jobs (app, name, path, sql, method, layer, schedule, timezone, auth, timeout_ms, retries,
                                  priority, enabled, triggered_by_app, triggered_by_job, fanout_order, depends_on,
                                  description, position, added_at, task_group, alert_policy, jitter)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [job.app, job.name, job.path, job.sql, job.method.rawValue, job.layer.rawValue,
                                 job.schedule, job.timezone, job.auth.rawValue, job.timeoutMs, job.retries,
                                 job.priority.rawValue, job.enabled, job.triggeredBy?.app, job.triggeredBy?.job,
                                 job.order, deps, job.description, position, addedAt[job.ref] ?? nowMs, job.group, alert,
                                 job.jitter])
        }
        for (position, window) in inventory.maintenance.enumerated() {
            try db.execute(sql: """
                INSERT INTO maintenance_windows (name, cron, timezone, duration_ms, apps, jobs, reason, position)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [window.name, window.cron, window.timezone, window.durationMs,
                                 String(decoding: try JSONEncoder().encode(window.apps), as: UTF8.self),
                                 String(decoding: try JSONEncoder().encode(window.jobs.map(\.description)), as: UTF8.self),
                                 window.reason, position])
        }
    }

    private static func readInventory(_ db: Database) throws -> Inventory {
        var apps: [App] = []
        for row in try Row.fetchAll(db, sql: "SELECT * FROM apps ORDER BY position, name") {
            let hasSupabase: Bool = row["has_supabase"]
            apps.append(App(
                name: row["name"], displayName: row["display_name"], baseURL: row["base_url"],
                platform: Platform(rawValue: row["platform"]) ?? .other,
                vercelPlan: (row["vercel_plan"] as String?).flatMap(VercelPlan.init(rawValue:)),
                vercelMode: (row["vercel_mode"] as String?).flatMap(VercelMode.init(rawValue:)) ?? .crons,
                qstashPlan: (row["qstash_plan"] as String?).flatMap(QStashPlan.init(rawValue:)),
                health: HealthTarget(path: row["health_path"],
                                     method: HTTPMethod(rawValue: row["health_method"]) ?? .HEAD,
                                     expectedStatus: row["health_expect"]),
                supabase: hasSupabase ? SupabaseProject(url: row["supabase_url"], projectRef: row["supabase_ref"],
                                                        pgCronVersionText: row["supabase_pg_cron_version"]) : nil,
                vercelProject: row["vercel_project"], vercelTeam: row["vercel_team"],
                active: row["active"], notes: row["notes"]))
        }
        var jobs: [Job] = []
        for row in try Row.fetchAll(db, sql: "SELECT * FROM jobs ORDER BY position, app, name") {
            let parent: JobRef? = {
                guard let app: String = row["triggered_by_app"], let job: String = row["triggered_by_job"] else { return nil }
                return JobRef(app: app, job: job)
            }()
            let depsText: String = row["depends_on"]
            let deps = ((try? JSONDecoder().decode([String].self, from: Data(depsText.utf8))) ?? []).compactMap(JobRef.init)
            jobs.append(Job(
                app: row["app"], name: row["name"], path: row["path"], sql: row["sql"],
                method: HTTPMethod(rawValue: row["method"]) ?? .POST, layer: Layer(rawValue: row["layer"]) ?? .manual,
                schedule: row["schedule"], timezone: row["timezone"], auth: AuthKind(rawValue: row["auth"]) ?? .none,
                timeoutMs: row["timeout_ms"], retries: row["retries"],
                priority: Priority(rawValue: row["priority"]) ?? .medium, enabled: row["enabled"],
                triggeredBy: parent, order: row["fanout_order"], dependsOn: deps, description: row["description"],
                group: row["task_group"],
                alert: (row["alert_policy"] as String?).flatMap { try? JSONDecoder().decode(JobAlertPolicy.self, from: Data($0.utf8)) },
                jitter: row["jitter"]))
        }
        var maintenance: [MaintenanceWindow] = []
        for row in try Row.fetchAll(db, sql: "SELECT * FROM maintenance_windows ORDER BY position, name") {
            func list(_ column: String) -> [String] {
                let text: String = row[column]
                return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
            }
            let name: String = row["name"], cron: String = row["cron"], zone: String = row["timezone"]
            let durationMs: Int = row["duration_ms"], reason: String = row["reason"]
            let jobs: [JobRef] = list("jobs").compactMap { JobRef($0) }
            maintenance.append(MaintenanceWindow(name: name, cron: cron, timezone: zone, durationMs: durationMs,
                                                 apps: list("apps"), jobs: jobs, reason: reason))
        }
        return Inventory(apps: apps, jobs: jobs, maintenance: maintenance)
    }
}

/// open(2), named apart from ``InventoryStore/open(path:seed:now:readOnly:)``.
private func posixOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}
