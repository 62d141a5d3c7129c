import Foundation
import GRDB
import Testing
@testable import RBSCronKit

@Suite("inventory schema migrations keep what is there")
struct SchemaMigrationTests {
    @Test("005 rebuilds runs for the unknown and interrupted outcomes: every row, id and dead-letter link kept")
    func runOutcomes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("old.sqlite").path
        // A file as rbscron 0.1 left it: migrated up to 003, with runs and a dead letter pointing at one.
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator().migrate(queue, upTo: "003_stats_indexes")
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO meta (key, value) VALUES ('seeded_at', '2026-04-10T12:00:00Z');
                    INSERT INTO runs (id, app, job, source, started_at, finished_at, state, attempts, http_status, outcome,
                                      error, idempotency_key)
                    VALUES (7, 'camino', 'sync', 'manual', 1000, 2000, 'finished', 2, 503, 'http_error', 'HTTP 503', NULL),
                           (9, 'camino', 'sync', 'remote', 3000, 3100, 'finished', 1, 200, 'ok', NULL, 'pgcron:abcd:1');
                    INSERT INTO dead_letters (run_id, app, job, payload, last_error, attempts, created_at)
                    VALUES (7, 'camino', 'sync', NULL, 'HTTP 503', 2, 2000);
                    """)
            }
        }
        let store = try InventoryStore.open(path: path)
        let runs = try store.runs()
        #expect(runs.map(\.id) == [9, 7])
        #expect(runs.map(\.outcome) == [.ok, .httpError])
        #expect(runs.first?.idempotencyKey == "pgcron:abcd:1")
        #expect(try store.deadLetters().map(\.runID) == [7])
        // The new outcomes are accepted, an unknown word still is not, and ids keep growing after the old ones.
        let added = try store.insertRemoteRuns([RemoteRun(job: JobRef(app: "camino", job: "sync"), idempotencyKey: "x",
                                                          startedAt: Date(), finishedAt: Date(), outcome: "unknown")])
        #expect(added == 1)
        #expect(try store.runs().first?.id == 10)
        #expect(throws: StoreError.self) {
            try store.insertRemoteRuns([RemoteRun(job: JobRef(app: "camino", job: "sync"), idempotencyKey: "y",
                                                  startedAt: Date(), finishedAt: Date(), outcome: "whatever")])
        }
        // The stats index is back.
        let indexes = try store.writer.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs'") }
        #expect(Set(indexes).isSuperset(of: ["runs_by_job", "runs_by_time", "runs_stats"]))
    }
}
