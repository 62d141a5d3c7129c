import Foundation

/// What evidence-based due mode did: the runs it made, every decision with its reason, what the operator should know.
public struct DueOutcome: Sendable {
    public var runs: [RunReport] = []
    public var decisions: [DueDecision] = []
    public var warnings: [String] = []
    /// Requests a dry run would send (the fires it would fire).
    public var wouldFire: [(job: Job, fireAt: Date)] = []
}

extension Workspace {
    /// Due mode: reads what each layer did in the window, accounts for every fire, and fires only those the layer
    /// missed (past its tolerance and the grace), once each. pg_cron jobs are backfilled through their database
    /// (`rbscron.backfill` claims the fire there, so two runners on different machines never both fire it); the
    /// others are called directly, claimed in this inventory. Fan-out children of a dispatcher that failed or missed
    /// are fired directly, in order, each with its own auth; the dispatcher itself never.
    func fireDueWithEvidence(app: String?, at: Date, window: TimeInterval, options due: DueOptions, trigger: JobTrigger,
                             inventory: Inventory, triggerOptions: TriggerOptions, parallel: Int, dryRun: Bool,
                             progress: TriggerProgress?) async throws -> DueOutcome {
        var outcome = DueOutcome()
        let byRef = Dictionary(inventory.jobs.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })
        let dispatchers = Set(inventory.jobs.compactMap(\.triggeredBy))
        let candidates = inventory.jobs.filter { job in
            guard job.enabled, app == nil || job.app == app, inventory.app(named: job.app)?.active == true else { return false }
            return FireLedger.scheduledRoot(of: job, byRef: byRef) != nil
        }
        let roots = candidates.filter { $0.layer.isScheduled }
        func lead(_ root: Job) -> (tolerance: TimeInterval, grace: TimeInterval) {
            (LayerTiming.tolerance(of: root, app: inventory.app(named: root.app)),
             due.grace ?? LayerTiming.defaultGrace(root.layer))
        }
        let longest = roots.map { lead($0).tolerance + lead($0).grace }.max() ?? 0
        let from = at.addingTimeInterval(-window - longest - LayerTiming.clockSkew)
        for summary in try await refreshEvidence(jobs: roots, since: from, now: at, tolerant: true) {
            outcome.warnings += summary.warnings
        }
        let ledger = try FireLedger.build(store: store, inventory: inventory, jobs: candidates, from: from, now: at)

        // Decide, fire by fire.
        var toFire: [(job: Job, account: FireAccount, reason: String)] = []
        for job in candidates {
            guard let root = FireLedger.scheduledRoot(of: job, byRef: byRef) else { continue }
            let (tolerance, grace) = lead(root)
            for entry in ledger.fires[job.ref] ?? [] {
                switch DuePolicy.verdict(job: job, fire: entry.account, at: at, window: window, tolerance: tolerance, grace: grace,
                                         isDispatcher: dispatchers.contains(job.ref), includeUnobserved: due.includeUnobserved) {
                case .notDue:
                    continue
                case .skip(let reason):
                    outcome.decisions.append(DueDecision(job: job.ref, fireAt: entry.account.at, state: entry.account.state,
                                                         action: .skipped, reason: reason))
                case .fire(let reason):
                    toFire.append((job, entry.account, reason))
                }
            }
        }
        if dryRun {
            outcome.wouldFire = toFire.map { ($0.job, $0.account.at) }
            return outcome
        }
        try store.recordDueDecisions(outcome.decisions, at: now)

        // Children of one dispatcher's fire go in order, one after another; everything else up to `parallel` at once.
        var units: [[(job: Job, account: FireAccount, reason: String)]] = []
        var groups: [String: Int] = [:]
        for item in toFire {
            if let parent = item.job.triggeredBy {
                let key = "\(parent)@\(Timestamp.ms(item.account.at))"
                if let index = groups[key] { units[index].append(item); continue }
                groups[key] = units.count
            }
            units.append([item])
        }
        units = units.map { $0.sorted { ($0.job.order ?? Int.max, $0.job.name) < ($1.job.order ?? Int.max, $1.job.name) } }
        var options = triggerOptions
        options.source = .due
        let runner = Self.runnerName(environment: environment)
        let results = try await Bounded.map(units, limit: max(1, parallel)) { [options] unit in
            var fired: [(RunReport?, DueDecision, String?)] = []
            for item in unit {
                fired.append(try await self.fireOne(item.job, fire: item.account, reason: item.reason, trigger: trigger,
                                                    inventory: inventory, options: options, runner: runner, route: due.backfillVia,
                                                    progress: progress))
            }
            return fired
        }
        for (report, decision, warning) in results.flatMap({ $0 }) {
            if let report { outcome.runs.append(report) }
            outcome.decisions.append(decision)
            if let warning { outcome.warnings.append(warning) }
        }
        return outcome
    }

    /// Claims and fires one missed fire; the decision says how (or that it was claimed already).
    private func fireOne(_ job: Job, fire: FireAccount, reason: String, trigger: JobTrigger, inventory: Inventory,
                         options: TriggerOptions, runner: String, route: BackfillRoute,
                         progress: TriggerProgress?) async throws
        -> (RunReport?, DueDecision, String?) {
        var decision = DueDecision(job: job.ref, fireAt: fire.at, state: fire.state, action: .fired, via: nil, reason: reason)
        guard let claim = try store.claimDueFire(decision, at: now) else {
            decision.action = .claimed
            decision.reason = "claimed already by an earlier or concurrent due run on this inventory"
            return (nil, decision, nil)
        }
        var warning: String?
        let throughQStash = job.triggeredBy == nil && job.sql == nil
            && ((job.layer == .qstash && route != .direct) || (job.layer == .vercel && route == .qstash))
        if throughQStash, let layer = try self.layer(.qstash) as? QStashSync {
            do {
                let sent = try await layer.backfill(job, fire: fire.at)
                decision.via = "qstash"
                decision.remoteID = sent.messageId
                if sent.deduplicated {
                    decision.action = .claimed
                    decision.reason = "QStash had this fire's deduplication id already: another runner sent it "
                        + "(message \(sent.messageId))"
                } else {
                    decision.reason += "; sent through QStash as message \(sent.messageId), delivered with its retries"
                }
                progress?(.queued(job.ref, via: "qstash", id: sent.messageId, deduplicated: sent.deduplicated))
                try store.completeDueDecision(claim, via: "qstash", runID: nil, remoteID: sent.messageId,
                                              reason: decision.reason, action: decision.action)
                return (nil, decision, nil)
            } catch {
                let reason = (try? redactor().remote(error.localizedDescription)) ?? "unreadable error"
                warning = "\(job.ref): QStash did not take the backfill (\(reason)); fired directly, so another runner "
                    + "could fire it too"
            }
        }
        if route != .direct, job.layer == .pgCron, job.sql == nil, let layer = try self.layer(.pgCron) as? PgCronLayer {
            do {
                switch try await layer.backfill(job, scheduledFor: fire.at, runner: runner, now: clock.now) {
                case .ran(let result, let fireID):
                    let report = try recordBackfill(job, result: result, scheduledFor: fire.at, fireID: fireID, progress: progress)
                    decision.via = "pg_cron"
                    decision.runID = report.runID
                    decision.remoteID = fireID.map(String.init)
                    try store.completeDueDecision(claim, via: "pg_cron", runID: report.runID, remoteID: decision.remoteID)
                    return (report, decision, nil)
                case .claimedElsewhere:
                    decision.action = .claimed
                    decision.via = "pg_cron"
                    decision.reason = "claimed already in \(job.app)'s database by another runner (rbscron.backfills)"
                    try store.completeDueDecision(claim, via: "pg_cron", runID: nil, remoteID: nil, reason: decision.reason,
                                                  action: .claimed)
                    return (nil, decision, nil)
                case .unsupported:
                    warning = "\(job.ref): its database has no rbscron.backfill (apply `rbscron schedule apply --layer pg_cron "
                        + "--app \(job.app)`); fired directly, so another runner could fire it too"
                }
            } catch {
                warning = "\(job.ref): the backfill through its database failed (\(error.localizedDescription)); fired directly"
            }
        }
        let report = try await trigger.fire(job, in: inventory, options: options, scheduledFor: fire.at,
                                            idempotencyKey: "due:\(job.ref):\(Timestamp.ms(fire.at))", progress: progress)
        decision.via = "direct"
        decision.runID = report?.runID
        if report == nil {
            decision.action = .claimed
            decision.reason = "claimed already by an earlier due run (its run is recorded)"
        }
        try store.completeDueDecision(claim, via: "direct", runID: report?.runID, remoteID: nil,
                                      reason: report == nil ? decision.reason : nil, action: decision.action)
        return (report, decision, warning)
    }

    /// Records a pg_cron backfill as a due run of the fire it stands for, keyed like the layer's own record of it, so
    /// `stats --sync` does not count it twice.
    private func recordBackfill(_ job: Job, result: PgCronRunNow, scheduledFor: Date, fireID: Int64?,
                                progress: TriggerProgress?) throws -> RunReport {
        let key = fireID.map { "pgcron:\(result.projectRef):fire:\($0)" }
        guard let runID = try store.beginRun(job.ref, source: .due, startedAt: result.startedAt, pid: clock.pid,
                                             scheduledFor: scheduledFor, idempotencyKey: key) else {
            throw StoreError.database("could not record the backfill of \(job.ref)")
        }
        progress?(.started(job.ref))
        let duration = max(0, result.finishedAt.timeIntervalSince(result.startedAt) * 1000)
        let excerpt = result.responseExcerpt.map { try? redactor().remote($0) } ?? nil
        try store.finishRun(runID, RunCompletion(
            outcome: result.outcome, finishedAt: result.finishedAt, attempts: 1, httpStatus: result.httpStatus, timings: nil,
            durationMs: duration, responseExcerpt: excerpt, error: result.error))
        let report = RunReport(runID: runID, job: job.ref, source: .due, outcome: result.outcome, httpStatus: result.httpStatus,
                               attempts: 1, durationMs: duration, timings: nil, error: result.error, startedAt: result.startedAt,
                               finishedAt: result.finishedAt, scheduledFor: scheduledFor, responseExcerpt: excerpt,
                               deadLetterID: nil, breakerProbe: false)
        progress?(.finished(report))
        return report
    }

    /// Who claims a backfill: the CI run when there is one, else this host and process.
    static func runnerName(environment: [String: String]) -> String {
        if let run = environment["GITHUB_RUN_ID"], !run.isEmpty {
            return "github-run-\(run)" + (environment["GITHUB_RUN_ATTEMPT"].map { "-\($0)" } ?? "")
        }
        return "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }
}
