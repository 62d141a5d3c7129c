import Foundation

extension Workspace {
    /// `stats --sync`: reads each layer's own history of the selected jobs' fires since the query's window start
    /// and stores what is new, as runs of source `remote`. One summary per layer that had something to read.
    public func syncHistory(_ query: StatsQuery) async throws -> [SyncSummary] {
        let jobs = try query.jobs(in: try inventory())
        let since = query.now.addingTimeInterval(-query.since)
        var summaries: [SyncSummary] = []
        for layer in try scheduledLayers() {
            guard var history = try await layer.history(jobs: jobs, since: since) else { continue }
            history.summary.inserted = try store.insertRemoteRuns(history.runs)
            try store.recordProjectStates(history.projects)
            try store.recordObservations(history.observations)
            summaries.append(history.summary)
        }
        return summaries
    }

    /// `stats`: rates, percentiles, streaks and missed fires over the query's window.
    public func stats(_ query: StatsQuery) throws -> StatsReport {
        try StatsEngine.report(store: store, query: query)
    }

    /// `stats --html`: the self-contained dashboard page for `report`.
    public func dashboard(_ report: StatsReport) throws -> String {
        try Dashboard.render(store: store, report: report)
    }

    /// `cleanup`: retention pruning of the local history.
    public func cleanup(_ policy: RetentionPolicy, dryRun: Bool, vacuum: Bool) throws -> CleanupReport {
        try store.pruneHistory(policy: policy, now: now, dryRun: dryRun, vacuum: vacuum)
    }
}
