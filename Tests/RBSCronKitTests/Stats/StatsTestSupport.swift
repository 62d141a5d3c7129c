import Foundation
import GRDB
@testable import RBSCronKit

/// A small inventory and helpers to write history rows directly, for the stats, dashboard and cleanup tests.
enum StatsFixture {
    /// 2026-04-10T12:00:00Z.
    static let now = Date(timeIntervalSince1970: 1_775_822_400)
    static let hour: TimeInterval = 3600
    static let day: TimeInterval = 86_400

    static let apps = [
        App(name: "camino", displayName: "Camino", baseURL: "https://camino.example.test", platform: .vercel,
            supabase: SupabaseProject(url: "https://abcd.supabase.co", projectRef: "abcd")),
        App(name: "colectiva", displayName: "Colectiva", baseURL: "https://colectiva.example.test", platform: .vercel),
    ]

    static let jobs = [
        // Hourly on the hour.
        Job(app: "camino", name: "hourly", path: "/api/cron/hourly", layer: .vercel, schedule: "0 * * * *",
            description: "Hourly <sync> & \"report\""),
        Job(app: "camino", name: "sync", path: "/api/cron/sync", layer: .pgCron, schedule: "*/30 * * * *"),
        Job(app: "camino", name: "keep-alive-ping", path: nil, sql: "SELECT keep_alive()", layer: .pgCron,
            schedule: "0 12 */3 * *", auth: .none),
        Job(app: "colectiva", name: "heartbeat", path: "/api/cron/heartbeat", layer: .qstash, schedule: "*/30 * * * *",
            auth: .qstash),
        Job(app: "colectiva", name: "by-hand", path: "/api/cron/by-hand", layer: .manual),
    ]

    static func store(addedAt: Date = now.addingTimeInterval(-30 * day)) throws -> InventoryStore {
        try InventoryStore.inMemory(seed: Inventory(apps: apps, jobs: jobs), now: addedAt)
    }

    /// A workspace over `store` whose secrets and service URLs come from `environment` only (as in CI), with the
    /// real transport and the fixture's clock.
    static func workspace(_ store: InventoryStore, environment: [String: String]) -> Workspace {
        Workspace(store: store, environment: environment, clock: RunEnvironment(now: { now }),
                  transport: { CurlTransport(userAgent: RBSCronVersion.userAgent) })
    }

    /// `stats --sync` of the last day: the summary of `layer`, nil when it read nothing.
    static func sync(_ store: InventoryStore, layer: String, app: String? = nil,
                     environment: [String: String]) async throws -> SyncSummary? {
        try await workspace(store, environment: environment).syncHistory(StatsQuery(app: app, since: day, now: now))
            .first { $0.layer == layer }
    }

    struct RunRow {
        var app = "camino"
        var job = "hourly"
        var source = "manual"
        var scheduledFor: Date?
        var startedAt: Date
        var state = "finished"
        var outcome: String? = "ok"
        var httpStatus: Int?
        var durationMs: Double?
        var error: String?
        var excerpt: String?
    }

    static func insert(_ runs: [RunRow], into store: InventoryStore) throws {
        try store.writer.write { db in
            for r in runs {
                try db.execute(sql: """
                    INSERT INTO runs (app, job, source, scheduled_for, started_at, finished_at, state, attempts,
                                      http_status, outcome, duration_ms, error, response_excerpt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
                    """, arguments: [r.app, r.job, r.source, r.scheduledFor.map(Timestamp.ms), Timestamp.ms(r.startedAt),
                                     r.state == "started" ? nil : Timestamp.ms(r.startedAt) + Int64(r.durationMs ?? 0),
                                     r.state, r.httpStatus, r.outcome, r.durationMs, r.error, r.excerpt])
            }
        }
    }

    static func insertHealth(_ app: String, at: Date, status: String, totalMs: Double?, into store: InventoryStore) throws {
        try store.writer.write { db in
            try db.execute(sql: """
                INSERT INTO health_checks (app, checked_at, status, method, total_ms) VALUES (?, ?, ?, 'HEAD', ?)
                """, arguments: [app, Timestamp.ms(at), status, totalMs])
        }
    }

    static func insertPing(_ app: String, at: Date, ok: Bool, into store: InventoryStore) throws {
        try store.writer.write { db in
            try db.execute(sql: "INSERT INTO keepalive_pings (app, pinged_at, ok) VALUES (?, ?, ?)",
                           arguments: [app, Timestamp.ms(at), ok])
        }
    }

    static func insertDeadLetter(_ app: String, _ job: String, at: Date, error: String, resolved: Bool = false,
                                 into store: InventoryStore) throws {
        try store.writer.write { db in
            try db.execute(sql: """
                INSERT INTO dead_letters (app, job, payload, last_error, attempts, created_at, resolved_at)
                VALUES (?, ?, 'payload-secret-ish', ?, 3, ?, ?)
                """, arguments: [app, job, error, Timestamp.ms(at), resolved ? Timestamp.ms(at) : nil])
        }
    }

    static func count(_ table: String, in store: InventoryStore) throws -> Int {
        try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }

    static func stats(_ store: InventoryStore, since: TimeInterval = 7 * day, app: String? = nil, job: String? = nil) throws -> StatsReport {
        try StatsEngine.report(store: store, query: StatsQuery(app: app, job: job, since: since, now: now))
    }
}

extension StatsReport {
    func job(_ ref: String) -> JobStats? { jobs.first { $0.ref.description == ref } }
}
