import Foundation

/// An orchestrated run's summary, in seed 003's shape. Its keys are camelCase on purpose: they
/// are the shape the seed's orchestrator endpoint returns, so dashboards read both alike.
public struct GroupSummary: Encodable, Sendable {
    public struct Counts: Encodable, Sendable, Equatable {
        public var total: Int
        public var succeeded: Int
        public var failed: Int
        /// Milliseconds, wall time of the whole group.
        public var totalDuration: Int
    }

    public struct TaskResult: Encodable, Sendable, Equatable {
        public var taskId: String
        public var success: Bool
        /// Milliseconds.
        public var duration: Int
        public var message: String
    }

    public var success: Bool
    public var schedule: String
    public var summary: Counts
    public var results: [TaskResult]
    /// The run behind each result, in the same order (not encoded: the shape is the seed's).
    public var runs: [RunReport]

    enum CodingKeys: String, CodingKey { case success, schedule, summary, results }
}

/// Runs a group of jobs (a dispatcher's fan-out children, or a time-of-day group) the way
/// seed 003's orchestrator does: in order, or up to N at once honouring `depends_on` and
/// priority; every task with its own timeout; continuing past failures.
public struct Orchestrator: Sendable {
    public let trigger: JobTrigger

    public init(trigger: JobTrigger) { self.trigger = trigger }

    /// The enabled fan-out children of `parent`, in their order.
    public static func children(of parent: JobRef, in inventory: Inventory) throws -> [Job] {
        let jobs = inventory.children(of: parent).filter(\.enabled)
        guard !jobs.isEmpty else { throw TriggerError.notAGroup(parent) }
        return jobs
    }

    /// The enabled jobs of `app` in a time-of-day group: `hourly`; `daily` at `time` (or the app's
    /// only daily group); `weekly` at `time` (or its only weekly group). Returns the group's name too.
    public static func scheduled(app: String, cadence: TaskGroupName.Cadence, time: String?,
                                 in inventory: Inventory) throws -> (name: String, jobs: [Job]) {
        let grouped = inventory.jobs.filter { $0.app == app && $0.enabled }.compactMap { job -> (TaskGroupName, Job)? in
            guard let text = job.group, let name = TaskGroupName(text), name.cadence == cadence else { return nil }
            if let time, name.time != time { return nil }
            return (name, job)
        }
        let names = Array(Set(grouped.map(\.0.description))).sorted()
        guard let name = names.first else {
            throw TriggerError.noTasks("the \(cadence.rawValue)\(time.map { " \($0)" } ?? "") group of \(app)")
        }
        guard names.count == 1 else { throw TriggerError.ambiguousSchedule(app: app, groups: names) }
        let jobs = grouped.map(\.1).sorted { ($0.order ?? Int.max) < ($1.order ?? Int.max) }
        return (name, jobs)
    }

    /// Runs `jobs` (already in order) with at most `parallel` in flight.
    public func run(_ jobs: [Job], label: String, groupApp: String, parallel: Int, inventory: Inventory,
                    options: TriggerOptions, progress: TriggerProgress? = nil) async throws -> GroupSummary {
        let clock = ContinuousClock()
        let started = clock.now
        let inGroup = Set(jobs.map(\.ref))
        var reports: [JobRef: RunReport] = [:]
        // A task waits for the dependencies that are in its group; others are not this run's business.
        func pendingDeps(_ job: Job) -> [JobRef] { job.dependsOn.filter { inGroup.contains($0) && reports[$0] == nil } }
        func failedDep(_ job: Job) -> JobRef? {
            job.dependsOn.first { dep in inGroup.contains(dep) && reports[dep].map { !$0.succeeded } == true }
        }
        func skipReason(_ dep: JobRef) -> String { "skipped: its dependency \(dep) did not succeed" }

        if parallel <= 1 {
            for job in jobs {
                if let dep = failedDep(job) {
                    reports[job.ref] = try trigger.skip(job, reason: skipReason(dep), options: options, progress: progress)
                    continue
                }
                if let dep = pendingDeps(job).first {
                    let reason = "skipped: its dependency \(dep) comes later in the order; fix the order or use --parallel"
                    reports[job.ref] = try trigger.skip(job, reason: reason, options: options, progress: progress)
                    continue
                }
                reports[job.ref] = try await fire(job, inventory: inventory, options: options, progress: progress)
            }
        } else {
            let position = Dictionary(jobs.enumerated().map { ($1.ref, $0) }, uniquingKeysWith: { a, _ in a })
            var waiting = jobs
            try await withThrowingTaskGroup(of: (JobRef, RunReport).self) { group in
                var running = 0
                while true {
                    // Skip everything whose dependency has failed, repeatedly (skips cascade).
                    var changed = true
                    while changed {
                        changed = false
                        for job in waiting {
                            if let dep = failedDep(job) {
                                reports[job.ref] = try trigger.skip(job, reason: skipReason(dep), options: options, progress: progress)
                                waiting.removeAll { $0.ref == job.ref }
                                changed = true
                            }
                        }
                    }
                    let ready = waiting.filter { pendingDeps($0).isEmpty }
                        .sorted { ($0.priority, position[$0.ref] ?? 0) < ($1.priority, position[$1.ref] ?? 0) }
                    for job in ready.prefix(max(0, parallel - running)) {
                        waiting.removeAll { $0.ref == job.ref }
                        running += 1
                        group.addTask { (job.ref, try await self.fire(job, inventory: inventory, options: options, progress: progress)) }
                    }
                    guard running > 0 else { break }
                    guard let (ref, report) = try await group.next() else { break }
                    running -= 1
                    reports[ref] = report
                }
            }
            // Anything left waits on a dependency that never ran (cannot happen without a cycle).
            for job in waiting where reports[job.ref] == nil {
                reports[job.ref] = try trigger.skip(job, reason: "skipped: its dependencies never completed", options: options)
            }
        }

        let ordered = jobs.compactMap { reports[$0.ref] }
        let results = zip(jobs, ordered).map { job, report in
            GroupSummary.TaskResult(
                taskId: job.app == groupApp ? job.name : job.ref.description, success: report.succeeded,
                duration: Int(report.durationMs.rounded()), message: Self.message(report))
        }
        let succeeded = results.filter(\.success).count
        let elapsed = clock.now - started
        let totalMs = Int(elapsed.components.seconds) * 1000 + Int(elapsed.components.attoseconds / 1_000_000_000_000_000)
        return GroupSummary(
            success: succeeded == results.count, schedule: label,
            summary: .init(total: results.count, succeeded: succeeded, failed: results.count - succeeded, totalDuration: totalMs),
            results: results, runs: ordered)
    }

    private func fire(_ job: Job, inventory: Inventory, options: TriggerOptions, progress: TriggerProgress?) async throws -> RunReport {
        guard job.path != nil else {
            return try trigger.skip(job, reason: "skipped: \(job.ref) runs SQL and cannot be fired over HTTP", options: options, progress: progress)
        }
        guard let report = try await trigger.fire(job, in: inventory, options: options, progress: progress) else {
            throw StoreError.database("the run of \(job.ref) could not be recorded")
        }
        return report
    }

    /// The task's message: the endpoint's own `message` (seed 003's `{success, message, data}`)
    /// when it sends one, else the status or the error.
    static func message(_ report: RunReport) -> String {
        if report.outcome == .ok {
            if let text = report.responseExcerpt, let data = text.data(using: .utf8),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let message = object["message"] as? String, !message.isEmpty {
                return message
            }
            return report.httpStatus.map { "HTTP \($0)" } ?? "ok"
        }
        return report.error ?? report.outcome.rawValue
    }
}
