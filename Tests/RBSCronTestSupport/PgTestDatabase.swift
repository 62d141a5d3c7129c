import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL database named by `RBSCRON_TEST_PG` (see `scripts/pg-test-server.sh start --supabase`), with
/// the stack of a Supabase project: pg_cron, the real pg_net and Supabase Vault. Driven through the `psql`
/// binary. Shared by both test targets: pg_cron keeps its jobs in one table of one database, so every test that
/// uses it holds `PgTestLock` (taken by `open()`) until it lets go of the value.
public struct PgTestDatabase: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case notConfigured
        case notSupabase
        case psqlMissing
        case psql(status: Int32, stderr: String)
        case unexpectedOutput(String)
        case lock(String)

        public var description: String {
            switch self {
            case .notConfigured:
                return "RBSCRON_TEST_PG is not set but CI=true: start the fixture with scripts/pg-test-server.sh start --supabase "
                    + "and export what scripts/pg-test-server.sh env prints"
            case .notSupabase:
                return "the test database has no pg_net and Supabase Vault (RBSCRON_TEST_PG_SUPABASE is not 1): start the "
                    + "fixture with scripts/pg-test-server.sh start --supabase and export what scripts/pg-test-server.sh env prints"
            case .psqlMissing: return "psql not found (set RBSCRON_PSQL)"
            case .psql(let status, let stderr): return "psql exited \(status): \(stderr)"
            case .unexpectedOutput(let text): return "unexpected psql output: \(text)"
            case .lock(let reason): return "the pg_cron test database lock: \(reason)"
            }
        }
    }

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public static var url: String? {
        guard let value = ProcessInfo.processInfo.environment["RBSCRON_TEST_PG"], !value.isEmpty else { return nil }
        return value
    }

    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// True when the database has the real pg_net and Vault (`scripts/pg-test-server.sh env` says so).
    public static var isSupabase: Bool { ProcessInfo.processInfo.environment["RBSCRON_TEST_PG_SUPABASE"] == "1" }

    /// Run when a database with the real stack is configured, and on CI (where a missing one is a failure, not a skip).
    public static var shouldRun: Bool { (url != nil && isSupabase) || isCI }

    /// Why the PostgreSQL tests are skipped, for `.enabled(if:_:)`.
    public static let skipReason = "needs PostgreSQL with pg_cron, pg_net and Vault: run scripts/pg-test-server.sh start --supabase and export what scripts/pg-test-server.sh env prints"

    public let url: String
    public let psql: URL
    /// Held for as long as any copy of this value lives.
    let lock: PgTestLock

    /// The configured database, with pg_cron's jobs, pg_net's requests, Vault's secrets and rbscron's schema cleared.
    public static func open() async throws -> PgTestDatabase {
        guard let url else { throw Failure.notConfigured }
        guard isSupabase else { throw Failure.notSupabase }
        guard let psql = findPsql() else { throw Failure.psqlMissing }
        let db = PgTestDatabase(url: url, psql: psql, lock: try await PgTestLock.acquire())
        try await db.reset()
        return db
    }

    private static func findPsql() -> URL? {
        let env = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let explicit = env["RBSCRON_PSQL"] { candidates.append(explicit) }
        candidates.append("/usr/lib/postgresql/15/bin/psql")
        for dir in (env["PATH"] ?? "").split(separator: ":") { candidates.append("\(dir)/psql") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }.map { URL(fileURLWithPath: $0) }
    }

    /// Clears everything the tests create: every pg_cron job and its history, pg_net's requests and answers, Vault's
    /// secrets, the keep-alive functions and the `rbscron` schema. A test that dropped pg_net or Vault gets them back.
    public func reset() async throws {
        try await exec("""
            SET client_min_messages = warning;
            CREATE EXTENSION IF NOT EXISTS pg_net;
            CREATE EXTENSION IF NOT EXISTS supabase_vault CASCADE;
            SELECT cron.unschedule(jobid) FROM cron.job;
            DROP FUNCTION IF EXISTS public.keep_alive();
            DROP FUNCTION IF EXISTS public.cleanup_cron_history();
            DROP SCHEMA IF EXISTS rbscron CASCADE;
            DELETE FROM cron.job_run_details;
            DELETE FROM vault.secrets;
            TRUNCATE net.http_request_queue, net._http_response;
            """)
    }

    /// Stores a secret in Supabase Vault, as an operator would: `vault.create_secret(value, name)`.
    public func createSecret(_ name: String, _ value: String) async throws {
        try await exec("SELECT vault.create_secret(\(quote(value)), \(quote(name)));")
    }

    /// Stops pg_cron from firing the jobs by itself (tests run their commands when they choose).
    public func deactivateJobs() async throws {
        try await exec("UPDATE cron.job SET active = false;")
    }

    /// A row of `rbscron.fires`.
    public struct Fire: Decodable, Sendable, Equatable {
        public var id: Int
        public var job_name: String?
        public var trigger: String
        public var method: String
        public var path: String
        public var timeout_ms: Int
        public var outcome: String
        public var status_code: Int?
        public var timed_out: Bool?
        public var error_msg: String?
        public var body_excerpt: String?
        public var cron_runid: Int?
    }

    static let fireColumns = "id, job_name, trigger, method, path, timeout_ms, outcome, status_code, timed_out, error_msg, body_excerpt, cron_runid"

    /// Every fire of the history, oldest first.
    public func fires() async throws -> [Fire] {
        try await rows(Fire.self, "SELECT \(Self.fireColumns) FROM rbscron.fires ORDER BY id")
    }

    /// Runs a job's own command once (`rbscron.run_job_now`) and waits for pg_net's answer to each fire it made.
    public func runJobNow(_ jobName: String) async throws -> [Fire] {
        let fired = try await rows(Fire.self, "SELECT \(Self.fireColumns) FROM rbscron.run_job_now(\(quote(jobName)))")
        var answered: [Fire] = []
        for fire in fired {
            answered += try await rows(Fire.self, "SELECT \(Self.fireColumns) FROM rbscron.wait_for_fire(\(fire.id), 30)")
        }
        return answered
    }

    /// Runs SQL from a file, `psql -v ON_ERROR_STOP=1 -f FILE`, without judging the outcome.
    public func run(_ sql: String) async throws -> Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-pgtest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("input.sql")
        try Data(sql.utf8).write(to: file)
        var environment = ProcessInfo.processInfo.environment
        environment["PGCONNECT_TIMEOUT"] = "10"
        let result = try await runTool(psql.path, [url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", file.path],
                                       environment: environment)
        return Result(status: result.status, stdout: result.text, stderr: result.errorText)
    }

    /// Runs SQL and requires success; returns stdout.
    @discardableResult
    public func exec(_ sql: String) async throws -> String {
        let result = try await run(sql)
        guard result.status == 0 else { throw Failure.psql(status: result.status, stderr: result.stderr) }
        return result.stdout
    }

    /// Runs `setup` then one query whose rows come back as JSON objects, decoded as `T`.
    public func rows<T: Decodable>(_ type: T.Type, _ query: String, after setup: String = "") async throws -> [T] {
        let output = try await exec("""
            \(setup)
            SELECT coalesce(jsonb_agg(t), '[]'::jsonb) FROM (\(query)) t;
            """)
        // jsonb prints on one line; it is the last thing the script outputs.
        guard let line = output.split(separator: "\n").last, line.hasPrefix("[") else {
            throw Failure.unexpectedOutput(output)
        }
        return try JSONDecoder().decode([T].self, from: Data(line.utf8))
    }

    public struct CronJob: Decodable, Equatable, Sendable {
        public var jobid: Int
        public var jobname: String
        public var schedule: String
        public var command: String
        public var active: Bool
    }

    public func cronJobs() async throws -> [CronJob] {
        try await rows(CronJob.self, "SELECT jobid, jobname::text AS jobname, schedule, command, active FROM cron.job ORDER BY jobname")
    }

    /// The core of a stand-in for Supabase's Management API `POST /v1/projects/{ref}/database/query` over this
    /// database: runs the posted `{"query": …}` and answers its rows as a JSON array (201), or 400.
    public func managementQuery(_ body: Data) async -> (status: Int, body: String) {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let query = object["query"] as? String else { return (400, #"{"message":"query is required"}"#) }
        guard let output = try? await exec("SELECT coalesce(jsonb_agg(t), '[]'::jsonb) FROM (\(query)) t;") else {
            return (400, #"{"message":"query failed"}"#)
        }
        return (201, output.split(separator: "\n").last.map(String.init) ?? "[]")
    }

    public func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}

/// An exclusive lock on `$TMPDIR/rbscron-pg-tests.lock` (flock), taken off the cooperative pool and released
/// when the last reference goes. Both test targets run in one process, so the suites that share the database
/// take turns through it. Each holder writes a fresh token into the file; a waiter's two-minute limit restarts
/// whenever the token changes, so it fails only when one holder keeps the lock that long (a leak), never
/// because other suites kept winning the lock before it.
final class PgTestLock: Sendable {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit {
        _ = flock(fd, LOCK_UN)
        close(fd)
    }

    static func acquire(timeout: TimeInterval = 120) async throws -> PgTestLock {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-pg-tests.lock").path
        let fd = try await offCooperativePool { () throws -> Int32 in
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw PgTestDatabase.Failure.lock("cannot open \(path): errno \(errno)") }
            var holder = Self.holder(fd)
            var deadline = Date().addingTimeInterval(timeout)
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let current = Self.holder(fd)
                if current != holder {
                    holder = current
                    deadline = Date().addingTimeInterval(timeout)
                } else if Date() >= deadline {
                    close(fd)
                    throw PgTestDatabase.Failure.lock("one holder kept \(path) for \(Int(timeout)) s")
                }
                usleep(10_000)
            }
            let token = Array(UUID().uuidString.utf8)
            _ = ftruncate(fd, 0)
            _ = token.withUnsafeBufferPointer { pwrite(fd, $0.baseAddress, $0.count, 0) }
            return fd
        }
        return PgTestLock(fd: fd)
    }

    /// The token the current holder wrote.
    private static func holder(_ fd: Int32) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBufferPointer { pread(fd, $0.baseAddress, $0.count, 0) }
        return Array(buffer.prefix(max(0, count)))
    }
}
