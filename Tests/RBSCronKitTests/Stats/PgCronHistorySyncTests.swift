import Foundation
import RBSCronTestSupport
import Testing
@testable import RBSCronKit

// Nested in the pg_cron server suite so it shares its `.serialized` trait (cron.job is one table for every
// suite that uses the test server) and its condition: runs when RBSCRON_TEST_PG is set, fails under CI=true
// without it, skips otherwise.
extension PgCronServerTests {
    @Suite("stats --sync: pg_cron history through a Management API stand-in")
    struct HistorySync {
        static let token = "sbp_test_access_token_0123456789"
        typealias F = StatsFixture

        /// Supabase's `POST /v1/projects/{ref}/database/query`: runs the posted query on the test server with psql
        /// and answers its rows as a JSON array, as the Management API does.
        static func managementAPI(db: PgTestDatabase, ref: String, token: String = HistorySync.token) async throws
            -> LoopbackHTTPServer {
            try await LoopbackHTTPServer.jsonStandIn { request in
                guard request.method == "POST", request.path == "/v1/projects/\(ref)/database/query" else {
                    return (404, Data(#"{"message":"not found"}"#.utf8))
                }
                guard request.authorization == "Bearer \(token)" else { return (401, Data(#"{"message":"Unauthorized"}"#.utf8)) }
                let answer = await db.managementQuery(request.body)
                return (answer.status, Data(answer.body.utf8))
            }
        }

        @Test("reads cron.job_run_details for rbs-<app>-… and keep-alive jobs; a second sync adds nothing")
        func sync() async throws {
            let db = try await PgTestDatabase.open()
            // No defer to clear the jobs: every test opens the database through open(), which resets it.
            try await db.exec("""
                SET client_min_messages = warning;
                SELECT cron.schedule('rbs-camino-sync', '0 0 1 1 *', 'SELECT 1');
                SELECT cron.schedule('keep-alive-ping', '0 0 1 1 *', 'SELECT 1');
                SELECT cron.schedule('someone-else', '0 0 1 1 *', 'SELECT 1');
                UPDATE cron.job SET active = false;
                INSERT INTO cron.job_run_details (jobid, job_pid, database, username, command, status, return_message, start_time, end_time)
                SELECT j.jobid, 1, 'rbscron_test', 'postgres', 'SELECT 1', v.status, v.message,
                       timestamptz '2026-04-10 10:00:00+00' + v.offset_s * interval '1 second',
                       timestamptz '2026-04-10 10:00:00+00' + v.offset_s * interval '1 second' + v.ms * interval '1 millisecond'
                FROM cron.job j JOIN (VALUES
                    ('rbs-camino-sync', 'succeeded', '1 row', 0, 120),
                    ('rbs-camino-sync', 'failed', 'ERROR: canceling statement due to statement timeout', 1800, 15000),
                    ('rbs-camino-sync', 'running', NULL, 3600, 0),
                    ('keep-alive-ping', 'succeeded', '1 row', 600, 8),
                    ('someone-else', 'succeeded', '1 row', 700, 8),
                    ('rbs-camino-sync', 'succeeded', 'too old', -864000, 5)
                ) AS v(name, status, message, offset_s, ms) ON v.name = j.jobname;
                """)
            let server = try await Self.managementAPI(db: db, ref: "abcd")
            defer { Task { await server.stop() } }
            let store = try F.store()
            let environment = ["RBSCRON_SECRET_CAMINO_SUPABASE_ACCESS_TOKEN": Self.token, "SUPABASE_API_URL": server.baseURL]
            let first = try #require(try await F.sync(store, layer: "pg_cron", app: "camino", environment: environment))
            #expect(first.sources == ["abcd"])
            #expect(first.read == 3)
            #expect(first.inserted == 3)
            let second = try #require(try await F.sync(store, layer: "pg_cron", app: "camino", environment: environment))
            #expect(second.inserted == 0)
            #expect(try F.count("runs", in: store) == 3)

            let report = try F.stats(store)
            let sync = try #require(report.job("camino/sync"))
            // The database keeps no rbscron fire history: pg_cron's "succeeded" of an HTTP job is not a success.
            #expect(sync.runs == 2)
            #expect(sync.successes == 0 && sync.unknown == 1)
            #expect(sync.lastFailure?.outcome == "timeout")
            #expect(sync.observation == .observed)
            #expect(sync.status == .red)
            #expect(sync.maxMs == 15000)
            #expect(report.job("camino/keep-alive-ping")?.runs == 1)
            #expect(report.job("camino/keep-alive-ping")?.successes == 1)
            #expect(server.requests.allSatisfy { $0.authorization == "Bearer \(Self.token)" })
        }
    }
}
