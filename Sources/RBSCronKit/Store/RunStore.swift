import Foundation
import GRDB

extension InventoryStore {
    /// Writes a `started` run before its request. Returns nil when `idempotencyKey` is already
    /// taken (another process claimed that fire), so the caller must not send.
    public func beginRun(
        _ job: JobRef, source: RunSource, startedAt: Date, pid: Int32,
        scheduledFor: Date? = nil, idempotencyKey: String? = nil
    ) throws(StoreError) -> Int64? {
        try run {
            try writer.write { db -> Int64? in
                try db.execute(sql: """
                    INSERT INTO runs (app, job, source, scheduled_for, started_at, state, attempts, idempotency_key, pid)
                    VALUES (?, ?, ?, ?, ?, 'started', 0, ?, ?)
                    ON CONFLICT(idempotency_key) DO NOTHING
                    """, arguments: [job.app, job.job, source.rawValue, scheduledFor.map(Timestamp.ms),
                                     Timestamp.ms(startedAt), idempotencyKey, pid])
                return db.changesCount == 1 ? db.lastInsertedRowID : nil
            }
        }
    }

    /// Completes a started run (and writes its dead letter, if any) in one transaction.
    /// Returns the dead letter's id.
    @discardableResult
    public func finishRun(_ id: Int64, _ completion: RunCompletion) throws(StoreError) -> Int64? {
        if faults.withLock({ $0.failRunCompletion }) { throw StoreError.database("database or disk is full") }
        return try run {
            try writer.write { db -> Int64? in
                let t = completion.timings
                try db.execute(sql: """
                    UPDATE runs SET state = 'finished', finished_at = ?, attempts = ?, http_status = ?, outcome = ?,
                           dns_ms = ?, connect_ms = ?, tls_ms = ?, first_byte_ms = ?, total_ms = ?, duration_ms = ?,
                           response_excerpt = ?, error = ?
                    WHERE id = ?
                    """, arguments: [Timestamp.ms(completion.finishedAt), completion.attempts, completion.httpStatus,
                                     completion.outcome.rawValue, t?.dnsMs, t?.connectMs, t?.tlsMs, t?.firstByteMs,
                                     t?.totalMs, completion.durationMs, completion.responseExcerpt, completion.error, id])
                guard let dead = completion.deadLetter else { return nil }
                let row = try Row.fetchOne(db, sql: "SELECT app, job FROM runs WHERE id = ?", arguments: [id])
                guard let row else { return nil }
                try db.execute(sql: """
                    INSERT INTO dead_letters (run_id, app, job, payload, last_error, attempts, created_at, payload_sealed,
                                              payload_redacted)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [id, row["app"] as String, row["job"] as String, dead.payload, dead.lastError,
                                     max(1, completion.attempts), Timestamp.ms(completion.finishedAt), dead.sealedPayload,
                                     dead.payloadRedacted])
                return db.lastInsertedRowID
            }
        }
    }

    /// Marks `started` runs whose process is gone as `abandoned` (a crash or kill mid-request).
    /// Returns how many were marked.
    @discardableResult
    public func markAbandonedRuns(isAlive: (Int32) -> Bool, now: Date) throws(StoreError) -> Int {
        try run {
            try writer.write { db -> Int in
                let rows = try Row.fetchAll(db, sql: "SELECT id, pid FROM runs WHERE state = 'started'")
                var marked = 0
                for row in rows {
                    let pid: Int32? = row["pid"]
                    if let pid, isAlive(pid) { continue }
                    try db.execute(sql: """
                        UPDATE runs SET state = 'abandoned', outcome = 'abandoned', finished_at = ?,
                               error = 'the rbscron process that started this run ended before finishing it'
                        WHERE id = ? AND state = 'started'
                        """, arguments: [Timestamp.ms(now), row["id"] as Int64])
                    marked += db.changesCount
                }
                return marked
            }
        }
    }

    /// Marks the runs this process (`pid`) left `started` as `interrupted`: the operator stopped rbscron (Ctrl-C) while
    /// their requests were in flight. Not a failure of the job: no dead letter, no breaker count, no failed run in
    /// `stats`. Returns how many were marked.
    @discardableResult
    public func markInterruptedRuns(pid: Int32, now: Date) throws(StoreError) -> Int {
        try run {
            try writer.write { db -> Int in
                try db.execute(sql: """
                    UPDATE runs SET state = 'finished', outcome = 'interrupted', finished_at = ?,
                           error = 'stopped by the operator (interrupt) before it finished; the endpoint may have run'
                    WHERE state = 'started' AND pid = ?
                    """, arguments: [Timestamp.ms(now), pid])
                return db.changesCount
            }
        }
    }

    /// The latest run of every job that has one: when it started and how it ended (nil while it runs).
    public func latestRuns() throws(StoreError) -> [JobRef: (startedAt: Date, outcome: RunOutcome?)] {
        try run {
            try writer.read { db in
                var latest: [JobRef: (startedAt: Date, outcome: RunOutcome?)] = [:]
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT app, job, started_at, outcome FROM runs r
                    WHERE id = (SELECT id FROM runs WHERE app = r.app AND job = r.job ORDER BY started_at DESC, id DESC LIMIT 1)
                    """)
                while let row = try rows.next() {
                    let outcome: String? = row["outcome"]
                    latest[JobRef(app: row["app"], job: row["job"])] = (Timestamp.date(ms: row["started_at"]), outcome.flatMap(RunOutcome.init))
                }
                return latest
            }
        }
    }

    /// The latest finished runs of a job that count for its circuit breaker (ok and failures;
    /// not breaker skips, denials, dependency skips or abandoned runs), newest first.
    public func breakerHistory(_ job: JobRef, limit: Int, excluding runID: Int64? = nil) throws(StoreError) -> [(outcome: RunOutcome, finishedAt: Date)] {
        try run {
            try writer.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT outcome, finished_at FROM runs
                    WHERE app = ? AND job = ? AND state = 'finished' AND id IS NOT ?
                      AND outcome IN ('ok', 'http_error', 'timeout', 'transport_error')
                    ORDER BY finished_at DESC, id DESC LIMIT ?
                    """, arguments: [job.app, job.job, runID, limit]).compactMap { row in
                    guard let outcome = RunOutcome(rawValue: row["outcome"]) else { return nil }
                    return (outcome, Timestamp.date(ms: row["finished_at"]))
                }
            }
        }
    }

    /// Until when the job's circuit breaker stays open: the latest of its last `threshold` counted runs plus the
    /// cool-down, when all of them failed; nil while the breaker is closed (or off, `threshold` 0). Past that time the
    /// breaker is half-open. The one rule `trigger`, the alerts and the dashboard judge a breaker by.
    public func breakerOpenUntil(_ job: JobRef, threshold: Int, cooldown: TimeInterval,
                                 excluding runID: Int64? = nil) throws(StoreError) -> Date? {
        guard threshold > 0 else { return nil }
        let history = try breakerHistory(job, limit: threshold, excluding: runID)
        guard history.count >= threshold, history.allSatisfy({ $0.outcome.isFailure }), let latest = history.first else {
            return nil
        }
        return latest.finishedAt.addingTimeInterval(cooldown)
    }

    /// The earliest run of `job` still in flight that was recorded before `runID` and started at or after `since`:
    /// when the breaker is half-open, that run is the probe and later ones stand aside. Run ids grow with every insert,
    /// so of two processes racing, the one that recorded its run first is the only one that sees none.
    public func inFlightRun(_ job: JobRef, before runID: Int64, since: Date) throws(StoreError) -> Int64? {
        try run {
            try writer.read { db in
                try Int64.fetchOne(db, sql: """
                    SELECT id FROM runs WHERE app = ? AND job = ? AND state = 'started' AND id < ? AND started_at >= ?
                    ORDER BY id LIMIT 1
                    """, arguments: [job.app, job.job, runID, Timestamp.ms(since)])
            }
        }
    }

    /// Runs, newest first, optionally of one job.
    public func runs(of job: JobRef? = nil, limit: Int = 1000) throws(StoreError) -> [StoredRun] {
        try run {
            try writer.read { db in
                let rows: [Row]
                if let job {
                    rows = try Row.fetchAll(db, sql: "SELECT * FROM runs WHERE app = ? AND job = ? ORDER BY id DESC LIMIT ?",
                                            arguments: [job.app, job.job, limit])
                } else {
                    rows = try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id DESC LIMIT ?", arguments: [limit])
                }
                return rows.map { row in
                    StoredRun(
                        id: row["id"], job: JobRef(app: row["app"], job: row["job"]),
                        source: RunSource(rawValue: row["source"]) ?? .manual, state: row["state"],
                        outcome: (row["outcome"] as String?).flatMap(RunOutcome.init(rawValue:)),
                        attempts: row["attempts"], httpStatus: row["http_status"],
                        startedAt: Timestamp.date(ms: row["started_at"]),
                        finishedAt: (row["finished_at"] as Int64?).map { Timestamp.date(ms: $0) },
                        scheduledFor: (row["scheduled_for"] as Int64?).map { Timestamp.date(ms: $0) },
                        responseExcerpt: row["response_excerpt"], error: row["error"],
                        idempotencyKey: row["idempotency_key"], pid: row["pid"])
                }
            }
        }
    }

    /// Unresolved dead letters, oldest first.
    public func openDeadLetters(app: String? = nil, limit: Int = 100) throws(StoreError) -> [DeadLetter] {
        try run {
            try writer.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT * FROM dead_letters WHERE resolved_at IS NULL AND (? IS NULL OR app = ?)
                    ORDER BY created_at, id LIMIT ?
                    """, arguments: [app, app, limit]).map(Self.deadLetter)
            }
        }
    }

    /// Every dead letter, newest first.
    public func deadLetters(limit: Int = 1000) throws(StoreError) -> [DeadLetter] {
        try run {
            try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM dead_letters ORDER BY id DESC LIMIT ?", arguments: [limit])
                    .map(Self.deadLetter)
            }
        }
    }

    /// Records one replay of a dead letter; a successful one resolves it.
    public func recordReplay(deadLetter id: Int64, outcome: RunOutcome, at date: Date) throws(StoreError) {
        try run {
            try writer.write { db in
                try db.execute(sql: """
                    UPDATE dead_letters SET replay_count = replay_count + 1, last_replayed_at = ?, replay_outcome = ?,
                           resolved_at = CASE WHEN ? THEN ? ELSE resolved_at END
                    WHERE id = ?
                    """, arguments: [Timestamp.ms(date), outcome.rawValue, outcome == .ok, Timestamp.ms(date), id])
            }
        }
    }

    /// Stores what a layer's dead-letter queue holds for `jobs`: new entries are added (once, by their remote id);
    /// entries of `origin` for those jobs that the layer no longer holds (retried or removed elsewhere) are resolved,
    /// with the reason. Returns how many were added and resolved.
    @discardableResult
    public func syncRemoteDeadLetters(_ letters: [RemoteDeadLetter], origin: String, jobs: [JobRef],
                                      at date: Date) throws(StoreError) -> (added: Int, resolved: Int) {
        try run {
            try writer.write { db in
                var added = 0
                for letter in letters {
                    try db.execute(sql: """
                        INSERT INTO dead_letters (app, job, payload, last_error, attempts, created_at, origin, remote_id)
                        VALUES (?, ?, NULL, ?, ?, ?, ?, ?)
                        ON CONFLICT (origin, remote_id) WHERE remote_id IS NOT NULL DO NOTHING
                        """, arguments: [letter.job.app, letter.job.job, letter.lastError, max(1, letter.attempts),
                                         Timestamp.ms(letter.createdAt), origin, letter.remoteID])
                    added += db.changesCount
                }
                let held = Set(letters.map(\.remoteID))
                var resolved = 0
                for job in jobs {
                    let open = try Row.fetchAll(db, sql: """
                        SELECT id, remote_id FROM dead_letters
                        WHERE origin = ? AND app = ? AND job = ? AND resolved_at IS NULL AND remote_id IS NOT NULL
                        """, arguments: [origin, job.app, job.job])
                    for row in open where !held.contains(row["remote_id"] as String) {
                        try db.execute(sql: """
                            UPDATE dead_letters SET resolved_at = ?, replay_outcome = COALESCE(replay_outcome, 'gone')
                            WHERE id = ?
                            """, arguments: [Timestamp.ms(date), row["id"] as Int64])
                        resolved += 1
                    }
                }
                return (added, resolved)
            }
        }
    }

    /// Resolves a dead letter without a local run: replayed through its layer (`requeued`) or removed (`discarded`).
    public func resolveDeadLetter(_ id: Int64, outcome: String, at date: Date, replayed: Bool) throws(StoreError) {
        try run {
            try writer.write { db in
                try db.execute(sql: """
                    UPDATE dead_letters SET replay_count = replay_count + ?, last_replayed_at = ?, replay_outcome = ?,
                           resolved_at = ?
                    WHERE id = ?
                    """, arguments: [replayed ? 1 : 0, Timestamp.ms(date), outcome, Timestamp.ms(date), id])
            }
        }
    }

    private static func deadLetter(_ row: Row) -> DeadLetter {
        DeadLetter(
            id: row["id"], runID: row["run_id"], job: JobRef(app: row["app"], job: row["job"]), payload: row["payload"],
            lastError: row["last_error"], attempts: row["attempts"], createdAt: Timestamp.date(ms: row["created_at"]),
            replayCount: row["replay_count"], replayOutcome: row["replay_outcome"],
            resolvedAt: (row["resolved_at"] as Int64?).map { Timestamp.date(ms: $0) },
            sealedPayload: row["payload_sealed"], payloadRedacted: row["payload_redacted"],
            origin: row["origin"], remoteID: row["remote_id"])
    }
}
