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
        let owners = MessageOwners(jobs: jobs, inventory: inventory)
        let runs = Self.runs(from: events, owners: owners, redactor: redactor)
        let pending = Self.pending(from: events, owners: owners, redactor: redactor)
        let byID = Dictionary(schedules.map { ($0.scheduleId, $0) }, uniquingKeysWith: { first, _ in first })
        let observations = qstashJobs.map { job -> LayerObservation in
            let schedule = byID[ScheduleID.of(job.ref)]
            let state: LayerScheduleState = schedule.map { $0.isPaused ? .paused : .active } ?? .absent
            return LayerObservation(
                job: job.ref, layer: .qstash, observedAt: now, historyFrom: from, scheduleState: state,
                scheduleCreatedAt: schedule.flatMap { $0.createdAt > 0 ? Timestamp.date(ms: $0.createdAt) : nil },
                pending: pending[job.ref] ?? [])
        }
        var summary = SyncSummary(layer: "qstash", sources: ["qstash"], read: events.count, matched: runs.count)
        // QStash's own dead letters of these jobs' schedules: one filtered read (paged) per sync.
        var deadLetters: (origin: String, jobs: [JobRef], letters: [RemoteDeadLetter])?
        do {
            let client = QStashClient(baseURL: baseURL, token: token, transport: transport, redactor: redactor)
            let held = try await client.dlqMessages(filter: QStashDLQFilter(scheduleIds: qstashJobs.map { ScheduleID.of($0.ref) }))
            deadLetters = ("qstash", qstashJobs.map(\.ref), Self.deadLetters(held, jobs: qstashJobs))
        } catch {
            summary.warnings.append("QStash's dead-letter queue not read: \(error.errorDescription ?? "\(error)")")
        }
        return LayerHistory(summary: summary, runs: runs, observations: observations, deadLetters: deadLetters)
    }

    /// QStash's dead letters of the jobs' schedules, as rbscron stores them (marked as QStash's, by `dlqId`).
    public static func deadLetters(_ messages: [QStashDLQMessage], jobs: [Job]) -> [RemoteDeadLetter] {
        var byID: [String: JobRef] = [:]
        for job in jobs where job.layer == .qstash { byID[ScheduleID.of(job.ref)] = job.ref }
        return messages.compactMap { message -> RemoteDeadLetter? in
            guard let schedule = message.scheduleId, let ref = byID[schedule] else { return nil }
            let attempts = (message.maxRetries ?? 3) + 1
            var error = "QStash gave up after \(attempts) attempt(s)"
            if let status = message.responseStatus { error += ": HTTP \(status)" }
            if let body = message.responseBody?.trimmingCharacters(in: .whitespacesAndNewlines), !body.isEmpty {
                error += " " + TextLine.single(body, limit: 200)
            }
            return RemoteDeadLetter(job: ref, origin: "qstash", remoteID: message.dlqId,
                                    createdAt: Timestamp.date(ms: message.createdAt), lastError: error, attempts: attempts)
        }
    }

    /// Whose a QStash message is: a job's schedule (`rbs-<app>-<job>`), or a due-mode backfill of one of its fires
    /// (no schedule; the backfill label names the fire, the destination and method name the job).
    public struct MessageOwners: Sendable {
        var bySchedule: [String: JobRef] = [:]
        var byDestination: [String: JobRef] = [:]

        /// The owners among `jobs`: QStash jobs by their schedule id; every HTTP job (any layer: `--backfill-via
        /// qstash` sends Vercel jobs too) by `METHOD URL`, when that names exactly one job.
        public init(jobs: [Job], inventory: Inventory?) {
            for job in jobs where job.layer == .qstash { bySchedule[ScheduleID.of(job.ref)] = job.ref }
            guard let inventory else { return }
            var seen: [String: Int] = [:]
            var owner: [String: JobRef] = [:]
            for job in jobs where job.sql == nil {
                guard let path = job.path, let app = inventory.app(named: job.app) else { continue }
                let key = job.method.rawValue + " " + QStashSync.destination(app: app, path: path)
                seen[key, default: 0] += 1
                owner[key] = job.ref
            }
            for (key, count) in seen where count == 1 { byDestination[key] = owner[key] }
        }

        /// The job and, for a backfill, the fire it stands for.
        func owner(of event: QStashEvent) -> (job: JobRef, fire: Date?)? {
            if let schedule = event.scheduleId { return bySchedule[schedule].map { ($0, nil) } }
            guard let fire = QStashSync.backfillFire(labels: event.labels), let url = event.url else { return nil }
            return byDestination[(event.method ?? "POST").uppercased() + " " + url].map { ($0, fire) }
        }

        /// Each owned message's events, with its owner.
        func messages(_ events: [QStashEvent]) -> [(owner: (job: JobRef, fire: Date?), id: String, events: [QStashEvent])] {
            var grouped: [String: [QStashEvent]] = [:]
            var owners: [String: (job: JobRef, fire: Date?)] = [:]
            for event in events {
                guard let found = owner(of: event) else { continue }
                grouped[event.messageId, default: []].append(event)
                if owners[event.messageId]?.fire == nil { owners[event.messageId] = found }
            }
            return grouped.compactMap { id, list in owners[id].map { ($0, id, list) } }
        }
    }

    /// Messages of the jobs' schedules (and backfills) that have no final state yet: QStash is still delivering or
    /// retrying them.
    public static func pending(from events: [QStashEvent], owners: MessageOwners, redactor: Redactor) -> [JobRef: [FireEvidence]] {
        var result: [JobRef: [FireEvidence]] = [:]
        for (owner, _, list) in owners.messages(events) {
            let sorted = list.sorted { ($0.time, order($0.state)) < ($1.time, order($1.state)) }
            guard !sorted.contains(where: { terminalStates.contains($0.state) }), let last = sorted.last else { continue }
            let created = sorted.first { $0.state == "CREATED" } ?? sorted[0]
            let errors = sorted.filter { $0.state == "ERROR" }
            let what = owner.fire == nil ? "QStash" : "QStash (a due-mode backfill)"
            let detail = "\(what): \(last.state.lowercased())" + (last.error.map { ", last error: \(redactor.redact($0))" } ?? "")
            result[owner.job, default: []].append(FireEvidence(
                at: Timestamp.date(ms: created.time), scheduledFor: owner.fire, kind: .pending, by: "qstash",
                httpStatus: errors.last?.responseStatus, attempts: errors.count + 1, detail: detail))
        }
        return result
    }

    /// ``pending(from:owners:redactor:)`` for schedules only.
    public static func pending(from events: [QStashEvent], jobs: [Job], redactor: Redactor) -> [JobRef: [FireEvidence]] {
        pending(from: events, owners: MessageOwners(jobs: jobs, inventory: nil), redactor: redactor)
    }

    /// A message's final states (both spellings of the cancelled one).
    static let terminalStates: Set<String> = ["DELIVERED", "FAILED", "CANCELED", "CANCELLED"]

    /// Turns QStash events into runs: one run per message that reached a final state (DELIVERED → ok,
    /// FAILED → http_error, or transport_error when no response status was recorded, CANCELED → skipped).
    /// ERROR and RETRY events are attempts of that run. Messages still in flight become runs on a later sync.
    /// Only messages whose schedule id is `rbs-<app>-<job>` of a QStash job in `jobs` are kept, and due-mode
    /// backfills of the jobs' fires (their run carries the fire as `scheduledFor`).
    public static func runs(from events: [QStashEvent], jobs: [Job], redactor: Redactor) -> [RemoteRun] {
        runs(from: events, owners: MessageOwners(jobs: jobs, inventory: nil), redactor: redactor)
    }

    public static func runs(from events: [QStashEvent], owners: MessageOwners, redactor: Redactor) -> [RemoteRun] {
        var result: [RemoteRun] = []
        for (owner, messageID, list) in owners.messages(events) {
            let ref = owner.job
            let sorted = list.sorted { ($0.time, order($0.state)) < ($1.time, order($1.state)) }
            guard let terminal = sorted.last(where: { terminalStates.contains($0.state) }) else { continue }
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
                outcome: outcome, httpStatus: status, durationMs: nil, attempts: attempts, error: error,
                scheduledFor: owner.fire))
        }
        return result.sorted { ($0.startedAt, $0.idempotencyKey) < ($1.startedAt, $1.idempotencyKey) }
    }

    private static func order(_ state: String) -> Int {
        ["CREATED": 0, "ACTIVE": 1, "IN_PROGRESS": 1, "ERROR": 2, "RETRY": 3, "DELIVERED": 4, "FAILED": 4,
         "CANCEL_REQUESTED": 4, "CANCELED": 5, "CANCELLED": 5][state] ?? 2
    }
}
