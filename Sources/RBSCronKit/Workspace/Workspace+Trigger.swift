import Foundation

extension Workspace {
    /// `trigger`: fires jobs with their auth, retries, circuit breaker and dead letters, recording every run; or,
    /// with `dryRun`, says what would be sent. Runs left `started` by a process that is gone are marked abandoned
    /// first, so their breaker history and stats are right.
    public func trigger(_ request: TriggerRequest, progress: TriggerProgress? = nil) async throws -> TriggerReport {
        let inventory = try inventory()
        let trigger = try JobTrigger(store: store, transport: transport, secrets: secrets, redactor: redactor(),
                                     environment: clock)
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
            if request.dryRun {
                report.requests = try dryRun(DueMode.fires(in: inventory, app: app, at: at, windowMs: windowMs).map(\.job))
                break
            }
            let result = try await trigger.fireDue(inventory: inventory, app: app, at: at, windowMs: windowMs,
                                                   options: options, parallel: request.parallel, progress: progress)
            report.runs = result.runs
            report.alreadyClaimed = result.alreadyClaimed

        case .replayDeadLetters(let app, let limit):
            if let app { try InventoryFilter(app: app).validate(against: inventory) }
            report.runs = try await trigger.replayDeadLetters(app: app, limit: limit, inventory: inventory,
                                                              options: options, progress: progress)
        }
        return report
    }
}
