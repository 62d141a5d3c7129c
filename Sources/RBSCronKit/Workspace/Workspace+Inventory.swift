import Foundation

extension Workspace {
    /// How many apps, jobs and secrets the inventory holds.
    public func counts() throws -> (apps: Int, jobs: Int, secrets: Int) {
        try store.counts()
    }

    /// `list apps`.
    public func apps(_ filter: InventoryFilter) throws -> [AppReport] {
        let inventory = try inventory()
        try filter.validate(against: inventory)
        return filter.apps(in: inventory).map { app in
            AppReport(app: app, jobCount: inventory.jobs(ofApp: app.name).count)
        }
    }

    /// `list jobs`: each job with its latest recorded run and its next fire.
    public func jobs(_ filter: InventoryFilter) throws -> [JobReport] {
        let inventory = try inventory()
        try filter.validate(against: inventory)
        let latest = try store.latestRuns()
        let now = self.now
        return filter.jobs(in: inventory).map { job in
            let last = latest[job.ref]
            let next = try? ScheduleReports.next(job: job, in: inventory, from: now, count: 1).fires.first
            return JobReport(job: job, lastRunAt: last?.startedAt, lastOutcome: last?.outcome, nextFireAt: next ?? nil)
        }
    }

    /// `list schedules` (without `--remote`): the inventory's scheduled jobs with the id each layer knows them by.
    public func scheduledJobs(_ filter: InventoryFilter) throws -> [ScheduledJobReport] {
        let inventory = try inventory()
        try filter.validate(against: inventory)
        return ScheduledJobReport.list(inventory, filter: filter)
    }

    /// `import`: validates the whole manifest, then replaces apps and jobs in one transaction (or, with `dryRun`,
    /// only says what would change). Secrets and history are kept.
    public func importManifest(_ text: String, file: String, dryRun: Bool) throws -> ImportSummary {
        let inventory = try Manifest.load(yaml: text, file: file)
        let summary = try store.replaceInventory(with: inventory, dryRun: dryRun, now: now)
        if !dryRun { inventoryChanged() }
        return summary
    }

    /// `export`: the inventory as a manifest that imports back to it.
    public func exportManifest() throws -> String {
        Manifest.render(try inventory())
    }
}
