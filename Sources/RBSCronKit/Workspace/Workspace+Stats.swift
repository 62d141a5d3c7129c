import Foundation

extension Workspace {
    /// `stats --sync`: reads each layer's own history of the selected jobs' fires since the query's window start
    /// and stores what is new, as runs of source `remote`. One summary per layer that had something to read.
    public func syncHistory(_ query: StatsQuery) async throws -> [SyncSummary] {
        let jobs = try query.jobs(in: try inventory())
        return try await refreshEvidence(jobs: jobs, since: query.now.addingTimeInterval(-query.since), now: query.now)
    }

    /// Reads each layer's record of `jobs` since `since` and stores it (runs, observations, project states). A layer
    /// whose token is missing leaves its jobs unobserved, with the reason, and the others are still read.
    ///
    /// With `tolerant`, a layer that cannot be read (unreachable, a refused token) is a warning and the others are read;
    /// otherwise its error ends the refresh (`stats --sync` says so with its exit status).
    func refreshEvidence(jobs: [Job], since: Date, now: Date, tolerant: Bool = false) async throws -> [SyncSummary] {
        var summaries: [SyncSummary] = []
        for layer in try scheduledLayers() {
            let history: LayerHistory
            do {
                do {
                    guard let read = try await layer.history(jobs: jobs, since: since, now: now) else { continue }
                    history = read
                } catch let error where tolerant && !Self.isMissingToken(error) {
                    var summary = SyncSummary(layer: layer.layer.rawValue, sources: [], read: 0, matched: 0)
                    let reason = (try? redactor().remote(error.localizedDescription)) ?? "unreadable error"
                    summary.warnings = ["\(layer.layer.rawValue) not read: \(reason)"]
                    summaries.append(summary)
                    continue
                }
            } catch RemoteHistoryError.missingToken(let service, let key, let scope) {
                // Deny by default, and say so per job: without the token its fires are unobserved, not missed.
                let message = RemoteHistoryError.missingToken(service: service, key: key, scope: scope).errorDescription ?? key
                let mine = jobs.filter { $0.layer == layer.layer }
                try store.recordObservations(mine.map {
                    LayerObservation(job: $0.ref, layer: layer.layer, observedAt: now, historyFrom: nil,
                                     note: "no \(key) to read \(service) with (see `rbscron secret set`)")
                })
                var summary = SyncSummary(layer: layer.layer.rawValue, sources: [], read: 0, matched: 0)
                summary.warnings = ["\(layer.layer.rawValue) not read: \(message) Its \(mine.count) job(s) stay unobserved."]
                summaries.append(summary)
                continue
            }
            var summary = history.summary
            summary.inserted = try record(history)
            if let held = history.deadLetters, !held.letters.isEmpty {
                summary.warnings.append("\(held.origin) holds \(held.letters.count) dead letter(s) of these jobs: "
                                        + "`rbscron trigger --replay-dead-letters` replays them through \(held.origin)")
            }
            summaries.append(summary)
        }
        return summaries
    }

    static func isMissingToken(_ error: any Error) -> Bool {
        if case RemoteHistoryError.missingToken = error { return true }
        return false
    }

    /// Stores what a layer's history said: new runs, project states, observations.
    @discardableResult
    func record(_ history: LayerHistory) throws -> Int {
        var summary = history.summary
        summary.inserted = try store.insertRemoteRuns(history.runs)
        try store.recordProjectStates(history.projects)
        try store.recordObservations(history.observations)
        if let held = history.deadLetters {
            try store.syncRemoteDeadLetters(held.letters, origin: held.origin, jobs: held.jobs, at: now)
        }
        return summary.inserted
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
