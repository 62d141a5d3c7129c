import Foundation

/// What happens while a trigger runs, for a live progress display.
public enum TriggerEvent: Sendable {
    case started(JobRef)
    case attempt(JobRef, number: Int)
    case waiting(JobRef, milliseconds: Int, afterAttempt: Int)
    case finished(RunReport)
    /// Handed to a layer to deliver (due mode's backfill through QStash): `id` is the layer's message id.
    case queued(JobRef, via: String, id: String, deduplicated: Bool)
}

public typealias TriggerProgress = @Sendable (TriggerEvent) -> Void

/// The request a trigger would send, as `--dry-run` shows it: credentials masked.
public struct DryRunRequest: Encodable, Sendable, Equatable {
    public struct Header: Encodable, Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public var job: JobRef
    public var method: String
    public var url: String
    public var headers: [Header]
    public var body: String?
    public var timeoutMs: Int
    public var retries: Int
    public var auth: AuthKind
    /// The secret that is missing, so the real trigger would be denied.
    public var missingSecret: String?
    /// Where the credential's secret comes from (`environment RBSCRON_SECRET_…`, `inventory APP/KEY`); never its value.
    public var secretSource: String?

    enum CodingKeys: String, CodingKey {
        case job, address, method, url, headers, body, timeoutMs = "timeout_ms", retries, auth, missingSecret = "missing_secret",
             secretSource = "secret_source"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(job.description, forKey: .job)
        try c.encode(job.description, forKey: .address)
        try c.encode(method, forKey: .method)
        try c.encode(url, forKey: .url)
        try c.encode(headers, forKey: .headers)
        try c.encode(body, forKey: .body)
        try c.encode(timeoutMs, forKey: .timeoutMs)
        try c.encode(retries, forKey: .retries)
        try c.encode(auth, forKey: .auth)
        try c.encode(missingSecret, forKey: .missingSecret)
        try c.encode(secretSource, forKey: .secretSource)
    }
}

/// Fires jobs over HTTP with their auth, retries, circuit breaker and dead letters, recording
/// every run in the inventory (written `started` before the request, completed after).
public final class JobTrigger: Sendable {
    /// Bytes of a response body kept in the run record.
    public static let excerptBytes = 4096
    /// Bytes of a response body read from the network at most.
    public static let bodyCapBytes = 65_536
    /// Free bytes a trigger wants where the inventory lives before it sends anything: its runs' records (a 4 KiB
    /// excerpt, a dead letter, their WAL pages) with a wide margin.
    public static let freeBytesNeeded: Int64 = 1 << 20
    /// The key a dead letter's sealed body is bound to (with the app as scope).
    static let payloadSealKey = "DEAD_LETTER_PAYLOAD"

    public let store: InventoryStore
    let transport: any HTTPTransport
    let secrets: any SecretProvider
    let environment: RunEnvironment
    let redactor: Redactor
    /// The longest form a secret can take in text (JSON escapes included), for safe truncation.
    let longestSecretBytes: Int

    /// - Parameter redactor: hides every secret in excerpts and errors; by default, every value `secrets` knows.
    public init(store: InventoryStore, transport: any HTTPTransport, secrets: any SecretProvider,
                redactor: Redactor? = nil, environment: RunEnvironment = RunEnvironment()) throws {
        self.store = store
        self.transport = transport
        self.secrets = secrets
        self.environment = environment
        let redactor = try redactor ?? Redactor.hiding(secrets)
        self.redactor = redactor
        self.longestSecretBytes = redactor.longestValueBytes * 6
    }

    // MARK: - Requests

    enum Credential {
        case none
        case bearer(String)
        case serviceRole(String)
        case qstash(QStashSigner)
    }

    /// A job made ready to fire: its request, its credential (or the secret it lacks). Made once per fire.
    struct Plan {
        var job: Job
        var url: String
        var method: String
        var body: Data?
        var timeoutMs: Int
        var retries: Int
        var credential: Credential?
        var missingSecret: String?
        var secretSource: String?
    }

    func plan(_ job: Job, in inventory: Inventory, options: TriggerOptions) throws -> Plan {
        guard let path = job.path else { throw TriggerError.sqlJob(job.ref) }
        guard let app = inventory.app(named: job.app) else { throw TriggerError.unknownApp(job.ref) }
        let url = URLRules.join(app.baseURL, path)
        // libcurl would turn a GET with a body into a POST; refuse rather than send something else.
        if options.body != nil, job.method == .GET || job.method == .HEAD {
            throw TriggerError.bodyNotAllowed(job.ref, method: job.method.rawValue)
        }
        var plan = Plan(job: job, url: url, method: job.method.rawValue, body: options.body,
                        timeoutMs: options.timeoutMs ?? job.timeoutMs, retries: options.retries ?? job.retries)
        switch job.auth {
        case .none:
            plan.credential = Credential.none
        case .cronSecret, .serviceRole, .qstash:
            let key = SecretKeys.required(for: job.auth)[0]
            guard let value = try secrets.secret(app: job.app, key: key), !value.isEmpty else {
                plan.missingSecret = key
                return plan
            }
            plan.secretSource = try secrets.sourceDescription(app: job.app, key: key)
            switch job.auth {
            case .cronSecret: plan.credential = .bearer(value)
            case .serviceRole: plan.credential = .serviceRole(value)
            default:
                let clock = environment.now
                plan.credential = .qstash(try QStashSigner(signingKey: value, clock: clock))
            }
        }
        return plan
    }

    /// The headers of one attempt (a QStash signature is made fresh for each).
    func headers(_ plan: Plan) throws -> [HTTPHeader] {
        var headers: [HTTPHeader] = []
        if plan.body != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
        switch plan.credential {
        case .none?, nil: break
        case .bearer(let value)?: headers.append(HTTPHeader("Authorization", "Bearer \(value)"))
        case .serviceRole(let value)?:
            headers.append(HTTPHeader("Authorization", "Bearer \(value)"))
            headers.append(HTTPHeader("apikey", value))
        case .qstash(let signer)?:
            headers.append(HTTPHeader(QStashSigner.headerName, try signer.signature(url: plan.url, body: plan.body ?? Data())))
        }
        return headers
    }

    /// The exact request `fire` would send, credentials masked; sends nothing, writes nothing.
    public func dryRun(_ job: Job, in inventory: Inventory, options: TriggerOptions) throws -> DryRunRequest {
        let plan = try plan(job, in: inventory, options: options)
        var shown: [DryRunRequest.Header] = [DryRunRequest.Header(name: "User-Agent", value: RBSCronVersion.userAgent)]
        if plan.missingSecret == nil {
            for header in try headers(plan) {
                let isCredential = HTTPRequest.defaultCredentialHeaders.contains(header.name.lowercased())
                var value = header.value
                if isCredential {
                    value = value.hasPrefix("Bearer ") ? "Bearer " + SecretMask.preview(String(value.dropFirst(7)))
                        : SecretMask.preview(value)
                }
                shown.append(DryRunRequest.Header(name: header.name, value: value))
            }
        } else if plan.body != nil {
            shown.append(DryRunRequest.Header(name: "Content-Type", value: "application/json"))
        }
        return DryRunRequest(
            job: job.ref, method: plan.method, url: URLRules.masked(plan.url), headers: shown,
            body: plan.body.map { redactor.redact(String(decoding: $0, as: UTF8.self)) },
            timeoutMs: plan.timeoutMs, retries: plan.retries, auth: job.auth, missingSecret: plan.missingSecret,
            secretSource: plan.secretSource)
    }

    // MARK: - Firing

    /// Fires one job: records a run, checks the breaker and the secret, sends with retries,
    /// completes the run (and a dead letter when retries ran out).
    ///
    /// - Returns: the run's report, or nil when `idempotencyKey` was already claimed.
    /// - Throws: ``TriggerError/sqlJob(_:)`` for SQL jobs (no run is written), store and secret errors.
    public func fire(
        _ job: Job, in inventory: Inventory, options: TriggerOptions, scheduledFor: Date? = nil,
        idempotencyKey: String? = nil, progress: TriggerProgress? = nil
    ) async throws -> RunReport? {
        try await fire(plan(job, in: inventory, options: options), options: options, scheduledFor: scheduledFor,
                       idempotencyKey: idempotencyKey, progress: progress)
    }

    /// Fires a job already planned (``plan(_:in:options:)``), so a batch that was checked first is not planned twice.
    func fire(_ plan: Plan, options: TriggerOptions, scheduledFor: Date? = nil, idempotencyKey: String? = nil,
              progress: TriggerProgress? = nil) async throws -> RunReport? {
        let job = plan.job
        let startedAt = environment.now()
        guard let runID = try store.beginRun(job.ref, source: options.source, startedAt: startedAt, pid: environment.pid,
                                             scheduledFor: scheduledFor, idempotencyKey: idempotencyKey)
        else { return nil }
        progress?(.started(job.ref))
        var report = RunReport(runID: runID, job: job.ref, source: options.source, outcome: .ok, httpStatus: nil,
                               attempts: 0, durationMs: 0, timings: nil, error: nil, startedAt: startedAt,
                               finishedAt: startedAt, scheduledFor: scheduledFor, responseExcerpt: nil,
                               deadLetterID: nil, breakerProbe: false)
        var deadLetter: DeadLetterDraft?

        if let state = try breakerState(job.ref, options: options, runID: runID, longestRunMs: Self.longestRunMs(plan, options)) {
            switch state {
            case .open(let until) where !options.force:
                report.outcome = .circuitOpen
                report.error = "skipped: \(job.ref) failed \(options.breakerThreshold) runs in a row; its circuit breaker "
                    + "stays open until \(Timestamp.rfc3339(until)). Use --force to fire it anyway."
            case .open:
                break
            case .halfOpen(let probe?) where !options.force:
                // Skipped, not failed: the job is being run by the probe, and this run says nothing of its health.
                report.outcome = .skipped
                report.error = "skipped: \(job.ref)'s circuit breaker is half-open and run \(probe) is its probe, still "
                    + "in flight; only one probe goes through. Use --force to fire it anyway."
            case .halfOpen:
                report.breakerProbe = true
            }
        }
        if report.outcome == .ok, let missing = plan.missingSecret {
            report.outcome = .denied
            report.error = "denied: \(job.ref) uses \(job.auth.rawValue) auth and no \(missing) is set for \(job.app) "
                + "or globally, so no request was made. Set it with `rbscron secret set \(job.app) \(missing)` "
                + "or the environment variable \(EnvironmentSecrets.variableName(app: job.app, key: missing))."
        }
        if report.outcome == .ok {
            deadLetter = await send(plan, options: options, report: &report, progress: progress)
        }
        let finishedAt = environment.now()
        report.finishedAt = finishedAt
        report.durationMs = max(0, finishedAt.timeIntervalSince(startedAt) * 1000)
        do {
            report.deadLetterID = try store.finishRun(runID, RunCompletion(
                outcome: report.outcome, finishedAt: finishedAt, attempts: report.attempts, httpStatus: report.httpStatus,
                timings: report.timings, durationMs: report.durationMs, responseExcerpt: report.responseExcerpt,
                error: report.error, deadLetter: deadLetter))
        } catch {
            // The request may have gone out: the report is now the only record of it, so it is returned, never lost
            // in a thrown error.
            report.notRecorded = redactor.redact(error.localizedDescription)
        }
        progress?(.finished(report))
        return report
    }

    /// Refuses to start when the inventory's file system has too little room to record what requests do.
    public func checkRoomToRecord() throws {
        guard let available = store.availableBytes(), available < Self.freeBytesNeeded else { return }
        throw TriggerError.noRoomToRecord(path: store.path, available: available)
    }

    /// Records a run that was not attempted because a dependency in its group failed.
    public func skip(_ job: Job, reason: String, options: TriggerOptions, progress: TriggerProgress? = nil) throws -> RunReport {
        let now = environment.now()
        guard let runID = try store.beginRun(job.ref, source: options.source, startedAt: now, pid: environment.pid) else {
            throw StoreError.database("could not record the skipped run of \(job.ref)")
        }
        try store.finishRun(runID, RunCompletion(outcome: .skipped, finishedAt: now, attempts: 0, httpStatus: nil,
                                                 timings: nil, durationMs: 0, responseExcerpt: nil, error: reason))
        let report = RunReport(runID: runID, job: job.ref, source: options.source, outcome: .skipped, httpStatus: nil,
                               attempts: 0, durationMs: 0, timings: nil, error: reason, startedAt: now, finishedAt: now,
                               scheduledFor: nil, responseExcerpt: nil, deadLetterID: nil, breakerProbe: false)
        progress?(.finished(report))
        return report
    }

    /// `halfOpen` carries the run already probing, if another process (or task) began one first.
    enum BreakerState { case open(until: Date), halfOpen(probe: Int64?) }

    /// The longest a run of `plan` can take: every attempt timing out, with the longest wait between them.
    static func longestRunMs(_ plan: Plan, _ options: TriggerOptions) -> Int {
        plan.timeoutMs * (plan.retries + 1) + options.backoffCapMs * plan.retries
    }

    func breakerState(_ ref: JobRef, options: TriggerOptions, runID: Int64, longestRunMs: Int) throws -> BreakerState? {
        guard let until = try store.breakerOpenUntil(ref, threshold: options.breakerThreshold,
                                                     cooldown: Double(options.breakerCooldownMs) / 1000, excluding: runID)
        else { return nil }
        if environment.now() < until { return .open(until: until) }
        // Any earlier run of the job still in flight is the probe (run ids order racing processes). One started
        // longer ago than a run can last (or than the cool-down, if longer) is taken as lost: a process that
        // died on another machine cannot hold the breaker half-open forever.
        let staleMs = max(options.breakerCooldownMs, longestRunMs) + 60_000
        let since = environment.now().addingTimeInterval(-Double(staleMs) / 1000)
        return .halfOpen(probe: try store.inFlightRun(ref, before: runID, since: since))
    }

    /// The attempt loop; fills `report` and returns the dead letter to write, if any.
    private func send(_ plan: Plan, options: TriggerOptions, report: inout RunReport,
                      progress: TriggerProgress?) async -> DeadLetterDraft? {
        let policy = RetryPolicy(baseMs: options.backoffBaseMs, capMs: options.backoffCapMs)
        let firstAttempt = environment.now()
        let seconds = Double(plan.timeoutMs) / 1000
        var stopNote: String?
        while true {
            report.attempts += 1
            progress?(.attempt(plan.job.ref, number: report.attempts))
            let result: Result<HTTPResponse, HTTPError>
            do {
                let request = HTTPRequest(
                    method: plan.method, url: plan.url, headers: try headers(plan), body: plan.body,
                    connectTimeout: min(10, seconds), timeout: seconds, maxBodyBytes: Self.bodyCapBytes,
                    insecure: options.insecure)
                result = await transport.send(request)
            } catch {
                report.outcome = .transportError
                report.error = redactor.redact(error.localizedDescription)
                return nil
            }
            record(result, into: &report)
            guard report.outcome != .ok else { return nil }
            let retryable = RetryPolicy.isRetryable(result)
            guard retryable else { return nil }
            guard report.attempts <= plan.retries else { break }
            var retryAfter: TimeInterval?
            if case .success(let response) = result, let value = response.header("Retry-After") {
                retryAfter = parseRetryAfter(value, now: environment.now())
            }
            let delay = policy.delayMs(afterAttempt: report.attempts, retryAfterSeconds: retryAfter, random: environment.random())
            if let maxAge = options.maxAgeMs {
                let age = environment.now().timeIntervalSince(firstAttempt) * 1000
                if age + Double(delay) > Double(maxAge) {
                    stopNote = "not retried further: the run would be older than --max-age \(DurationText.format(milliseconds: maxAge))"
                    break
                }
            }
            progress?(.waiting(plan.job.ref, milliseconds: delay, afterAttempt: report.attempts))
            await environment.sleep(delay)
        }
        if let stopNote { report.error = [report.error, stopNote].compactMap { $0 }.joined(separator: "; ") }
        guard options.source != .replay else { return nil }
        return deadLetter(plan, lastError: report.error ?? report.outcome.rawValue)
    }

    /// The dead letter for `plan`: its body redacted for display and, when that changed it, the body as sent,
    /// sealed under the master key if one is at hand (a replay must send what the run sent, never `[REDACTED]`).
    func deadLetter(_ plan: Plan, lastError: String) -> DeadLetterDraft {
        let body = plan.body.map { String(decoding: $0, as: UTF8.self) }
        let payload = body.map { redactor.redact($0) }
        guard let body, payload != body else { return DeadLetterDraft(payload: payload, lastError: lastError) }
        let sealed = secrets.sealingBox().flatMap { try? $0.seal(body, scope: plan.job.app, key: Self.payloadSealKey) }
        return DeadLetterDraft(payload: payload, lastError: lastError, sealedPayload: sealed, payloadRedacted: true)
    }

    /// The body a dead letter's replay sends, or why it cannot be replayed (its body was kept only redacted).
    func replayBody(_ letter: DeadLetter) -> Result<Data?, TriggerReplayRefusal> {
        let redacted = letter.payloadRedacted || letter.payload?.contains(Redactor.placeholder) == true
        guard redacted else { return .success(letter.payload.map { Data($0.utf8) }) }
        guard let sealed = letter.sealedPayload else {
            return .failure(TriggerReplayRefusal(reason: "not replayed: the body of dead letter #\(letter.id) held a secret "
                + "and was kept only redacted (no master key was at hand to seal it), so a replay would send "
                + "[REDACTED]. Fire the job again with its body: rbscron trigger \(letter.job) --body '…'"))
        }
        guard let box = secrets.sealingBox(),
              let body = try? box.open(sealed, scope: letter.job.app, key: Self.payloadSealKey) else {
            return .failure(TriggerReplayRefusal(reason: "not replayed: the body of dead letter #\(letter.id) held a secret "
                + "and is sealed under the master key, which is not at hand (its redacted text would send [REDACTED]). "
                + "Set RBSCRON_MASTER_KEY or restore the key file, then replay again."))
        }
        return .success(Data(body.utf8))
    }

    private func record(_ result: Result<HTTPResponse, HTTPError>, into report: inout RunReport) {
        switch result {
        case .success(let response):
            report.httpStatus = response.status
            report.timings = response.timings
            report.responseExcerpt = excerpt(response)
            if (200...299).contains(response.status) {
                report.outcome = .ok
                report.error = nil
            } else {
                report.outcome = .httpError
                report.error = "HTTP \(response.status)" + (report.responseExcerpt.map { Self.summaryLine($0) } ?? "")
            }
        case .failure(let error):
            report.httpStatus = nil
            report.timings = nil
            report.responseExcerpt = nil
            if case .timedOut = error { report.outcome = .timeout } else { report.outcome = .transportError }
            report.error = redactor.redact(error.localizedDescription)
        }
    }

    /// `: <first line of the body, 200 chars>` for error messages, or empty.
    static func summaryLine(_ excerpt: String) -> String {
        let line = excerpt.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard !line.isEmpty else { return "" }
        return ": " + (line.count > 200 ? String(line.prefix(200)) + "…" : line)
    }

    /// The body's first 4 KiB with every secret value redacted.
    func excerpt(_ response: HTTPResponse) -> String? {
        guard !response.body.isEmpty else { return nil }
        var raw = response.body
        // A body cut by the transport may end in part of a secret that no longer matches whole;
        // drop that tail before redacting.
        if response.truncated, longestSecretBytes > 0 { raw = raw.dropLast(min(raw.count, longestSecretBytes)) }
        let redacted = redactor.redact(raw)
        guard redacted.count > Self.excerptBytes else { return String(decoding: redacted, as: UTF8.self) }
        var cut = Data(redacted.prefix(Self.excerptBytes))
        // Do not end inside a UTF-8 sequence.
        while let last = cut.last, last & 0xC0 == 0x80 || last >= 0xC0 {
            let isLead = last >= 0xC0
            cut.removeLast()
            if isLead { break }
        }
        return String(decoding: cut, as: UTF8.self) + "…"
    }

    // MARK: - Dead letters

    /// Replays unresolved dead letters once each (one attempt, source `replay`); a success resolves it.
    public func replayDeadLetters(app: String?, limit: Int, inventory: Inventory, options: TriggerOptions,
                                  progress: TriggerProgress? = nil) async throws -> [RunReport] {
        try await replay(try store.openDeadLetters(app: app, limit: limit).filter { $0.remoteID == nil },
                         inventory: inventory, options: options, progress: progress)
    }

    /// Replays `letters` (rbscron's own) once each.
    public func replay(_ letters: [DeadLetter], inventory: Inventory, options: TriggerOptions,
                       progress: TriggerProgress? = nil) async throws -> [RunReport] {
        var reports: [RunReport] = []
        for letter in letters {
            guard let job = inventory.job(letter.job), job.path != nil else {
                try store.recordReplay(deadLetter: letter.id, outcome: .skipped, at: environment.now())
                continue
            }
            var replayOptions = options
            replayOptions.source = .replay
            replayOptions.retries = 0
            switch replayBody(letter) {
            case .success(let body):
                replayOptions.body = body
            case .failure(let refusal):
                // Recorded as a skipped replay; the letter stays open for a replay that can send the real body.
                var report = try skip(job, reason: refusal.reason, options: replayOptions, progress: progress)
                report.deadLetterID = letter.id
                reports.append(report)
                continue
            }
            guard var report = try await fire(job, in: inventory, options: replayOptions, progress: progress) else { continue }
            if report.notRecorded == nil {
                try store.recordReplay(deadLetter: letter.id, outcome: report.outcome, at: environment.now())
            }
            report.deadLetterID = letter.id
            reports.append(report)
        }
        return reports
    }
}
