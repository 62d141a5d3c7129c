import Foundation

extension JobTrigger {
    /// Fires `jobs` (not as a group: no order between them), up to `parallel` at once; the reports come back in
    /// the order of `jobs`, without the jobs skipped by a claim. A job named twice is fired twice, as asked.
    /// Every job is planned first, so what can be refused (a body for a GET job, a malformed signing key) is
    /// refused before anything is sent; each is planned once.
    public func fireAll(_ jobs: [Job], in inventory: Inventory, options: TriggerOptions, parallel: Int = 1,
                        progress: TriggerProgress? = nil) async throws -> [RunReport] {
        let plans = try jobs.map { try plan($0, in: inventory, options: options) }
        return try await Bounded.map(plans, limit: parallel) { plan in
            try await self.fire(plan, options: options, progress: progress)
        }.compactMap { $0 }
    }

    /// Fires every due job not yet fired for its fire time, up to `parallel` at once. Two processes running
    /// this at once send each fire once: the run row's UNIQUE idempotency key is the claim.
    public func fireDue(inventory: Inventory, app: String?, at: Date, windowMs: Int, options: TriggerOptions,
                        parallel: Int = 1, progress: TriggerProgress? = nil) async throws -> DueResult {
        var options = options
        options.source = .due
        let due = DueMode.fires(in: inventory, app: app, at: at, windowMs: windowMs)
        let plans = try due.map { fire in (fire, try plan(fire.job, in: inventory, options: options)) }
        let reports = try await Bounded.map(plans, limit: parallel) { [options] fire, plan in
            try await self.fire(plan, options: options, scheduledFor: fire.fireTime, idempotencyKey: fire.idempotencyKey,
                                progress: progress)
        }
        var result = DueResult(runs: [], alreadyClaimed: [])
        for (fire, report) in zip(due, reports) {
            if let report { result.runs.append(report) } else { result.alreadyClaimed.append(fire) }
        }
        return result
    }
}
