import Foundation
import Testing
@testable import RBSCronKit

/// The stats scan reads SQLite columns raw, compares text as bytes, selects percentiles without sorting and, on a
/// file inventory, splits jobs over parallel readers. These tests hold all of that to a plain recomputation.
@Suite("stats scan: raw columns, parallel readers, percentile selection")
struct StatsScanTests {
    typealias F = StatsFixture
    let now = StatsFixture.now

    @Test("selected percentiles equal the nearest rank of the sorted values", arguments: [1, 2, 3, 10, 101, 4_096])
    func selectionMatchesSorting(count: Int) {
        var rng = SplitMix64(seed: UInt64(count))
        let shapes: [[Double]] = [
            (0..<count).map { _ in Double.random(in: 0..<10_000, using: &rng) },
            (0..<count).map { _ in Double(Int.random(in: 0..<4, using: &rng)) },   // many ties
            Array(repeating: 42, count: count),
            (0..<count).map(Double.init),                                           // ascending
            (0..<count).reversed().map(Double.init),                                // descending
        ]
        let ps = [0.5, 0.95, 1, 0, 0.01, 0.999]
        for values in shapes {
            let sorted = values.sorted()
            let expected = ps.map { p in sorted[min(max(Int((p * Double(sorted.count)).rounded(.up)), 1), sorted.count) - 1] }
            #expect(Selection.percentiles(values, ps) == expected)
        }
    }

    @Test("no values, or only NaN, give no percentiles; NaN is left out")
    func selectionEdges() {
        #expect(Selection.percentiles([], [0.5, 0.95]) == [nil, nil])
        #expect(Selection.percentiles([.nan], [0.5]) == [nil])
        #expect(Selection.percentiles([3, .nan, 1, 2], [0.5, 1]) == [2, 3])
    }

    /// Random runs over every fixture job: every state, outcome (and none), source, with and without a duration
    /// or fire time, inside and outside the window.
    func randomRuns(_ count: Int) -> [F.RunRow] {
        var rng = SplitMix64(seed: 7)
        let outcomes: [String?] = ["ok", "ok", "ok", "skipped", "http_error", "timeout", "transport_error", "denied", nil]
        let sources = ["manual", "ci", "due", "replay", "remote"]
        return (0..<count).map { _ in
            let job = F.jobs.randomElement(using: &rng)!
            let started = now.addingTimeInterval(-Double(Int.random(in: 0..<(20 * 24 * 60), using: &rng)) * 60)
            let state = ["finished", "finished", "finished", "abandoned", "started"].randomElement(using: &rng)!
            return F.RunRow(
                app: job.app, job: job.name, source: sources.randomElement(using: &rng)!,
                scheduledFor: Bool.random(using: &rng) ? started.addingTimeInterval(-Double(Int.random(in: 0..<60, using: &rng))) : nil,
                startedAt: started, state: state,
                outcome: state == "started" ? nil : (state == "abandoned" ? nil : outcomes.randomElement(using: &rng)!),
                durationMs: Bool.random(using: &rng) ? Double.random(in: 1..<5_000, using: &rng) : nil)
        }
    }

    /// The facts recomputed from the rows in plain Swift, as the store's doc comments define them.
    func expectedFacts(_ rows: [F.RunRow], job: JobRef, since: Date) -> JobRunFacts {
        let mine = rows.filter { $0.app == job.app && $0.job == job.job }.sorted { $0.startedAt < $1.startedAt }
        let failed = { (r: F.RunRow) in r.state != "started" && !["ok", "skipped"].contains(r.outcome ?? "abandoned") }
        var facts = JobRunFacts()
        for r in mine where r.state != "started" && r.startedAt <= now {
            if r.startedAt >= since {
                facts.runs += 1
                if r.outcome == "ok" { facts.successes += 1 }
                if r.outcome == "skipped" { facts.skipped += 1 }
                if let d = r.durationMs { facts.durationsMs.append(d) }
            }
        }
        let lastOk = mine.last { $0.state == "finished" && $0.outcome == "ok" }?.startedAt
        facts.lastSuccessAt = lastOk
        facts.failureStreak = mine.filter { failed($0) && (lastOk == nil || $0.startedAt > lastOk!) }.count
        if let f = mine.last(where: failed) {
            facts.lastFailure = RunFailure(at: f.startedAt, outcome: f.outcome ?? "abandoned", httpStatus: f.httpStatus,
                                           error: f.error, source: f.source)
        }
        facts.observedSince = mine.first { $0.source == "due" || $0.source == "remote" }?.startedAt
        return facts
    }

    /// The fields in which `actual` differs from `expected` (durations compared as multisets), readable in a failure.
    func differences(_ actual: JobRunFacts?, _ expected: JobRunFacts) -> [String] {
        guard let actual else { return ["missing"] }
        var out: [String] = []
        func check<T: Equatable>(_ name: String, _ a: T, _ e: T) { if a != e { out.append("\(name): \(a) ≠ \(e)") } }
        check("runs", actual.runs, expected.runs)
        check("successes", actual.successes, expected.successes)
        check("skipped", actual.skipped, expected.skipped)
        check("durations", actual.durationsMs.sorted(), expected.durationsMs.sorted())
        check("lastSuccessAt", actual.lastSuccessAt, expected.lastSuccessAt)
        check("lastFailure", actual.lastFailure, expected.lastFailure)
        check("failureStreak", actual.failureStreak, expected.failureStreak)
        check("observedSince", actual.observedSince, expected.observedSince)
        return out.map { $0.count > 200 ? String($0.prefix(200)) + "…" : $0 }
    }

    @Test("a file inventory read by parallel readers gives the facts of a single reader and of a plain recount")
    func parallelScanMatches() throws {
        let rows = randomRuns(6_000)
        let memory = try F.store()
        try F.insert(rows, into: memory)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-scan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try InventoryStore.open(path: dir.appendingPathComponent("inventory.sqlite").path,
                                           seed: { Inventory(apps: F.apps, jobs: F.jobs) }, now: now.addingTimeInterval(-30 * F.day))
        try F.insert(rows, into: file)

        let refs = F.jobs.map(\.ref)
        let since = now.addingTimeInterval(-7 * F.day)
        let single = try memory.jobRunFacts(jobs: refs, since: since, until: now)
        // Three readers whatever the machine's processor count, so the split is exercised everywhere.
        let parallel = try file.jobRunFacts(jobs: refs, since: since, until: now, readers: 3)
        var checkedRuns = 0
        for ref in refs {
            let expected = expectedFacts(rows, job: ref, since: since)
            #expect(differences(single[ref], expected).isEmpty, "\(ref) single reader: \(differences(single[ref], expected))")
            #expect(differences(parallel[ref], expected).isEmpty, "\(ref) parallel: \(differences(parallel[ref], expected))")
            checkedRuns += expected.runs
        }
        #expect(checkedRuns > 1_000)
    }
}
