import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL + pg_cron database named by `RBSCRON_TEST_PG` (see `scripts/pg-test-server.sh`),
/// driven through the `psql` binary. Shared by both test targets: pg_cron keeps its jobs in one table of one
/// database, so every test that uses it holds `PgTestLock` (taken by `open()`) until it lets go of the value.
public struct PgTestDatabase: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case notConfigured
        case psqlMissing
        case psql(status: Int32, stderr: String)
        case unexpectedOutput(String)
        case lock(String)

        public var description: String {
            switch self {
            case .notConfigured:
                return "RBSCRON_TEST_PG is not set but CI=true: start the fixture with scripts/pg-test-server.sh start "
                    + "and export the line printed by scripts/pg-test-server.sh env"
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

    /// Run when a database is configured, and on CI (where a missing one is a failure, not a skip).
    public static var shouldRun: Bool { url != nil || isCI }

    public let url: String
    public let psql: URL
    /// Held for as long as any copy of this value lives.
    let lock: PgTestLock

    /// The configured database, with the Supabase stand-ins installed and pg_cron's jobs cleared.
    public static func open() async throws -> PgTestDatabase {
        guard let url else { throw Failure.notConfigured }
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

    /// Stand-ins for Supabase's `vault` and `net` schemas, with pg_net's real signatures (named arguments
    /// must match), recording every call and the backend that made it.
    public static let supabaseStandIns = """
        SET client_min_messages = warning;
        CREATE SCHEMA IF NOT EXISTS vault;
        CREATE TABLE IF NOT EXISTS vault.decrypted_secrets (name text PRIMARY KEY, decrypted_secret text);
        CREATE SCHEMA IF NOT EXISTS net;
        CREATE TABLE IF NOT EXISTS net.calls (
          id bigserial PRIMARY KEY,
          method text NOT NULL,
          url text,
          headers jsonb,
          body jsonb,
          params jsonb,
          timeout_milliseconds int,
          caller_pid int NOT NULL DEFAULT pg_backend_pid()
        );
        CREATE OR REPLACE FUNCTION net.http_post(
          url text, body jsonb DEFAULT '{}'::jsonb, params jsonb DEFAULT '{}'::jsonb,
          headers jsonb DEFAULT '{"Content-Type": "application/json"}'::jsonb, timeout_milliseconds int DEFAULT 5000)
        RETURNS bigint LANGUAGE sql AS $$
          INSERT INTO net.calls (method, url, headers, body, params, timeout_milliseconds)
          VALUES ('POST', url, headers, body, params, timeout_milliseconds) RETURNING id
        $$;
        CREATE OR REPLACE FUNCTION net.http_get(
          url text, params jsonb DEFAULT '{}'::jsonb, headers jsonb DEFAULT '{}'::jsonb,
          timeout_milliseconds int DEFAULT 5000)
        RETURNS bigint LANGUAGE sql AS $$
          INSERT INTO net.calls (method, url, headers, body, params, timeout_milliseconds)
          VALUES ('GET', url, headers, NULL, params, timeout_milliseconds) RETURNING id
        $$;
        """

    /// Clears everything the tests create: every pg_cron job, the recorded calls, the fake vault, the
    /// keep-alive functions and the `rbscron` schema.
    public func reset() async throws {
        try await exec("""
            SET client_min_messages = warning;
            SELECT cron.unschedule(jobid) FROM cron.job;
            DROP FUNCTION IF EXISTS public.keep_alive();
            DROP FUNCTION IF EXISTS public.cleanup_cron_history();
            DROP SCHEMA IF EXISTS rbscron CASCADE;
            DELETE FROM cron.job_run_details;
            \(Self.supabaseStandIns)
            TRUNCATE net.calls;
            DELETE FROM vault.decrypted_secrets;
            """)
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

    public struct NetCall: Decodable, Sendable {
        public var method: String
        public var url: String
        public var headers: [String: String]
        public var body: [String: String]?
        public var timeout_milliseconds: Int
    }

    /// Executes the stored `command` of a pg_cron job in a fresh session, the way pg_cron would, and
    /// returns the pg_net calls made by that session only (pg_cron may fire jobs in the background).
    public func runCommand(ofJob jobName: String) async throws -> [NetCall] {
        try await rows(NetCall.self, """
            SELECT method, url, headers, body, timeout_milliseconds FROM net.calls
            WHERE caller_pid = pg_backend_pid() ORDER BY id
            """, after: """
            DO $rbstest$ BEGIN
              EXECUTE (SELECT command FROM cron.job WHERE jobname = \(quote(jobName)));
            END $rbstest$;
            """)
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
