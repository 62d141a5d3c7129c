import Foundation

/// How long Vercel keeps a project's request log, as far as anyone outside Vercel can tell. Vercel's docs say only
/// that logs "are held for an amount of time based on your plan"; these figures are a third party's (Hobby 1 hour,
/// Pro 1 day), so rbscron treats them as data that may be wrong, never as a promise.
public enum VercelLogRetention {
    public static let hobby: TimeInterval = 3_600
    public static let pro: TimeInterval = 86_400

    /// The longest retention anyone reports (Enterprise, 3 days, same source): the log is never asked for more, so
    /// a long `--since` does not page through days Vercel no longer has.
    public static let longestReported: TimeInterval = 3 * 86_400

    /// The retention assumed for `plan`: the shorter one when the plan is not recorded.
    public static func assumed(plan: VercelPlan?) -> TimeInterval {
        plan == .pro ? pro : hobby
    }
}

/// The Vercel layer. Plan, apply and remote work on the `crons` array of each app's vercel.json. History reads what
/// Vercel lets anyone see: legacy Vercel Cron keeps no per-call history, so the state of the project's crons (or of
/// its Vercel Schedules) comes from the API and the calls from the project's request log, which cannot tell Vercel's
/// call from anyone else's to the same path and keeps only a plan-dependent while.
public struct VercelLayer: LayerSync {
    /// How an app's Vercel jobs are scheduled.
    public enum Mode: String, Sendable, CaseIterable {
        /// Legacy Vercel Cron: vercel.json `crons`, state from the project's `crons`.
        case crons
        /// Vercel Schedules: state from the Schedules API (namespace `default`, where vercel.json schedules live).
        case schedules
    }

    public let inventory: Inventory
    public let secrets: any SecretProvider
    public let transport: any HTTPTransport
    /// Where the base URLs come from (`VERCEL_API_URL`, `VERCEL_LOGS_URL`, `VERCEL_SCHEDULE_BASE_URL`).
    public let environment: [String: String]
    public let redactor: Redactor
    /// Each app's mode: what the inventory records (`vercel_mode`) unless told otherwise.
    public var mode: @Sendable (App) -> Mode
    public var layer: Layer { .vercel }

    public init(inventory: Inventory, secrets: any SecretProvider = StaticSecrets(), transport: any HTTPTransport,
                environment: [String: String] = [:], redactor: Redactor? = nil,
                mode: @escaping @Sendable (App) -> Mode = { $0.vercelMode == .schedules ? .schedules : .crons }) throws {
        self.inventory = inventory
        self.secrets = secrets
        self.transport = transport
        self.environment = environment
        self.redactor = try redactor ?? Redactor.hiding(secrets)
        self.mode = mode
    }

    public func plan(_ request: LayerRequest) async throws -> LayerPlan {
        let app = try requiredApp(request, in: inventory)
        return try VercelConfig.plan(app: app, jobs: inventory.jobs, text: try VercelCrons.read(path: request.vercelJSON),
                                     file: request.vercelJSON)
    }

    public func apply(_ request: LayerRequest, dryRun: Bool) async throws -> LayerApplyReport {
        try VercelConfig.apply(app: try requiredApp(request, in: inventory), jobs: inventory.jobs, path: request.vercelJSON,
                               dryRun: dryRun)
    }

    public func remote(_ request: LayerRequest) async throws -> RemoteSchedules {
        .vercel(try VercelCrons.remote(app: try requiredApp(request, in: inventory), jobs: inventory.jobs, path: request.vercelJSON))
    }

    /// For each app with Vercel jobs among `jobs`: its project's cron state (or its Schedules), then its request log
    /// since `since`. Calls to a job's path become runs; every job gets an observation saying how far back the log
    /// was read and whether its schedule is there. What cannot be read (no `vercel_project`, no `VERCEL_TOKEN`, a
    /// refused token, an endpoint gone) leaves the app's jobs unobserved with a note and a warning, and never stops
    /// the other layers' sync. Only a base-URL variable that is not an http(s) URL throws.
    public func history(jobs: [Job], since: Date, now: Date) async throws -> LayerHistory? {
        let vercelJobs = jobs.filter { $0.layer == .vercel }
        guard !vercelJobs.isEmpty else { return nil }
        let endpoints = try VercelEndpoints.from(environment: environment)
        var history = LayerHistory(summary: SyncSummary(layer: "vercel", sources: [], read: 0, matched: 0), runs: [])
        var tokenless: [String] = []
        for app in inventory.apps {
            let appJobs = vercelJobs.filter { $0.app == app.name }
            guard !appJobs.isEmpty else { continue }
            let read = try await read(app: app, jobs: appJobs, since: since, now: now, endpoints: endpoints)
            history.runs += read.runs
            history.observations += read.observations
            history.warnings += read.warnings
            history.summary.read += read.rows
            if let source = read.source { history.summary.sources.append(source) }
            if read.tokenMissing { tokenless.append(app.name) }
        }
        if !tokenless.isEmpty {
            history.warnings.append("Vercel not read for \(tokenless.joined(separator: ", ")): no \(SecretKeys.vercelToken); "
                                    + "store it with `rbscron secret set global \(SecretKeys.vercelToken) --from-env \(SecretKeys.vercelToken)`; "
                                    + "their Vercel jobs stay unobserved")
        }
        history.runs.sort { ($0.startedAt, $0.idempotencyKey) < ($1.startedAt, $1.idempotencyKey) }
        history.summary.matched = history.runs.count
        history.summary.warnings = history.warnings
        return history
    }

    /// What was learnt of one app.
    struct AppRead {
        var runs: [RemoteRun] = []
        var observations: [LayerObservation] = []
        var warnings: [String] = []
        var rows = 0
        /// The project read, for the summary.
        var source: String?
        var tokenMissing = false
    }

    /// A job's schedule as the layer holds it.
    struct ScheduleFact {
        /// nil when the layer could not say.
        var state: LayerScheduleState?
        var createdAt: Date?
        /// The method the layer calls with, when known (Vercel Cron: GET).
        var method: String?
        /// Why the request log cannot show this job's calls (a Schedules target that is not a path).
        var blind: String?
        var note: String?
    }

    func read(app: App, jobs: [Job], since: Date, now: Date, endpoints: VercelEndpoints) async throws -> AppRead {
        var result = AppRead()
        func unobserved(_ note: String, facts: [JobRef: ScheduleFact] = [:]) -> [LayerObservation] {
            jobs.map { job in
                LayerObservation(job: job.ref, layer: .vercel, observedAt: now, historyFrom: nil,
                                 scheduleState: facts[job.ref]?.state, scheduleCreatedAt: facts[job.ref]?.createdAt, note: note)
            }
        }
        guard let projectName = app.vercelProject, !projectName.isEmpty else {
            result.observations = unobserved("no vercel_project is recorded for \(app.name): add it to the manifest "
                                             + "to read Vercel's cron state and request log")
            return result
        }
        guard let token = try secrets.secret(app: app.name, key: SecretKeys.vercelToken), !token.isEmpty else {
            result.tokenMissing = true
            result.observations = unobserved("no \(SecretKeys.vercelToken): store it with `rbscron secret set global "
                                             + "\(SecretKeys.vercelToken) --from-env \(SecretKeys.vercelToken)` to read Vercel's request log")
            return result
        }
        let client = VercelClient(transport: transport, endpoints: endpoints, token: token, redactor: redactor)
        let mode = self.mode(app)
        let project: VercelProject
        do {
            project = try await client.project(projectName, team: app.vercelTeam)
        } catch {
            let (note, warning) = Self.explain(error, app: app, reading: "project \(projectName)")
            result.observations = unobserved(note)
            result.warnings.append(warning)
            return result
        }
        result.source = projectName

        var facts: [JobRef: ScheduleFact] = [:]
        switch mode {
        case .crons:
            facts = Self.cronFacts(project.crons, jobs: jobs)
        case .schedules:
            do {
                let schedules = try await client.schedules(projectID: project.id, team: app.vercelTeam)
                facts = Self.scheduleFacts(schedules, jobs: jobs)
            } catch {
                let (note, warning) = Self.explain(error, app: app, reading: "the Schedules of project \(projectName)")
                result.warnings.append(warning)
                for job in jobs { facts[job.ref] = ScheduleFact(state: nil, note: "schedule state unknown: \(note)") }
            }
        }

        guard let owner = app.vercelTeam ?? project.accountId else {
            result.observations = unobserved("Vercel did not say who owns project \(projectName); record `vercel_team` for \(app.name)",
                                             facts: facts)
            result.warnings.append("Vercel's request log not read for \(app.name): the project's owner is unknown; record `vercel_team`")
            return result
        }
        let start = max(since, now.addingTimeInterval(-VercelLogRetention.longestReported))
        let log: VercelRequestLog
        do {
            log = try await client.requestLog(projectID: project.id, ownerID: owner, from: start, to: now)
        } catch {
            let (note, warning) = Self.explain(error, app: app, reading: "the request log of project \(projectName)")
            result.observations = unobserved(note, facts: facts)
            result.warnings.append(warning)
            return result
        }
        result.rows = log.rows.count

        let covered = Self.coverage(log, since: start, now: now, retention: VercelLogRetention.assumed(plan: app.vercelPlan))
        if !log.complete {
            result.warnings.append("Vercel's request log of \(app.name) (project \(projectName)) has more than \(VercelClient.maxLogPages) "
                                   + "pages since \(Timestamp.rfc3339(start)); read "
                                   + (covered.map { "back to \(Timestamp.rfc3339($0)) only" } ?? "in part, not in time order")
                                   + ". Sync more often or with a shorter --since")
        }
        if log.unreadableRows > 0 {
            result.warnings.append("\(log.unreadableRows) rows of Vercel's request log of \(app.name) had no request id, path or "
                                   + "timestamp rbscron can read; skipped")
        }
        result.runs = Self.runs(from: log.rows, jobs: jobs, facts: facts, redactor: redactor)
        result.observations = jobs.map { job in
            let fact = facts[job.ref]
            if let blind = fact?.blind {
                return LayerObservation(job: job.ref, layer: .vercel, observedAt: now, historyFrom: nil, scheduleState: fact?.state,
                                        scheduleCreatedAt: fact?.createdAt, note: blind)
            }
            let note = covered == nil ? "Vercel's request log has more than \(VercelClient.maxLogPages) pages and was not read in time order"
                : fact?.note
            return LayerObservation(job: job.ref, layer: .vercel, observedAt: now, historyFrom: covered, scheduleState: fact?.state,
                                    scheduleCreatedAt: fact?.createdAt, note: note)
        }
        return result
    }

    /// The earliest instant from which the request log was read without a gap: the read's start, but no earlier
    /// than what Vercel is assumed to keep (`retention`) unless an older row proves the log reaches further. A read
    /// cut short at the page limit covers only back to its oldest row, and only when the rows came newest first;
    /// nil otherwise.
    static func coverage(_ log: VercelRequestLog, since: Date, now: Date, retention: TimeInterval) -> Date? {
        let oldest = log.rows.map(\.timestamp).min()
        if !log.complete {
            let newestFirst = zip(log.rows, log.rows.dropFirst()).allSatisfy { $0.timestamp >= $1.timestamp }
            guard newestFirst, let oldest else { return nil }
            return max(since, oldest)
        }
        var kept = now.addingTimeInterval(-retention)
        if let oldest, oldest < kept { kept = oldest }
        return max(since, kept)
    }

    /// Each job's schedule in the project's Vercel Cron: absent when the deployed definitions lack its path (or
    /// the project has no crons), paused when crons are disabled for the project, else active since crons were
    /// enabled. Vercel Cron always calls with GET.
    static func cronFacts(_ crons: VercelProjectCrons?, jobs: [Job]) -> [JobRef: ScheduleFact] {
        var facts: [JobRef: ScheduleFact] = [:]
        for job in jobs {
            guard let crons, let path = job.path,
                  let definition = crons.definitions.first(where: { samePath($0.path, path) && $0.schedule == job.schedule })
                    ?? crons.definitions.first(where: { samePath($0.path, path) }) else {
                facts[job.ref] = ScheduleFact(state: .absent, method: "GET",
                                              note: "the project's deployed crons have no entry for \(job.path ?? job.name)")
                continue
            }
            var notes: [String] = []
            if definition.schedule != job.schedule {
                notes.append("Vercel's deployed schedule for \(definition.path) is '\(definition.schedule)', the inventory's "
                             + "'\(job.schedule ?? "")' (`rbscron schedule plan --layer vercel --app \(job.app)`)")
            }
            if let disabled = crons.disabledAt {
                notes.append("Vercel Cron is disabled for the project since \(Timestamp.rfc3339(disabled))")
                facts[job.ref] = ScheduleFact(state: .paused, method: "GET", note: notes.joined(separator: "; "))
            } else {
                facts[job.ref] = ScheduleFact(state: .active, createdAt: crons.enabledAt, method: "GET",
                                              note: notes.isEmpty ? nil : notes.joined(separator: "; "))
            }
        }
        return facts
    }

    /// Each job's Vercel Schedule: the one whose `path` target is the job's path, else the one named after the job
    /// (its name, or `rbs-<app>-<job>`). Absent when there is none, paused when inactive. A schedule calling a
    /// function or a queue leaves no trace by path in the request log, and Schedules' API shows no run history.
    static func scheduleFacts(_ schedules: [VercelSchedule], jobs: [Job]) -> [JobRef: ScheduleFact] {
        var facts: [JobRef: ScheduleFact] = [:]
        for job in jobs {
            let byPath = schedules.first { $0.targetType == "path" && $0.targetPath.map { samePath($0, job.path ?? "") } == true }
            let names: Set<String> = [job.name, ScheduleID.of(job.ref)]
            guard let schedule = byPath ?? schedules.first(where: { names.contains($0.name) }) else {
                facts[job.ref] = ScheduleFact(state: .absent, method: job.method.rawValue,
                                              note: "Vercel Schedules holds no schedule for \(job.path ?? job.name)")
                continue
            }
            // The API may not say the method of a path target; the job's declared one is then what it is called with.
            var fact = ScheduleFact(state: schedule.isActive ? .active : .paused, createdAt: schedule.createdAt,
                                    method: schedule.targetMethod ?? job.method.rawValue)
            if !schedule.isActive { fact.note = "the schedule \(schedule.name) is \(schedule.state) in Vercel Schedules" }
            if let type = schedule.targetType, type != "path" {
                fact.blind = "Vercel Schedules calls the \(type) target of \(schedule.name), not a path: its calls do not show in "
                    + "the request log, and Schedules' API exposes no run history"
            }
            facts[job.ref] = fact
        }
        return facts
    }

    /// Turns request-log rows into runs: a production request to a job's path (with the method the layer calls
    /// with, when `facts` knows it) is a call of that job, ok for 2xx, else http_error with the status (unknown
    /// without one). When several jobs share a path, the first of `jobs` gets the call.
    static func runs(from rows: [VercelRequestLogRow], jobs: [Job], facts: [JobRef: ScheduleFact] = [:],
                     redactor: Redactor) -> [RemoteRun] {
        let candidates = jobs.filter { $0.path != nil && facts[$0.ref]?.blind == nil }
        var seen: Set<String> = []
        var result: [RemoteRun] = []
        for row in rows {
            if let environment = row.environment, environment != "production" { continue }
            guard let job = candidates.first(where: { job in
                guard let path = job.path, samePath(row.requestPath, path) else { return false }
                guard let method = facts[job.ref]?.method, let sent = row.requestMethod else { return true }
                return method == sent
            }), seen.insert(row.requestId).inserted else { continue }
            let outcome: String
            switch row.statusCode {
            case .some(200..<300): outcome = "ok"
            case .some: outcome = "http_error"
            case .none: outcome = "unknown"
            }
            let call = "\(row.requestMethod ?? "a request") \(row.requestPath)"
                + (row.statusCode.map { " answered \($0)" } ?? " with no status")
                + (row.deploymentId.map { " (deployment \($0))" } ?? "")
            let detail = "seen in Vercel's request log: \(call); Vercel does not say whether Vercel Cron or someone else made this call"
            result.append(RemoteRun(job: job.ref, idempotencyKey: "vercel:\(row.requestId)", startedAt: row.timestamp,
                                    finishedAt: row.timestamp, outcome: outcome, httpStatus: row.statusCode, attempts: 1,
                                    error: redactor.remote(detail, limit: 500)))
        }
        return result.sorted { ($0.startedAt, $0.idempotencyKey) < ($1.startedAt, $1.idempotencyKey) }
    }

    /// Whether a logged path is a job's path: the same, or the same once query strings are set aside (Vercel's
    /// cron definitions keep theirs; whether the log does is not documented).
    static func samePath(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        func bare(_ p: String) -> Substring { p.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
        return bare(a) == bare(b)
    }

    /// The observation note and the operator's warning for a read that failed.
    static func explain(_ error: any Error, app: App, reading what: String) -> (note: String, warning: String) {
        guard let error = error as? VercelAPIError else {
            let text = error.localizedDescription
            return ("Vercel not readable: \(text)", "Vercel's \(what) not read for \(app.name): \(text); its Vercel jobs stay unobserved")
        }
        let text = error.errorDescription ?? "\(error)"
        switch error {
        case .refused(let service, let status, _):
            return ("\(service) refused \(SecretKeys.vercelToken) (HTTP \(status))",
                    "\(app.name): \(text) Its Vercel jobs stay unobserved")
        case .notFound(let service, _):
            let hint = service == VercelClient.projectService
                ? "check `vercel_project` and `vercel_team` of \(app.name)"
                : "rbscron reads an endpoint Vercel does not document, which may have moved"
            return ("\(service) answered 404 for \(what): \(hint)",
                    "\(service) answered 404 for \(what) (\(app.name)): \(hint); its Vercel jobs stay unobserved")
        default:
            return ("Vercel not readable: \(text)", "Vercel's \(what) not read for \(app.name): \(text); its Vercel jobs stay unobserved")
        }
    }
}
