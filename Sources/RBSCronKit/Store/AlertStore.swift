import Foundation
import GRDB

/// What one `alert check` asks the store to make of the conditions it found.
public struct AlertReconcileRequest: Sendable {
    /// The conditions that hold now (one per key).
    public var conditions: [AlertCondition]
    /// The kinds whose sources judged this time: an open incident of such a kind that is not among `conditions` is
    /// over. Incidents of other kinds (a source that could not look) stay as they are.
    public var judged: Set<AlertKind>
    /// Why no notification goes out now for an incident (a silence, a maintenance window), or nil.
    public var silence: @Sendable (AlertIncident) -> String?
    /// `--repeat`: remind every route of an open incident this long after its last message; nil for never.
    public var repeatInterval: TimeInterval?
    public var now: Date

    public init(conditions: [AlertCondition], judged: Set<AlertKind>, silence: @escaping @Sendable (AlertIncident) -> String?,
                repeatInterval: TimeInterval? = nil, now: Date) {
        self.conditions = conditions
        self.judged = judged
        self.silence = silence
        self.repeatInterval = repeatInterval
        self.now = now
    }
}

/// What a reconciliation changed.
public struct AlertReconcileResult: Sendable {
    /// Incidents this check opened.
    public var opened: [AlertIncident] = []
    /// Incidents this check found over.
    public var resolved: [AlertIncident] = []
    /// Every incident open after the check, silenced ones included (`silencedBy` set).
    public var open: [AlertIncident] = []
    /// Notifications this check queued.
    public var queued = 0
}

/// A notification claimed for sending, with what its message needs.
public struct ClaimedAlertNotification: Sendable {
    public var notification: AlertNotification
    public var incident: AlertIncident
    public var route: AlertRoute
    /// The claim token: only the claimer records the outcome.
    public var claim: String
}

extension InventoryStore {
    // MARK: - Routes

    /// Every route, by name.
    public func alertRoutes() throws(StoreError) -> [AlertRoute] {
        try run { try writer.read { db in try Self.routes(db) } }
    }

    private static func routes(_ db: Database) throws -> [AlertRoute] {
        try Row.fetchAll(db, sql: "SELECT * FROM alert_routes ORDER BY name").map { row in
            AlertRoute(name: row["name"], kind: AlertRouteKind(rawValue: row["kind"]) ?? .webhook,
                       apps: list(row["apps"]), layers: list(row["layers"]).compactMap(Layer.init(rawValue:)),
                       severities: list(row["severities"]).compactMap(AlertSeverity.init(rawValue:)),
                       createdAt: Timestamp.date(ms: row["created_at"]))
        }
    }

    /// Adds a route and seals its URL as the global secret `route.secretKey`, in one transaction. With `replace`, a
    /// route of that name gets the new URL and limits and keeps its history (what it was told is not told again).
    /// Returns true when it replaced one.
    @discardableResult
    public func addAlertRoute(_ route: AlertRoute, url: String, box: SecretBox, replace: Bool = false) throws -> Bool {
        guard Slug.isValid(route.name) else { throw AlertError.invalidRouteName(route.name) }
        let key = route.secretKey
        try Self.validate(scope: SecretKeys.globalScope, key: key)
        let sealed = try box.seal(url, scope: SecretKeys.globalScope, key: key)
        let outcome = try runAny {
            try writer.write { db -> Bool? in
                let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM alert_routes WHERE name = ?", arguments: [route.name]) == true
                if exists && !replace { return nil }
                try bindMasterKey(box, in: db)
                // An UPDATE, not INSERT OR REPLACE: replacing the row would cascade to its notifications.
                try db.execute(sql: """
                    INSERT INTO alert_routes (name, kind, apps, layers, severities, created_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, apps = excluded.apps, layers = excluded.layers,
                        severities = excluded.severities
                    """, arguments: [route.name, route.kind.rawValue, Self.json(route.apps), Self.json(route.layers.map(\.rawValue)),
                                     Self.json(route.severities.map(\.rawValue)), Timestamp.ms(route.createdAt)])
                try db.execute(sql: """
                    INSERT INTO secrets (scope, key, ciphertext, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(scope, key) DO UPDATE SET ciphertext = excluded.ciphertext, previous_ciphertext = NULL,
                        previous_expires_at = NULL, rotated_at = excluded.created_at
                    """, arguments: [SecretKeys.globalScope, key, sealed, Timestamp.ms(route.createdAt)])
                return exists
            }
        }
        guard let replaced = outcome else { throw AlertError.routeExists(route.name) }
        return replaced
    }

    /// Removes a route, its sealed URL and its notifications. Returns false when there was none.
    @discardableResult
    public func removeAlertRoute(named name: String) throws(StoreError) -> Bool {
        try run {
            try writer.write { db in
                try db.execute(sql: "DELETE FROM alert_routes WHERE name = ?", arguments: [name])
                let removed = db.changesCount > 0
                if removed {
                    try db.execute(sql: "DELETE FROM secrets WHERE scope = ? AND key = ?",
                                   arguments: [SecretKeys.globalScope, AlertRoute.secretKey(for: name)])
                }
                return removed
            }
        }
    }

    // MARK: - Silences

    /// Records a silence.
    public func addAlertSilence(app: String, job: String?, reason: String, createdAt: Date,
                                expiresAt: Date) throws(StoreError) -> AlertSilence {
        try run {
            try writer.write { db in
                try db.execute(sql: """
                    INSERT INTO alert_silences (app, job, reason, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [app, job, reason, Timestamp.ms(createdAt), Timestamp.ms(expiresAt)])
                return AlertSilence(id: db.lastInsertedRowID, app: app, job: job, reason: reason, createdAt: createdAt,
                                    expiresAt: expiresAt)
            }
        }
    }

    /// Silences still in force at `date`, soonest to expire first.
    public func alertSilences(activeAt date: Date) throws(StoreError) -> [AlertSilence] {
        try run {
            try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM alert_silences WHERE expires_at > ? ORDER BY expires_at, id",
                                 arguments: [Timestamp.ms(date)]).map { row in
                    AlertSilence(id: row["id"], app: row["app"], job: row["job"], reason: row["reason"],
                                 createdAt: Timestamp.date(ms: row["created_at"]), expiresAt: Timestamp.date(ms: row["expires_at"]))
                }
            }
        }
    }

    /// Ends silences now: the one with `id`, or every one in force on exactly `app` (and `job`). Returns those ended.
    public func endAlertSilences(id: Int64? = nil, app: String? = nil, job: String? = nil,
                                 at date: Date) throws(StoreError) -> [AlertSilence] {
        let active = try alertSilences(activeAt: date).filter { silence in
            if let id { return silence.id == id }
            return silence.app == app && silence.job == job
        }
        guard !active.isEmpty else { return [] }
        try run {
            try writer.write { db in
                for silence in active {
                    // A silence ended now expires now; its row stays as the record of who silenced what.
                    try db.execute(sql: "UPDATE alert_silences SET expires_at = max(created_at + 1, ?) WHERE id = ?",
                                   arguments: [Timestamp.ms(date), silence.id])
                }
            }
        }
        return active
    }

    // MARK: - Incidents

    /// Opens, updates and resolves incidents from one check's conditions and queues their notifications, all in one
    /// IMMEDIATE transaction: a concurrent check on the same file waits, then sees what this one did, so no
    /// incident opens twice and no notification is queued twice (the UNIQUE constraints would refuse it anyway).
    ///
    /// A route is notified `open` of every open incident it takes that is not silenced (also when it began to take
    /// it late: a new route, a silence that ended); `resolve` when an incident it was told of is over (silenced or
    /// not, so that no receiver is left believing an incident open); `remind` after `repeatInterval` since its last
    /// delivered message, while the incident stays open and unsilenced.
    public func reconcileAlerts(_ request: AlertReconcileRequest) throws(StoreError) -> AlertReconcileResult {
        try run {
            try writer.write { db in
                var result = AlertReconcileResult()
                let now = Timestamp.ms(request.now)
                let routes = try Self.routes(db)
                var open = Dictionary(try Self.incidents(db, where: "resolved_at IS NULL").map { ($0.key, $0) },
                                      uniquingKeysWith: { a, _ in a })
                var seen: Set<String> = []
                for condition in request.conditions where seen.insert(condition.key).inserted {
                    if var incident = open[condition.key] {
                        try db.execute(sql: """
                            UPDATE alert_incidents SET severity = ?, summary = ?, detail = ?, last_seen_at = ? WHERE id = ?
                            """, arguments: [condition.severity.rawValue, condition.summary, condition.detail, now, incident.id])
                        incident.severity = condition.severity
                        incident.summary = condition.summary
                        incident.detail = condition.detail
                        incident.lastSeenAt = request.now
                        open[condition.key] = incident
                    } else {
                        let since = min(condition.since ?? request.now, request.now)
                        try db.execute(sql: """
                            INSERT INTO alert_incidents (key, kind, severity, app, job, layer, summary, detail, look_closer,
                                                         since, opened_at, last_seen_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """, arguments: [condition.key, condition.kind.rawValue, condition.severity.rawValue, condition.app,
                                             condition.job?.description, condition.layer?.rawValue, condition.summary,
                                             condition.detail, condition.lookCloser, Timestamp.ms(since), now, now])
                        let incident = AlertIncident(
                            id: db.lastInsertedRowID, key: condition.key, kind: condition.kind, severity: condition.severity,
                            app: condition.app, job: condition.job, layer: condition.layer, summary: condition.summary,
                            detail: condition.detail, lookCloser: condition.lookCloser, since: since, openedAt: request.now,
                            lastSeenAt: request.now, resolvedAt: nil)
                        open[condition.key] = incident
                        result.opened.append(incident)
                    }
                }
                for (key, incident) in open where !seen.contains(key) && request.judged.contains(incident.kind) {
                    try db.execute(sql: "UPDATE alert_incidents SET resolved_at = ? WHERE id = ?", arguments: [now, incident.id])
                    var resolved = incident
                    resolved.resolvedAt = request.now
                    open[key] = nil
                    result.resolved.append(resolved)
                    // Every route told of the opening hears of the end.
                    try db.execute(sql: """
                        INSERT INTO alert_notifications (incident_id, route, event, sequence, state, created_at)
                        SELECT incident_id, route, 'resolve', 0, 'pending', ? FROM alert_notifications
                        WHERE incident_id = ? AND event = 'open'
                        ON CONFLICT DO NOTHING
                        """, arguments: [now, incident.id])
                    result.queued += db.changesCount
                }
                for incident in open.values.sorted(by: { $0.id < $1.id }) {
                    var shown = incident
                    shown.silencedBy = request.silence(incident)
                    result.open.append(shown)
                    guard shown.silencedBy == nil else { continue }
                    for route in routes where route.takes(incident) {
                        try db.execute(sql: """
                            INSERT INTO alert_notifications (incident_id, route, event, sequence, state, created_at)
                            VALUES (?, ?, 'open', 0, 'pending', ?) ON CONFLICT DO NOTHING
                            """, arguments: [incident.id, route.name, now])
                        result.queued += db.changesCount
                        if let interval = request.repeatInterval {
                            result.queued += try Self.remind(db, incident: incident.id, route: route.name, every: interval,
                                                             now: request.now)
                        }
                    }
                }
                result.opened.sort { $0.id < $1.id }
                result.resolved.sort { $0.id < $1.id }
                return result
            }
        }
    }

    /// Queues the next reminder of `incident` to `route` when its last message (the opening or the latest
    /// reminder) was delivered `every` ago or more. Returns 1 when it queued one.
    private static func remind(_ db: Database, incident: Int64, route: String, every interval: TimeInterval, now: Date) throws -> Int {
        guard let last = try Row.fetchOne(db, sql: """
            SELECT sequence, state, delivered_at FROM alert_notifications
            WHERE incident_id = ? AND route = ? AND event IN ('open', 'remind') ORDER BY sequence DESC LIMIT 1
            """, arguments: [incident, route]) else { return 0 }
        guard (last["state"] as String) == AlertNotificationState.delivered.rawValue,
              let delivered = last["delivered_at"] as Int64?,
              Timestamp.ms(now) - delivered >= Int64(interval * 1000) else { return 0 }
        try db.execute(sql: """
            INSERT INTO alert_notifications (incident_id, route, event, sequence, state, created_at)
            VALUES (?, ?, 'remind', ?, 'pending', ?) ON CONFLICT DO NOTHING
            """, arguments: [incident, route, (last["sequence"] as Int) + 1, Timestamp.ms(now)])
        return db.changesCount
    }

    /// Incidents open now, oldest first.
    public func openAlertIncidents() throws(StoreError) -> [AlertIncident] {
        try run { try writer.read { db in try Self.incidents(db, where: "resolved_at IS NULL") } }
    }

    /// Incidents resolved at or after `date`, oldest first.
    public func alertIncidents(resolvedSince date: Date) throws(StoreError) -> [AlertIncident] {
        try run {
            try writer.read { db in
                try Self.incidents(db, where: "resolved_at >= ?", arguments: [Timestamp.ms(date)])
            }
        }
    }

    private static func incidents(_ db: Database, where condition: String, arguments: StatementArguments = []) throws -> [AlertIncident] {
        try Row.fetchAll(db, sql: "SELECT * FROM alert_incidents WHERE \(condition) ORDER BY id", arguments: arguments).map(incident)
    }

    private static func incident(_ row: Row) -> AlertIncident {
        AlertIncident(
            id: row["id"], key: row["key"], kind: AlertKind(rawValue: row["kind"]) ?? .jobFailing,
            severity: AlertSeverity(rawValue: row["severity"]) ?? .critical, app: row["app"],
            job: (row["job"] as String?).flatMap(JobRef.init), layer: (row["layer"] as String?).flatMap(Layer.init(rawValue:)),
            summary: row["summary"], detail: row["detail"], lookCloser: row["look_closer"],
            since: Timestamp.date(ms: row["since"]), openedAt: Timestamp.date(ms: row["opened_at"]),
            lastSeenAt: Timestamp.date(ms: row["last_seen_at"]), resolvedAt: (row["resolved_at"] as Int64?).map(Timestamp.date(ms:)))
    }

    // MARK: - Notifications

    /// Claims up to `limit` notifications for sending: pending ones, failed ones last tried before `retryBefore`
    /// (so one check tries each at most once), and ones whose claim is older than `lease` (their sender died). A
    /// notification waits while an earlier one of the same incident and route is not delivered, so a receiver
    /// never hears "resolved" before "open". The claim is one IMMEDIATE transaction: of two concurrent checks,
    /// each notification goes to one.
    public func claimAlertNotifications(claim: String, now: Date, retryBefore: Date, lease: TimeInterval,
                                        limit: Int = 100) throws(StoreError) -> [ClaimedAlertNotification] {
        try run {
            try writer.write { db in
                let nowMs = Timestamp.ms(now)
                let rows = try Row.fetchAll(db, sql: """
                    SELECT n.*, i.key AS incident_key FROM alert_notifications n JOIN alert_incidents i ON i.id = n.incident_id
                    WHERE (n.state = 'pending'
                           OR (n.state = 'failed' AND n.claimed_at < ?)
                           OR (n.state = 'sending' AND n.claimed_at < ?))
                      AND NOT EXISTS (SELECT 1 FROM alert_notifications p
                                      WHERE p.incident_id = n.incident_id AND p.route = n.route AND p.id < n.id
                                        AND p.state != 'delivered')
                    ORDER BY n.id LIMIT ?
                    """, arguments: [Timestamp.ms(retryBefore), nowMs - Int64(lease * 1000), max(0, limit)])
                guard !rows.isEmpty else { return [] }
                let routes = Dictionary(try Self.routes(db).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
                var claimed: [ClaimedAlertNotification] = []
                for row in rows {
                    let id: Int64 = row["id"]
                    try db.execute(sql: "UPDATE alert_notifications SET state = 'sending', claim = ?, claimed_at = ? WHERE id = ?",
                                   arguments: [claim, nowMs, id])
                    let incidentID: Int64 = row["incident_id"]
                    guard let route = routes[row["route"]],
                          let incidentRow = try Row.fetchOne(db, sql: "SELECT * FROM alert_incidents WHERE id = ?",
                                                             arguments: [incidentID]) else { continue }
                    var notification = Self.notification(row)
                    notification.state = .sending
                    claimed.append(ClaimedAlertNotification(notification: notification, incident: Self.incident(incidentRow),
                                                            route: route, claim: claim))
                }
                return claimed
            }
        }
    }

    /// Records one delivery attempt of a claimed notification: its outcome, and the attempt in `alert_attempts`.
    /// Returns false (and records nothing) when the claim is no longer this one's (its lease ran out and another
    /// check took it over).
    @discardableResult
    public func recordAlertAttempt(notification id: Int64, claim: String, delivered: Bool, httpStatus: Int?, error: String?,
                                   at date: Date, durationMs: Double?) throws(StoreError) -> Bool {
        try run {
            try writer.write { db in
                try db.execute(sql: """
                    UPDATE alert_notifications SET state = ?, attempts = attempts + 1, last_error = ?,
                           delivered_at = CASE WHEN ? THEN ? ELSE delivered_at END
                    WHERE id = ? AND claim = ? AND state = 'sending'
                    """, arguments: [delivered ? "delivered" : "failed", delivered ? nil : error, delivered, Timestamp.ms(date),
                                     id, claim])
                guard db.changesCount == 1 else { return false }
                try db.execute(sql: """
                    INSERT INTO alert_attempts (notification_id, attempted_at, outcome, http_status, error, duration_ms)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [id, Timestamp.ms(date), delivered ? "delivered" : "failed", httpStatus, error, durationMs])
                return true
            }
        }
    }

    /// Notifications not delivered yet (pending, being sent, or failed and waiting for the next check), oldest first.
    public func undeliveredAlertNotifications() throws(StoreError) -> [AlertNotification] {
        try run {
            try writer.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT n.*, i.key AS incident_key FROM alert_notifications n JOIN alert_incidents i ON i.id = n.incident_id
                    WHERE n.state != 'delivered' ORDER BY n.id
                    """).map(Self.notification)
            }
        }
    }

    /// Every notification of the incident with `key` (open or resolved), oldest first; every one when `key` is nil.
    public func alertNotifications(incidentKey key: String? = nil) throws(StoreError) -> [AlertNotification] {
        try run {
            try writer.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT n.*, i.key AS incident_key FROM alert_notifications n JOIN alert_incidents i ON i.id = n.incident_id
                    WHERE ? IS NULL OR i.key = ? ORDER BY n.id
                    """, arguments: [key, key]).map(Self.notification)
            }
        }
    }

    /// Delivery attempts recorded, oldest first: `(notification id, delivered, http status, error)`.
    public func alertAttempts() throws(StoreError) -> [(notification: Int64, delivered: Bool, httpStatus: Int?, error: String?)] {
        try run {
            try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM alert_attempts ORDER BY id").map { row in
                    (row["notification_id"], (row["outcome"] as String) == "delivered", row["http_status"], row["error"])
                }
            }
        }
    }

    private static func notification(_ row: Row) -> AlertNotification {
        AlertNotification(
            id: row["id"], incidentKey: row["incident_key"], route: row["route"],
            event: AlertEvent(rawValue: row["event"]) ?? .open, sequence: row["sequence"],
            state: AlertNotificationState(rawValue: row["state"]) ?? .pending, attempts: row["attempts"],
            createdAt: Timestamp.date(ms: row["created_at"]), deliveredAt: (row["delivered_at"] as Int64?).map(Timestamp.date(ms:)),
            lastError: row["last_error"])
    }

    // MARK: - Evidence for conditions

    /// When the current failure streak of `job` began: its earliest failed run since its latest success (of all its
    /// runs when it never succeeded). Failed means what `stats` counts as failed.
    public func failureStreakStart(_ job: JobRef) throws(StoreError) -> Date? {
        try run {
            try writer.read { db in
                let lastOk = try Int64.fetchOne(db, sql: """
                    SELECT started_at FROM runs WHERE app = ? AND job = ? AND state = 'finished' AND outcome = 'ok'
                    ORDER BY started_at DESC LIMIT 1
                    """, arguments: [job.app, job.job])
                return try Int64.fetchOne(db, sql: """
                    SELECT started_at FROM runs WHERE app = ? AND job = ? AND started_at > ? AND \(StatsSQL.failed)
                    ORDER BY started_at LIMIT 1
                    """, arguments: [job.app, job.job, lastOk ?? Int64.min]).map(Timestamp.date(ms:))
            }
        }
    }

    /// Each app's latest health check, and when its current run of `down` checks began (nil when it is not down).
    public func latestHealth() throws(StoreError) -> [String: (latest: HealthCheckRecord, downSince: Date?)] {
        try run {
            try writer.read { db in
                var result: [String: (HealthCheckRecord, Date?)] = [:]
                for row in try Row.fetchAll(db, sql: """
                    SELECT h.* FROM health_checks h
                    WHERE h.id = (SELECT id FROM health_checks WHERE app = h.app ORDER BY checked_at DESC, id DESC LIMIT 1)
                    """) {
                    let record = HealthCheckRecord(
                        app: row["app"], checkedAt: Timestamp.date(ms: row["checked_at"]),
                        status: HealthStatus(rawValue: row["status"]) ?? .down, method: row["method"],
                        httpStatus: row["http_status"], reason: row["reason"], dnsMs: row["dns_ms"], connectMs: row["connect_ms"],
                        tlsMs: row["tls_ms"], firstByteMs: row["first_byte_ms"], totalMs: row["total_ms"])
                    var downSince: Date?
                    if record.status == .down {
                        let lastUp = try Int64.fetchOne(db, sql: """
                            SELECT checked_at FROM health_checks WHERE app = ? AND status != 'down' ORDER BY checked_at DESC LIMIT 1
                            """, arguments: [record.app])
                        downSince = try Int64.fetchOne(db, sql: """
                            SELECT checked_at FROM health_checks WHERE app = ? AND status = 'down' AND checked_at > ?
                            ORDER BY checked_at LIMIT 1
                            """, arguments: [record.app, lastUp ?? Int64.min]).map(Timestamp.date(ms:))
                    }
                    result[record.app] = (record, downSince)
                }
                return result
            }
        }
    }

    private static func list(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    private static func json(_ values: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(values), as: UTF8.self)) ?? "[]"
    }
}
