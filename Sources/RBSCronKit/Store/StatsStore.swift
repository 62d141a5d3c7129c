import Foundation
import GRDB
import GRDBSQLite

/// What the store knows about one job's runs: the raw material of `stats` (computed in `StatsEngine`).
public struct JobRunFacts: Sendable, Equatable {
    /// Runs that ended (finished or abandoned) and started inside the window.
    public var runs = 0
    public var successes = 0
    /// Runs that said nothing of the job's health: skipped (breaker, dependency) or interrupted by the operator.
    public var skipped = 0
    /// Runs the layer made whose result is unknown (pg_net forgot the answer).
    public var unknown = 0
    /// Durations (ms) of the runs in the window that recorded one, in no particular order.
    public var durationsMs: [Double] = []
    /// The latest successful run ever (not only in the window).
    public var lastSuccessAt: Date?
    /// The latest failed run ever.
    public var lastFailure: RunFailure?
    /// Failed runs since the latest success (all of them when there was none).
    public var failureStreak = 0
    /// The first run fired by due mode or read back from a layer.
    public var observedSince: Date?

    public init() {}
}

/// A failed run as reports show it. `error` is the stored (already redacted) message, shortened.
public struct RunFailure: Sendable, Equatable, Encodable {
    public var at: Date
    public var outcome: String
    public var httpStatus: Int?
    public var error: String?
    public var source: String

    public init(at: Date, outcome: String, httpStatus: Int?, error: String?, source: String) {
        self.at = at
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.error = error
        self.source = source
    }

    enum CodingKeys: String, CodingKey { case at, outcome, httpStatus = "http_status", error, source }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(at, forKey: .at)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(httpStatus, forKey: .httpStatus)
        try c.encode(error, forKey: .error)
        try c.encode(source, forKey: .source)
    }
}

/// One app's health checks in a window.
public struct AppHealthFacts: Sendable, Equatable {
    public var checks = 0
    public var up = 0
    public var degraded = 0
    public var down = 0
    /// Total latencies (ms) of the checks that recorded one, in no particular order.
    public var latenciesMs: [Double] = []
    public var lastCheckedAt: Date?
    public var lastStatus: String?
    /// Why the latest check was not up (`http_status`, `timeout`, `slow`, …), as `health-check` recorded it.
    public var lastReason: String?
    public var lastHTTPStatus: Int?

    public init() {}
}

/// SQL fragments shared by the stats queries. A run "ended" when it is finished or abandoned; it failed when
/// it ended with any outcome but ok, skipped, interrupted and unknown (an abandoned run without an outcome is a
/// failure; a result nobody knows is not a failure, and not a success either).
enum StatsSQL {
    static let ended = "state IN ('finished', 'abandoned')"
    static let failed = "state IN ('finished', 'abandoned') AND coalesce(outcome, 'abandoned') NOT IN ('ok', 'skipped', 'interrupted', 'unknown')"
    static let errorChars = 240
}

extension InventoryStore {
    /// Per-job run facts for `jobs` over `[since, until]` (fires are accounted by ``FireLedger``).
    /// Every query is covered by the `runs_stats` index. On a file store the jobs are split over up to four reader
    /// connections that scan in parallel (one read transaction each; a job is always read whole by one of them,
    /// so each job's facts are consistent, while two jobs may be read a few milliseconds apart).
    /// - Parameter readers: at most this many parallel readers (default: the processors, at most four).
    public func jobRunFacts(jobs: [JobRef], since: Date, until: Date, readers: Int? = nil) throws(StoreError)
        -> [JobRef: JobRunFacts] {
        let window = RunWindow(sinceMs: Timestamp.ms(since), untilMs: Timestamp.ms(until))
        let lanes = writer is DatabasePool
            ? min(readers ?? min(ProcessInfo.processInfo.activeProcessorCount, 4), jobs.count) : 1
        guard lanes > 1 else {
            return try run { try writer.read { db in try Self.jobRunFacts(db, jobs: jobs, window: window) } }
        }
        let reader = writer
        let results = Locked([Int: Result<[JobRef: JobRunFacts], any Error>]())
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            // Interleaved, so that an app's jobs (often of similar volume) spread over the lanes.
            let share = stride(from: lane, to: jobs.count, by: lanes).map { jobs[$0] }
            let result = Result { try reader.read { db in try Self.jobRunFacts(db, jobs: share, window: window) } }
            results.withLock { $0[lane] = result }
        }
        return try run {
            var merged: [JobRef: JobRunFacts] = [:]
            for lane in 0..<lanes {
                guard let result = results.withLock({ $0[lane] }) else {
                    throw StoreError.database("stats: reader \(lane) of \(lanes) returned nothing")
                }
                merged.merge(try result.get()) { first, _ in first }
            }
            return merged
        }
    }

    /// The time bounds of one `jobRunFacts` call, in ms since the epoch.
    private struct RunWindow: Sendable {
        var sinceMs: Int64
        var untilMs: Int64
    }

    /// Whether text column `index` of the current row is exactly `value` (false for NULL).
    @inline(__always)
    private static func text(_ statement: SQLiteStatement, _ index: Int32, is value: StaticString) -> Bool {
        guard let bytes = sqlite3_column_text(statement, index) else { return false }
        let count = Int(sqlite3_column_bytes(statement, index))
        return count == value.utf8CodeUnitCount && memcmp(bytes, value.utf8Start, count) == 0
    }

    private static func jobRunFacts(_ db: Database, jobs: [JobRef], window: RunWindow) throws -> [JobRef: JobRunFacts] {
        var result: [JobRef: JobRunFacts] = [:]
        // One pass over the job's window (covering index) feeds counts and durations. Every row it
        // reads has ended (the state CHECK allows only started, finished and abandoned). Columns are read straight
        // from the statement and text is compared as bytes: at a million rows, row values, decoded strings and
        // SQL `IN` lists each cost a tenth of the time.
        let scan = try db.cachedStatement(sql: """
            SELECT started_at, outcome, source, duration_ms FROM runs
            WHERE app = ? AND job = ? AND started_at >= ? AND started_at <= ? AND state != 'started'
            ORDER BY started_at
            """)
        // ORDER BY … LIMIT 1 walks the index backwards and stops at the first match; MAX() with these filters
        // would read the job's every entry.
        let lastOk = try db.cachedStatement(sql: """
            SELECT started_at FROM runs WHERE app = ? AND job = ? AND state = 'finished' AND outcome = 'ok'
            ORDER BY started_at DESC LIMIT 1
            """)
        let streak = try db.cachedStatement(sql: """
            SELECT COUNT(*) FROM runs WHERE app = ? AND job = ? AND started_at > ? AND \(StatsSQL.failed)
            """)
        let lastFailure = try db.cachedStatement(sql: """
            SELECT started_at, coalesce(outcome, 'abandoned') AS outcome, http_status, error, source FROM runs
            WHERE app = ? AND job = ? AND \(StatsSQL.failed) ORDER BY started_at DESC LIMIT 1
            """)
        let observed = try db.cachedStatement(sql: """
            SELECT started_at FROM runs WHERE app = ? AND job = ? AND source IN ('due', 'remote')
            ORDER BY started_at LIMIT 1
            """)
        let raw = scan.sqliteStatement
        for ref in jobs {
            var facts = JobRunFacts()
            let key: StatementArguments = [ref.app, ref.job]
            let rows = try Row.fetchCursor(scan, arguments: key + [window.sinceMs, window.untilMs])
            while try rows.next() != nil {
                facts.runs += 1
                if Self.text(raw, 1, is: "ok") {
                    facts.successes += 1
                } else if Self.text(raw, 1, is: "skipped") || Self.text(raw, 1, is: "interrupted") {
                    facts.skipped += 1
                } else if Self.text(raw, 1, is: "unknown") {
                    facts.unknown += 1
                }
                if sqlite3_column_type(raw, 3) != SQLITE_NULL { facts.durationsMs.append(sqlite3_column_double(raw, 3)) }
            }
            let okMs = try Int64.fetchOne(lastOk, arguments: key)
            facts.lastSuccessAt = okMs.map(Timestamp.date(ms:))
            facts.failureStreak = try Int.fetchOne(streak, arguments: key + [okMs ?? Int64.min]) ?? 0
            if let row = try Row.fetchOne(lastFailure, arguments: key) {
                let error: String? = row["error"]
                facts.lastFailure = RunFailure(
                    at: Timestamp.date(ms: row["started_at"]), outcome: row["outcome"], httpStatus: row["http_status"],
                    error: error.map { Self.shorten($0) }, source: row["source"])
            }
            facts.observedSince = try Int64.fetchOne(observed, arguments: key).map(Timestamp.date(ms:))
            result[ref] = facts
        }
        return result
    }

    /// Health checks per app over `[since, until]`.
    public func appHealthFacts(since: Date, until: Date) throws(StoreError) -> [String: AppHealthFacts] {
        let args: StatementArguments = [Timestamp.ms(since), Timestamp.ms(until)]
        return try run {
            try writer.read { db in
                var result: [String: AppHealthFacts] = [:]
                for row in try Row.fetchAll(db, sql: """
                    SELECT app, COUNT(*) AS checks, SUM(status = 'up') AS up, SUM(status = 'degraded') AS degraded,
                           SUM(status = 'down') AS down, MAX(checked_at) AS last
                    FROM health_checks WHERE checked_at >= ? AND checked_at <= ? GROUP BY app
                    """, arguments: args) {
                    var facts = AppHealthFacts()
                    facts.checks = row["checks"]
                    facts.up = row["up"]
                    facts.degraded = row["degraded"]
                    facts.down = row["down"]
                    facts.lastCheckedAt = (row["last"] as Int64?).map(Timestamp.date(ms:))
                    result[row["app"]] = facts
                }
                for row in try Row.fetchAll(db, sql: """
                    SELECT app, total_ms FROM health_checks
                    WHERE checked_at >= ? AND checked_at <= ? AND total_ms IS NOT NULL
                    """, arguments: args) {
                    result[row["app"], default: AppHealthFacts()].latenciesMs.append(row["total_ms"])
                }
                for app in result.keys {
                    let latest = try Row.fetchOne(db, sql: """
                        SELECT status, reason, http_status FROM health_checks WHERE app = ? AND checked_at <= ?
                        ORDER BY checked_at DESC, id DESC LIMIT 1
                        """, arguments: [app, Timestamp.ms(until)])
                    result[app]?.lastStatus = latest?["status"]
                    result[app]?.lastReason = latest?["reason"]
                    result[app]?.lastHTTPStatus = latest?["http_status"]
                }
                return result
            }
        }
    }

    /// Stores runs read back from a layer as source `remote`. Runs whose idempotency key is already stored are
    /// skipped, so syncing the same history twice adds nothing. Returns how many were new.
    @discardableResult
    public func insertRemoteRuns(_ runs: [RemoteRun]) throws(StoreError) -> Int {
        try run {
            try writer.write { db in
                var inserted = 0
                let statement = try db.makeStatement(sql: """
                    INSERT INTO runs (app, job, source, started_at, finished_at, state, attempts, http_status, outcome,
                                      duration_ms, total_ms, error, idempotency_key, scheduled_for, response_excerpt)
                    VALUES (?, ?, 'remote', ?, ?, 'finished', ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(idempotency_key) DO NOTHING
                    """)
                for remote in runs {
                    try statement.execute(arguments: [
                        remote.job.app, remote.job.job, Timestamp.ms(remote.startedAt), Timestamp.ms(remote.finishedAt),
                        remote.attempts, remote.httpStatus, remote.outcome, remote.durationMs, remote.durationMs,
                        remote.error.map { Self.shorten($0, limit: 2_000) }, remote.idempotencyKey,
                        remote.scheduledFor.map(Timestamp.ms), remote.responseExcerpt.map { String($0.prefix(2_000)) },
                    ])
                    inserted += db.changesCount
                }
                return inserted
            }
        }
    }

    static func shorten(_ text: String, limit: Int = StatsSQL.errorChars) -> String {
        TextLine.single(text, limit: limit)
    }
}

/// Six-hour buckets of one job's runs, for the dashboard's heat strip and latency sparkline.
public struct RunBucket: Sendable, Equatable {
    public var runs = 0
    public var successes = 0
    public var skipped = 0
    /// Mean duration of the bucket's runs that recorded one.
    public var meanMs: Double?

    public init(runs: Int = 0, successes: Int = 0, skipped: Int = 0, meanMs: Double? = nil) {
        self.runs = runs
        self.successes = successes
        self.skipped = skipped
        self.meanMs = meanMs
    }
}

/// A dead letter as the dashboard lists it (no payload: it may carry data the operator did not mean to publish).
public struct DeadLetterSummary: Sendable, Equatable, Encodable {
    public var app: String
    public var job: String
    public var lastError: String
    public var attempts: Int
    public var createdAt: Date
    public var replayCount: Int
    /// Who holds it: `rbscron`, or `qstash` (QStash's own dead-letter queue).
    public var origin: String = "rbscron"
}

/// The unresolved dead letters of one job and holder, as the dashboard lists them: one row with a count.
public struct DeadLetterGroup: Sendable, Equatable {
    public var app: String
    public var job: String
    /// Who holds them: `rbscron`, or `qstash` (QStash's own dead-letter queue).
    public var origin: String
    public var count: Int
    /// The newest one's time, error and attempts.
    public var newestAt: Date
    public var newestError: String
    public var newestAttempts: Int
    public var replays: Int

    public var ref: JobRef { JobRef(app: app, job: job) }

    /// Groups `letters` (newest first) by job and holder; groups ordered by size, then by their newest letter.
    public static func group(_ letters: [DeadLetterSummary]) -> [DeadLetterGroup] {
        var groups: [DeadLetterGroup] = []
        var index: [String: Int] = [:]
        for letter in letters {
            let key = "\(letter.app)/\(letter.job)\u{0}\(letter.origin)"
            if let at = index[key] {
                groups[at].count += 1
                groups[at].replays += letter.replayCount
                if letter.createdAt > groups[at].newestAt {
                    groups[at].newestAt = letter.createdAt
                    groups[at].newestError = letter.lastError
                    groups[at].newestAttempts = letter.attempts
                }
            } else {
                index[key] = groups.count
                groups.append(DeadLetterGroup(app: letter.app, job: letter.job, origin: letter.origin, count: 1,
                                              newestAt: letter.createdAt, newestError: letter.lastError,
                                              newestAttempts: letter.attempts, replays: letter.replayCount))
            }
        }
        return groups.sorted { ($0.count, $0.newestAt) > ($1.count, $1.newestAt) }
    }
}

/// The latest keep-alive pings of one app.
public struct KeepAliveFacts: Sendable, Equatable {
    public var lastOkAt: Date?
    public var lastAttemptAt: Date?
    public var lastAttemptOk: Bool?
    /// Why the latest attempt failed (when it did), as `keepalive` recorded it.
    public var lastError: String?
    /// Failed attempts since the last good one (all of them when none was good).
    public var failuresSinceOk = 0
}

/// One finished run as the dashboard's run strip shows it.
public struct RunMark: Sendable, Equatable {
    public var at: Date
    public var outcome: String
    public var durationMs: Double?
}

/// A failed run and its job.
public struct RecentFailure: Sendable, Equatable {
    public var job: JobRef
    public var failure: RunFailure
}

/// Everything the dashboard shows beyond `StatsReport`.
public struct DashboardFacts: Sendable {
    public static let bucketHours = 6
    public static let days = 7
    public static var bucketCount: Int { days * 24 / bucketHours }

    /// Start of the first bucket.
    public var start: Date
    public var buckets: [JobRef: [RunBucket]] = [:]
    /// Newest first.
    public var recentFailures: [RecentFailure] = []
    /// Every unresolved dead letter of the report's apps, one group per job and holder.
    public var deadLetterGroups: [DeadLetterGroup] = []
    public var unresolvedDeadLetters = 0
    /// Each job's latest finished runs (at most ``runMarks``), oldest first.
    public var latestRuns: [JobRef: [RunMark]] = [:]
    /// Each job's latest failed run's error as recorded (up to ``fullErrorChars``), for the page to show in full.
    public var lastErrors: [JobRef: String] = [:]
    /// Jobs whose circuit breaker is open or half-open, with its state in words.
    public var breakers: [JobRef: String] = [:]
    public static let runMarks = 20
    public static let fullErrorChars = 2_000
    public var keepAlive: [String: KeepAliveFacts] = [:]
    /// The probes of each endpoint's latest `audit`.
    public var audits: [JobRef: [AuditProbeRecord]] = [:]
}

extension InventoryStore {
    /// The last seven days (ending at `now`) of `jobs` in six-hour buckets, recent failures, dead letters and
    /// keep-alive pings.
    public func dashboardFacts(jobs: [JobRef], now: Date) throws(StoreError) -> DashboardFacts {
        let bucketMs = Int64(DashboardFacts.bucketHours) * 3_600_000
        let endMs = Timestamp.ms(now)
        let startMs = endMs - bucketMs * Int64(DashboardFacts.bucketCount)
        let wanted = Set(jobs)
        return try run {
            try writer.read { db in
                var facts = DashboardFacts(start: Timestamp.date(ms: startMs))
                for row in try Row.fetchAll(db, sql: """
                    SELECT app, job, (started_at - ?) / ? AS bucket, COUNT(*) AS runs, SUM(outcome = 'ok') AS ok,
                           SUM(outcome = 'skipped') AS skipped, AVG(duration_ms) AS mean
                    FROM runs WHERE started_at >= ? AND started_at < ? AND \(StatsSQL.ended)
                    GROUP BY app, job, bucket
                    """, arguments: [startMs, bucketMs, startMs, endMs]) {
                    let ref = JobRef(app: row["app"], job: row["job"])
                    guard wanted.contains(ref) else { continue }
                    let index: Int = row["bucket"]
                    guard (0..<DashboardFacts.bucketCount).contains(index) else { continue }
                    var buckets = facts.buckets[ref] ?? Array(repeating: RunBucket(), count: DashboardFacts.bucketCount)
                    buckets[index] = RunBucket(runs: row["runs"], successes: row["ok"], skipped: row["skipped"], meanMs: row["mean"])
                    facts.buckets[ref] = buckets
                }
                let failures = try Row.fetchCursor(db, sql: """
                    SELECT app, job, started_at, coalesce(outcome, 'abandoned') AS outcome, http_status, error, source
                    FROM runs WHERE started_at >= ? AND started_at <= ? AND \(StatsSQL.failed) ORDER BY started_at DESC
                    """, arguments: [startMs, endMs])
                while facts.recentFailures.count < 20, let row = try failures.next() {
                    let ref = JobRef(app: row["app"], job: row["job"])
                    guard wanted.contains(ref) else { continue }
                    let error: String? = row["error"]
                    facts.recentFailures.append(RecentFailure(job: ref, failure: RunFailure(
                        at: Timestamp.date(ms: row["started_at"]), outcome: row["outcome"], httpStatus: row["http_status"],
                        error: error.map { Self.shorten($0) }, source: row["source"])))
                }
                let apps = Set(jobs.map(\.app))
                var letters: [DeadLetterSummary] = []
                for row in try Row.fetchAll(db, sql: """
                    SELECT app, job, last_error, attempts, created_at, replay_count, origin FROM dead_letters
                    WHERE resolved_at IS NULL ORDER BY created_at DESC
                    """) where apps.contains(row["app"]) {
                    letters.append(DeadLetterSummary(
                        app: row["app"], job: row["job"], lastError: Self.shorten(row["last_error"]),
                        attempts: row["attempts"], createdAt: Timestamp.date(ms: row["created_at"]),
                        replayCount: row["replay_count"], origin: row["origin"]))
                }
                facts.unresolvedDeadLetters = letters.count
                facts.deadLetterGroups = DeadLetterGroup.group(letters)
                try Self.readLatestRuns(db, jobs: jobs, until: endMs, into: &facts)
                for row in try Row.fetchAll(db, sql: """
                    SELECT app, MAX(CASE WHEN ok = 1 THEN pinged_at END) AS last_ok, MAX(pinged_at) AS last_attempt
                    FROM keepalive_pings WHERE pinged_at <= ? GROUP BY app
                    """, arguments: [endMs]) {
                    let app: String = row["app"]
                    let lastAttempt: Int64 = row["last_attempt"]
                    let lastOk = try Bool.fetchOne(db, sql: """
                        SELECT ok FROM keepalive_pings WHERE app = ? AND pinged_at = ? ORDER BY id DESC LIMIT 1
                        """, arguments: [app, lastAttempt])
                    let lastOkMs: Int64? = row["last_ok"]
                    let failed = try Row.fetchOne(db, sql: """
                        SELECT COUNT(*) AS n, (SELECT error FROM keepalive_pings WHERE app = ? AND ok = 0 AND pinged_at <= ?
                                               ORDER BY pinged_at DESC, id DESC LIMIT 1) AS error
                        FROM keepalive_pings WHERE app = ? AND ok = 0 AND pinged_at > ? AND pinged_at <= ?
                        """, arguments: [app, endMs, app, lastOkMs ?? Int64.min, endMs])
                    facts.keepAlive[app] = KeepAliveFacts(
                        lastOkAt: lastOkMs.map(Timestamp.date(ms:)),
                        lastAttemptAt: Timestamp.date(ms: lastAttempt), lastAttemptOk: lastOk,
                        lastError: lastOk == false ? failed?["error"] : nil, failuresSinceOk: failed?["n"] ?? 0)
                }
                return facts
            }
        }
    }

    /// Each job's latest finished runs and its latest failure's full error text.
    static func readLatestRuns(_ db: Database, jobs: [JobRef], until endMs: Int64, into facts: inout DashboardFacts) throws {
        let runs = try db.cachedStatement(sql: """
            SELECT started_at, coalesce(outcome, 'abandoned') AS outcome, duration_ms FROM runs
            WHERE app = ? AND job = ? AND started_at <= ? AND \(StatsSQL.ended) ORDER BY started_at DESC, id DESC LIMIT ?
            """)
        let error = try db.cachedStatement(sql: """
            SELECT error FROM runs WHERE app = ? AND job = ? AND started_at <= ? AND \(StatsSQL.failed)
            ORDER BY started_at DESC, id DESC LIMIT 1
            """)
        for ref in jobs {
            let marks = try Row.fetchAll(runs, arguments: [ref.app, ref.job, endMs, DashboardFacts.runMarks]).map { row in
                RunMark(at: Timestamp.date(ms: row["started_at"]), outcome: row["outcome"], durationMs: row["duration_ms"])
            }
            if !marks.isEmpty { facts.latestRuns[ref] = marks.reversed() }
            if let text = try String.fetchOne(error, arguments: [ref.app, ref.job, endMs]) {
                facts.lastErrors[ref] = shorten(text, limit: DashboardFacts.fullErrorChars)
            }
        }
    }
}
