import Foundation

extension Workspace {
    /// `trigger` was interrupted (SIGINT, SIGTERM): records the runs this process has in flight as `interrupted`, which
    /// is not a failure of their jobs. Returns how many. The caller then ends the process.
    public func recordInterruption() throws -> Int {
        try store.markInterruptedRuns(pid: clock.pid, now: now)
    }

    /// `trigger`: fires jobs with their auth, retries, circuit breaker and dead letters, recording every run; or,
    /// with `dryRun`, says what would be sent. Runs left `started` by a process that is gone are marked abandoned
    /// first, so their breaker history and stats are right.
    public func trigger(_ request: TriggerRequest, progress: TriggerProgress? = nil) async throws -> TriggerReport {
        let inventory = try inventory()
        // A dry run fires nothing, so its trigger needs no transport and loads no libcurl (due mode's dry run still
        // reads the layers through the workspace's transport).
        let trigger = try JobTrigger(store: store, transport: request.dryRun ? SendsNothing() : transport, secrets: secrets,
                                     redactor: redactor(), environment: clock)
        var options = request.options
        options.source = RunSource.detect(environment: environment)
        var report = TriggerReport(mode: request.mode, dryRun: request.dryRun)
        if !request.dryRun {
            try trigger.checkRoomToRecord()
            report.abandonedMarked = try store.markAbandonedRuns(isAlive: clock.isAlive, now: now)
        }
        func dryRun(_ jobs: [Job]) throws -> [DryRunRequest] {
            try jobs.map { try trigger.dryRun($0, in: inventory, options: options) }
        }

        if let via = request.via {
            guard via == .pgCron, case .jobs(let refs) = request.mode else {
                throw LayerSyncError.unsupported(via, operation: "trigger --via", hint: "only APP/JOB… of pg_cron jobs run through their layer")
            }
            let jobs = try refs.map { try inventory.resolve($0) }
            if request.dryRun {
                report.requests = try jobs.map { try pgCronDryRun($0, inventory: inventory) }
            } else {
                for job in jobs { report.runs.append(try await runThroughPgCron(job, source: options.source, progress: progress)) }
            }
            return report
        }

        switch request.mode {
        case .jobs(let refs):
            let jobs = try refs.map { try inventory.resolve($0) }
            if request.dryRun { report.requests = try dryRun(jobs); break }
            report.runs = try await trigger.fireAll(jobs, in: inventory, options: options, parallel: request.parallel,
                                                    progress: progress)

        case .group, .timeOfDay:
            let tasks: [Job], label: String, groupApp: String
            if case .group(let ref) = request.mode {
                let parent = try inventory.resolve(ref)
                tasks = try Orchestrator.children(of: parent.ref, in: inventory)
                label = "group \(parent.ref)"
                groupApp = parent.app
            } else if case .timeOfDay(let app, let cadence, let time) = request.mode {
                try InventoryFilter(app: app).validate(against: inventory)
                let found = try Orchestrator.scheduled(app: app, cadence: cadence, time: time, in: inventory)
                (tasks, label, groupApp) = (found.jobs, found.name, app)
            } else {
                return report
            }
            if request.dryRun { report.requests = try dryRun(tasks.filter { $0.path != nil }); break }
            report.group = try await Orchestrator(trigger: trigger).run(
                tasks, label: label, groupApp: groupApp, parallel: request.parallel, inventory: inventory,
                options: options, progress: progress)

        case .due(let app, let at, let windowMs):
            if let app { try InventoryFilter(app: app).validate(against: inventory) }
            if request.due.blind {
                if request.dryRun {
                    report.requests = try dryRun(DueMode.fires(in: inventory, app: app, at: at, windowMs: windowMs).map(\.job))
                    break
                }
                let result = try await trigger.fireDue(inventory: inventory, app: app, at: at, windowMs: windowMs,
                                                       options: options, parallel: request.parallel, progress: progress)
                report.runs = result.runs
                report.alreadyClaimed = result.alreadyClaimed
                break
            }
            let outcome = try await fireDueWithEvidence(
                app: app, at: at, window: Double(windowMs) / 1000, options: request.due, trigger: trigger, inventory: inventory,
                triggerOptions: options, parallel: request.parallel, dryRun: request.dryRun, progress: progress)
            report.explain = request.due.explain
            report.decisions = outcome.decisions
            report.evidenceWarnings = outcome.warnings
            report.runs = outcome.runs
            if request.dryRun { report.requests = try dryRun(outcome.wouldFire.map(\.job)) }

        case .replayDeadLetters(let app, let limit, let discard):
            if let app { try InventoryFilter(app: app).validate(against: inventory) }
            // One cap for both kinds, oldest first: rbscron's own are replayed here, a layer's through the layer.
            let letters = try store.openDeadLetters(app: app, limit: limit)
            report.explain = request.due.explain
            let own = letters.filter { $0.remoteID == nil }
            if discard {
                for letter in own {
                    try store.resolveDeadLetter(letter.id, outcome: "discarded", at: now, replayed: false)
                    report.layerDeadLetters.append(DeadLetterAction(deadLetterID: letter.id, job: letter.job,
                                                                    origin: letter.origin, remoteID: "", action: .discarded))
                }
            } else {
                report.runs = try await trigger.replay(own, inventory: inventory, options: options, progress: progress)
            }
            for letter in letters where letter.remoteID != nil {
                report.layerDeadLetters.append(try await handleLayerDeadLetter(letter, discard: discard, progress: progress))
            }
        }
        return report
    }
}

extension Workspace {
    /// `trigger APP/JOB --via pg_cron`: runs the job's own command once in its database and records the outcome as
    /// a run, like any other.
    func runThroughPgCron(_ job: Job, source: RunSource, progress: TriggerProgress?) async throws -> RunReport {
        guard let layer = try self.layer(.pgCron) as? PgCronLayer else { throw LayerSyncError.notALayer(.pgCron) }
        let started = now
        guard let runID = try store.beginRun(job.ref, source: source, startedAt: started, pid: clock.pid) else {
            throw StoreError.database("could not record the run of \(job.ref)")
        }
        progress?(.started(job.ref))
        progress?(.attempt(job.ref, number: 1))
        let result = try await layer.runNow(job, now: clock.now)
        let duration = max(0, result.finishedAt.timeIntervalSince(result.startedAt) * 1000)
        let excerpt = result.responseExcerpt.map { try? redactor().remote($0) } ?? nil
        try store.finishRun(runID, RunCompletion(
            outcome: result.outcome, finishedAt: result.finishedAt, attempts: 1, httpStatus: result.httpStatus, timings: nil,
            durationMs: duration, responseExcerpt: excerpt, error: result.error))
        let report = RunReport(runID: runID, job: job.ref, source: source, outcome: result.outcome, httpStatus: result.httpStatus,
                               attempts: 1, durationMs: duration, timings: nil, error: result.error, startedAt: started,
                               finishedAt: result.finishedAt, scheduledFor: nil, responseExcerpt: excerpt, deadLetterID: nil,
                               breakerProbe: false)
        progress?(.finished(report))
        return report
    }

    /// What `trigger APP/JOB --via pg_cron --dry-run` would send: the Management API call that runs the job.
    func pgCronDryRun(_ job: Job, inventory: Inventory) throws -> DryRunRequest {
        guard job.layer == .pgCron else { throw PgCronRunNowError.notPgCron(job.ref, job.layer) }
        guard let ref = inventory.app(named: job.app)?.supabase?.projectRef, !ref.isEmpty else {
            throw PgCronRemoteError.noProjectRef(app: job.app)
        }
        let key = SecretKeys.supabaseAccessToken
        let token = try secrets.lookup(app: job.app, key: key)
        var headers = [DryRunRequest.Header(name: "User-Agent", value: RBSCronVersion.userAgent)]
        if let token { headers.append(DryRunRequest.Header(name: "Authorization", value: "Bearer " + SecretMask.preview(token.value))) }
        let base = PgCronHistoryClient.baseURL(environment: environment)
        return DryRunRequest(
            job: job.ref, method: "POST", url: "\(base)/v1/projects/\(ref)/database/query", headers: headers,
            body: "{\"query\": \"SELECT … FROM \(PgCronSQL.invokerSchema).run_job_now('\(ScheduleID.of(job.ref))')\"}",
            timeoutMs: PgCronLayer.runNowWaitSeconds * 1000, retries: 0, auth: job.auth,
            missingSecret: token == nil ? key : nil, secretSource: token?.source.description)
    }
}

extension Workspace {
    /// Retries (or removes) a dead letter a layer holds, through that layer, and resolves it here when done.
    func handleLayerDeadLetter(_ letter: DeadLetter, discard: Bool, progress: TriggerProgress?) async throws -> DeadLetterAction {
        let remoteID = letter.remoteID ?? ""
        var action = DeadLetterAction(deadLetterID: letter.id, job: letter.job, origin: letter.origin, remoteID: remoteID,
                                      action: .failed)
        guard letter.origin == "qstash", let layer = try self.layer(.qstash) as? QStashSync else {
            action.detail = "rbscron cannot replay a dead letter held by \(letter.origin)"
            return action
        }
        do {
            if discard {
                action.action = try await layer.discardDeadLetter(remoteID, app: letter.job.app) ? .discarded : .gone
            } else if let message = try await layer.retryDeadLetter(remoteID, app: letter.job.app) {
                action.action = .requeued
                action.messageID = message
                progress?(.queued(letter.job, via: "qstash", id: message, deduplicated: false))
            } else {
                action.action = .gone
            }
            if action.action == .gone { action.detail = "QStash no longer holds it (retried or removed elsewhere)" }
            try store.resolveDeadLetter(letter.id, outcome: action.action.rawValue, at: now, replayed: action.action == .requeued)
        } catch {
            action.detail = (try? redactor().remote(error.localizedDescription)) ?? "unreadable error"
        }
        return action
    }
}

/// The transport of a dry run: it has nothing to send, and says so if asked.
private struct SendsNothing: HTTPTransport {
    func send(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPError> {
        .failure(.transport(code: 0, message: "a dry run sends nothing"))
    }
}
