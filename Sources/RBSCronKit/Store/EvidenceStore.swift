import Foundation
import GRDB

extension InventoryStore {
    /// Records what each layer said of each job, merging how far back its history has been read: a read that starts
    /// at or before the end of the previous one extends the covered span; a read after a gap starts it again (the
    /// fires in the gap were never seen).
    public func recordObservations(_ observations: [LayerObservation]) throws(StoreError) {
        guard !observations.isEmpty else { return }
        try run {
            try writer.write { db in
                let statement = try db.makeStatement(sql: """
                    INSERT INTO layer_observations (app, job, layer, observed_at, history_from, schedule_state,
                                                    schedule_created_at, pending, note)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(app, job) DO UPDATE SET
                        layer = excluded.layer,
                        history_from = CASE
                            WHEN excluded.history_from IS NULL THEN NULL
                            WHEN layer_observations.history_from IS NOT NULL AND layer_observations.layer = excluded.layer
                                 AND excluded.history_from <= layer_observations.observed_at
                                THEN min(layer_observations.history_from, excluded.history_from)
                            ELSE excluded.history_from END,
                        observed_at = max(layer_observations.observed_at, excluded.observed_at),
                        schedule_state = excluded.schedule_state,
                        schedule_created_at = excluded.schedule_created_at,
                        pending = excluded.pending,
                        note = excluded.note
                    """)
                for observation in observations {
                    let pending = observation.pending.isEmpty ? nil : String(
                        decoding: try JSONEncoder().encode(observation.pending.map(StoredEvidence.init)), as: UTF8.self)
                    try statement.execute(arguments: [
                        observation.job.app, observation.job.job, observation.layer.rawValue, Timestamp.ms(observation.observedAt),
                        observation.historyFrom.map(Timestamp.ms), observation.scheduleState?.rawValue,
                        observation.scheduleCreatedAt.map(Timestamp.ms), pending, observation.note,
                    ])
                }
            }
        }
    }

    /// The latest observation of each job.
    public func observations() throws(StoreError) -> [JobRef: LayerObservation] {
        try run {
            try writer.read { db in
                var result: [JobRef: LayerObservation] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT * FROM layer_observations") {
                    let ref = JobRef(app: row["app"], job: row["job"])
                    guard let layer = Layer(rawValue: row["layer"]) else { continue }
                    var pending: [FireEvidence] = []
                    if let text: String = row["pending"],
                       let stored = try? JSONDecoder().decode([StoredEvidence].self, from: Data(text.utf8)) {
                        pending = stored.compactMap(\.evidence)
                    }
                    result[ref] = LayerObservation(
                        job: ref, layer: layer, observedAt: Timestamp.date(ms: row["observed_at"]),
                        historyFrom: (row["history_from"] as Int64?).map { Timestamp.date(ms: $0) },
                        scheduleState: (row["schedule_state"] as String?).flatMap(LayerScheduleState.init(rawValue:)),
                        scheduleCreatedAt: (row["schedule_created_at"] as Int64?).map { Timestamp.date(ms: $0) },
                        pending: pending, note: row["note"])
                }
                return result
            }
        }
    }

    /// The calls recorded for `jobs` that started in `[from, until]` and can account for a scheduled fire: those a
    /// layer made (read back by `stats --sync`, source `remote`) and those due mode made (source `due`). Calls made
    /// by hand (`trigger APP/JOB`, replays) are not fires of the schedule. `layers` names who made a remote call.
    public func fireEvidence(jobs: [JobRef], layers: [JobRef: Layer], from: Date, until: Date) throws(StoreError)
        -> [JobRef: [FireEvidence]] {
        guard !jobs.isEmpty else { return [:] }
        return try run {
            try writer.read { db in
                var result: [JobRef: [FireEvidence]] = [:]
                let statement = try db.makeStatement(sql: """
                    SELECT source, scheduled_for, started_at, finished_at, state, attempts, http_status, outcome, error,
                           response_excerpt
                    FROM runs
                    WHERE app = ? AND job = ? AND source IN ('remote', 'due') AND started_at BETWEEN ? AND ?
                    ORDER BY started_at, id
                    """)
                for job in jobs {
                    let rows = try Row.fetchAll(statement, arguments: [job.app, job.job, Timestamp.ms(from), Timestamp.ms(until)])
                    let by = layers[job]?.rawValue ?? "layer"
                    result[job] = rows.map { row in
                        let source: String = row["source"]
                        return FireEvidence(
                            at: Timestamp.date(ms: row["started_at"]),
                            scheduledFor: (row["scheduled_for"] as Int64?).map { Timestamp.date(ms: $0) },
                            kind: Self.evidenceKind(state: row["state"], outcome: row["outcome"]),
                            by: source == "due" ? "rbscron" : by,
                            finishedAt: (row["finished_at"] as Int64?).map { Timestamp.date(ms: $0) },
                            httpStatus: row["http_status"], attempts: row["attempts"], detail: row["error"],
                            responseExcerpt: row["response_excerpt"])
                    }
                }
                return result
            }
        }
    }

    /// The start of the first call a layer or due mode made for each of `jobs` (jobs with none are left out).
    public func firstFireEvidence(jobs: [JobRef]) throws(StoreError) -> [JobRef: Date] {
        try run {
            try writer.read { db in
                let statement = try db.makeStatement(sql: """
                    SELECT started_at FROM runs WHERE app = ? AND job = ? AND source IN ('due', 'remote')
                    ORDER BY started_at LIMIT 1
                    """)
                var result: [JobRef: Date] = [:]
                for job in jobs {
                    if let ms = try Int64.fetchOne(statement, arguments: [job.app, job.job]) { result[job] = Timestamp.date(ms: ms) }
                }
                return result
            }
        }
    }

    /// What a stored run says of the fire it made: ok delivered; an HTTP or transport error failed (a cancelled layer
    /// call is stored as skipped: failed too); a timeout or an unknown result unknown; a run still going pending; a
    /// run that never sent anything (denied, breaker open, interrupted) not sent.
    static func evidenceKind(state: String, outcome: String?) -> FireEvidence.Kind {
        if state == "started" { return .pending }
        switch outcome {
        case "ok": return .delivered
        case "http_error", "transport_error", "skipped": return .failed
        case "timeout", "unknown", "abandoned", nil: return .unknown
        default: return .notSent  // denied, circuit_open, interrupted
        }
    }

    /// Records due mode's decisions.
    public func recordDueDecisions(_ decisions: [DueDecision], at decidedAt: Date) throws(StoreError) {
        guard !decisions.isEmpty else { return }
        try run {
            try writer.write { db in
                let statement = try db.makeStatement(sql: """
                    INSERT INTO due_decisions (app, job, fire_at, decided_at, state, action, via, reason, run_id, remote_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for d in decisions {
                    try statement.execute(arguments: [
                        d.job.app, d.job.job, Timestamp.ms(d.fireAt), Timestamp.ms(decidedAt), d.state.rawValue,
                        d.action.rawValue, d.via, d.reason, d.runID, d.remoteID,
                    ])
                }
            }
        }
    }

    /// Claims `fire` of `job` for due mode in this inventory: records a `fired` decision unless one exists (this
    /// process or another on the same file made it). Returns the decision's id, or nil when it was claimed already.
    public func claimDueFire(_ decision: DueDecision, at decidedAt: Date) throws(StoreError) -> Int64? {
        try run {
            try writer.write { db -> Int64? in
                // A claim whose process stopped before sending anything does not hold the fire for ever.
                try db.execute(sql: """
                    UPDATE due_decisions SET action = 'skipped',
                           reason = reason || ' (claim abandoned: the process stopped before sending it)'
                    WHERE app = ? AND job = ? AND fire_at = ? AND action = 'fired' AND run_id IS NULL AND remote_id IS NULL
                      AND decided_at < ?
                    """, arguments: [decision.job.app, decision.job.job, Timestamp.ms(decision.fireAt),
                                     Timestamp.ms(decidedAt.addingTimeInterval(-Self.staleClaim))])
                try db.execute(sql: """
                    INSERT INTO due_decisions (app, job, fire_at, decided_at, state, action, via, reason)
                    VALUES (?, ?, ?, ?, ?, 'fired', ?, ?)
                    ON CONFLICT (app, job, fire_at) WHERE action = 'fired' DO NOTHING
                    """, arguments: [decision.job.app, decision.job.job, Timestamp.ms(decision.fireAt), Timestamp.ms(decidedAt),
                                     decision.state.rawValue, decision.via, decision.reason])
                return db.changesCount == 1 ? db.lastInsertedRowID : nil
            }
        }
    }

    /// A due-mode claim that has sent nothing after this long belongs to a process that stopped.
    public static let staleClaim: TimeInterval = 10 * 60

    /// Completes a claimed decision: how it was sent, the run it made, the layer's id, and (when it changed) why.
    public func completeDueDecision(_ id: Int64, via: String?, runID: Int64?, remoteID: String?, reason: String? = nil,
                                    action: DueDecision.Action = .fired) throws(StoreError) {
        try run {
            try writer.write { db in
                try db.execute(sql: """
                    UPDATE due_decisions SET via = ?, run_id = ?, remote_id = ?, reason = coalesce(?, reason), action = ?
                    WHERE id = ?
                    """, arguments: [via, runID, remoteID, reason, action.rawValue, id])
            }
        }
    }

    /// Due mode's decisions made at or after `since`, oldest first.
    public func dueDecisions(since: Date) throws(StoreError) -> [(decidedAt: Date, decision: DueDecision)] {
        try run {
            try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM due_decisions WHERE decided_at >= ? ORDER BY decided_at, id",
                                 arguments: [Timestamp.ms(since)]).compactMap { row in
                    guard let state = FireState(rawValue: row["state"]),
                          let action = DueDecision.Action(rawValue: row["action"]) else { return nil }
                    return (Timestamp.date(ms: row["decided_at"]), DueDecision(
                        job: JobRef(app: row["app"], job: row["job"]), fireAt: Timestamp.date(ms: row["fire_at"]), state: state,
                        action: action, via: row["via"], reason: row["reason"], runID: row["run_id"], remoteID: row["remote_id"]))
                }
            }
        }
    }
}

/// A pending call as `layer_observations.pending` keeps it (JSON).
private struct StoredEvidence: Codable {
    var at: Int64
    var scheduledFor: Int64?
    var kind: String
    var by: String
    var httpStatus: Int?
    var attempts: Int?
    var detail: String?

    init(_ e: FireEvidence) {
        at = Timestamp.ms(e.at)
        scheduledFor = e.scheduledFor.map(Timestamp.ms)
        kind = e.kind.rawValue
        by = e.by
        httpStatus = e.httpStatus
        attempts = e.attempts
        detail = e.detail
    }

    var evidence: FireEvidence? {
        guard let kind = FireEvidence.Kind(rawValue: kind) else { return nil }
        return FireEvidence(at: Timestamp.date(ms: at), scheduledFor: scheduledFor.map { Timestamp.date(ms: $0) }, kind: kind,
                            by: by, httpStatus: httpStatus, attempts: attempts, detail: detail)
    }
}
