import Foundation

extension QStashSync: LayerSync {
    public var layer: Layer { .qstash }

    public func plan(_ request: LayerRequest) async throws -> LayerPlan {
        try await plan(app: request.app, pruneForeign: request.pruneForeign)
    }

    public func apply(_ request: LayerRequest, dryRun: Bool) async throws -> LayerApplyReport {
        try await apply(app: request.app, pruneForeign: request.pruneForeign, dryRun: dryRun)
    }

    public func remote(_ request: LayerRequest) async throws -> RemoteSchedules {
        .qstash(try await remoteSchedules(app: request.app), app: request.app)
    }

    /// How far before the window a message's events are read: a message created before the window's start can end
    /// inside it (QStash's default retries end about 33 minutes after the first attempt).
    public static let messageSlack: TimeInterval = 40 * 60

    /// QStash's event log since `since` (or what QStash still keeps), for the QStash jobs of `jobs`, and the state of
    /// their schedules. One `QSTASH_TOKEN` serves the account: the first job's app's, else the global one.
    public func history(jobs: [Job], since: Date, now: Date) async throws -> LayerHistory? {
        let qstashJobs = jobs.filter { $0.layer == .qstash }
        guard let first = qstashJobs.first else { return nil }
        guard let token = try secrets.secret(app: first.app, key: SecretKeys.qstashToken), !token.isEmpty else {
            throw RemoteHistoryError.missingToken(service: QStashEventsClient.service, key: SecretKeys.qstashToken,
                                                  scope: first.app)
        }
        let from = max(since, now.addingTimeInterval(-LayerTiming.qstashLogRetention))
        let client = QStashEventsClient(transport: transport, baseURL: baseURL, token: token, redactor: redactor)
        let events = try await client.allEvents(from: Timestamp.ms(from.addingTimeInterval(-Self.messageSlack)))
        let schedules: [QStashSchedule]
        do {
            schedules = try await QStashClient(baseURL: baseURL, token: token, transport: transport, redactor: redactor).list()
        } catch {
            switch error {
            case .unauthorized(let status, let detail), .http(let status, let detail):
                throw RemoteHistoryError.http(service: QStashEventsClient.service, status: status, detail: detail)
            case .unexpectedResponse(let detail):
                throw RemoteHistoryError.malformed(service: QStashEventsClient.service, detail: detail)
            default:
                throw RemoteHistoryError.transport(service: QStashEventsClient.service, message: error.errorDescription ?? "\(error)")
            }
        }
        let runs = Self.runs(from: events, jobs: qstashJobs, redactor: redactor)
        let pending = Self.pending(from: events, jobs: qstashJobs, redactor: redactor)
        let byID = Dictionary(schedules.map { ($0.scheduleId, $0) }, uniquingKeysWith: { first, _ in first })
        let observations = qstashJobs.map { job -> LayerObservation in
            let schedule = byID[ScheduleID.of(job.ref)]
            let state: LayerScheduleState = schedule.map { $0.isPaused ? .paused : .active } ?? .absent
            return LayerObservation(
                job: job.ref, layer: .qstash, observedAt: now, historyFrom: from, scheduleState: state,
                scheduleCreatedAt: schedule.flatMap { $0.createdAt > 0 ? Timestamp.date(ms: $0.createdAt) : nil },
                pending: pending[job.ref] ?? [])
        }
        return LayerHistory(summary: SyncSummary(layer: "qstash", sources: ["qstash"], read: events.count, matched: runs.count),
                            runs: runs, observations: observations)
    }

    /// Messages of the jobs' schedules that have no final state yet: QStash is still delivering or retrying them.
    public static func pending(from events: [QStashEvent], jobs: [Job], redactor: Redactor) -> [JobRef: [FireEvidence]] {
        var byID: [String: JobRef] = [:]
        for job in jobs where job.layer == .qstash { byID[ScheduleID.of(job.ref)] = job.ref }
        var messages: [String: [QStashEvent]] = [:]
        for event in events {
            guard let schedule = event.scheduleId, byID[schedule] != nil else { continue }
            messages[event.messageId, default: []].append(event)
        }
        var result: [JobRef: [FireEvidence]] = [:]
        for (_, list) in messages {
            let sorted = list.sorted { ($0.time, order($0.state)) < ($1.time, order($1.state)) }
            guard !sorted.contains(where: { terminalStates.contains($0.state) }), let last = sorted.last,
                  let schedule = last.scheduleId, let ref = byID[schedule] else { continue }
            let created = sorted.first { $0.state == "CREATED" } ?? sorted[0]
            let errors = sorted.filter { $0.state == "ERROR" }
            let detail = "QStash: \(last.state.lowercased())" + (last.error.map { ", last error: \(redactor.redact($0))" } ?? "")
            result[ref, default: []].append(FireEvidence(
                at: Timestamp.date(ms: created.time), kind: .pending, by: "qstash",
                httpStatus: errors.last?.responseStatus, attempts: errors.count + 1, detail: detail))
        }
        return result
    }

    /// A message's final states (both spellings of the cancelled one).
    static let terminalStates: Set<String> = ["DELIVERED", "FAILED", "CANCELED", "CANCELLED"]

    /// Turns QStash events into runs: one run per message that reached a final state (DELIVERED → ok,
    /// FAILED → http_error, or transport_error when no response status was recorded, CANCELED → skipped).
    /// ERROR and RETRY events are attempts of that run. Messages still in flight become runs on a later sync.
    /// Only messages whose schedule id is `rbs-<app>-<job>` of a QStash job in `jobs` are kept.
    public static func runs(from events: [QStashEvent], jobs: [Job], redactor: Redactor) -> [RemoteRun] {
        var byID: [String: JobRef] = [:]
        for job in jobs where job.layer == .qstash { byID[ScheduleID.of(job.ref)] = job.ref }
        var messages: [String: [QStashEvent]] = [:]
        for event in events {
            guard let schedule = event.scheduleId, byID[schedule] != nil else { continue }
            messages[event.messageId, default: []].append(event)
        }
        var result: [RemoteRun] = []
        for (messageID, list) in messages {
            let sorted = list.sorted { ($0.time, order($0.state)) < ($1.time, order($1.state)) }
            guard let terminal = sorted.last(where: { terminalStates.contains($0.state) }),
                  let schedule = terminal.scheduleId, let ref = byID[schedule] else { continue }
            let created = sorted.first { $0.state == "CREATED" } ?? sorted[0]
            let errors = sorted.filter { $0.state == "ERROR" }
            let outcome: String
            var status = terminal.responseStatus ?? errors.last?.responseStatus
            switch terminal.state {
            case "DELIVERED":
                outcome = "ok"
                status = terminal.responseStatus
            case "CANCELED", "CANCELLED": outcome = "skipped"
            default: outcome = status == nil ? "transport_error" : "http_error"
            }
            let attempts = max(1, errors.count + (terminal.state == "DELIVERED" ? 1 : 0))
            var error = outcome == "ok" ? nil : (terminal.error ?? errors.last?.error).map { redactor.redact($0) }
            if outcome == "skipped" { error = "cancelled in QStash before delivery" + (error.map { ": \($0)" } ?? "") }
            result.append(RemoteRun(
                job: ref, idempotencyKey: "qstash:\(messageID):\(terminal.state)",
                startedAt: Timestamp.date(ms: min(created.time, terminal.time)), finishedAt: Timestamp.date(ms: terminal.time),
                outcome: outcome, httpStatus: status, durationMs: nil, attempts: attempts, error: error))
        }
        return result.sorted { ($0.startedAt, $0.idempotencyKey) < ($1.startedAt, $1.idempotencyKey) }
    }

    private static func order(_ state: String) -> Int {
        ["CREATED": 0, "ACTIVE": 1, "IN_PROGRESS": 1, "ERROR": 2, "RETRY": 3, "DELIVERED": 4, "FAILED": 4,
         "CANCEL_REQUESTED": 4, "CANCELED": 5, "CANCELLED": 5][state] ?? 2
    }
}
