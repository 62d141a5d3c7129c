import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct Cleanup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prune local history: runs, health checks, dead letters, keep-alive pings, expired previous secrets.",
            discussion: """
                Retention by default: runs 90d, health checks 30d, dead letters 30d, keep-alive pings 30d. \
                --older-than sets every table; a table's own option wins over it. A run still marked started \
                and younger than a day is never deleted (it may be in flight). Previous secret values whose \
                rotation grace period has ended are dropped too. --dry-run counts what would go and changes \
                nothing; --vacuum compacts the file afterwards.

                Examples:
                  rbscron cleanup --dry-run
                  rbscron cleanup --runs 30d --vacuum
                  rbscron cleanup --older-than 14d --json
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(name: .customLong("older-than"), help: ArgumentHelp("Retention for every table (e.g. 14d).", valueName: "duration"))
        var olderThan: String?

        @Option(help: ArgumentHelp("Retention for runs (default 90d).", valueName: "duration"))
        var runs: String?

        @Option(name: .customLong("health-checks"), help: ArgumentHelp("Retention for health checks (default 30d).", valueName: "duration"))
        var healthChecks: String?

        @Option(name: .customLong("dead-letters"), help: ArgumentHelp("Retention for dead letters (default 30d).", valueName: "duration"))
        var deadLetters: String?

        @Option(name: .customLong("keepalive-pings"), help: ArgumentHelp("Retention for keep-alive pings (default 30d).", valueName: "duration"))
        var keepalivePings: String?

        @Flag(name: .customLong("dry-run"), help: "Count what would be removed; change nothing.")
        var dryRun = false

        @Flag(help: "Run VACUUM afterwards to give the space back to the file system.")
        var vacuum = false

        @Flag(help: "Delete rbscron's schedules on the layer that are no longer in the inventory (local history is untouched).")
        var remote = false

        @Option(help: ArgumentHelp("With --remote: the layer to clean (qstash).", valueName: "layer"))
        var layer: Layer?

        @Option(help: ArgumentHelp("With --remote: only this app's schedules.", valueName: "app"), completion: InventoryCompletion.apps)
        var app: String?

        func validate() throws {
            _ = try policy()
            if remote {
                guard let layer else { throw ValidationError("--remote needs --layer qstash") }
                guard layer == .qstash else {
                    throw ValidationError("--remote cleans qstash only: vercel.json is rewritten whole by `schedule apply`, and pg_cron migrations unschedule their own stale jobs")
                }
                let local = [olderThan, runs, healthChecks, deadLetters, keepalivePings].contains { $0 != nil } || vacuum
                if local { throw ValidationError("--remote cleans the layer; run the local retention options without it") }
            } else if layer != nil || app != nil {
                throw ValidationError("--layer and --app go with --remote")
            }
        }

        /// The retention policy from the options; a malformed or zero duration is a usage error.
        func policy() throws -> RetentionPolicy {
            func seconds(_ text: String?, _ option: String, _ fallback: TimeInterval) throws -> TimeInterval {
                guard let text else { return fallback }
                guard let ms = DurationText.milliseconds(text), ms > 0 else {
                    throw ValidationError("'\(text)' is not a duration for --\(option); write it like 12h, 30d or 90d.")
                }
                return TimeInterval(ms) / 1000
            }
            let defaults = RetentionPolicy.defaults
            let all = try olderThan.map { try seconds($0, "older-than", 0) }
            return RetentionPolicy(
                runs: try seconds(runs, "runs", all ?? defaults.runs),
                healthChecks: try seconds(healthChecks, "health-checks", all ?? defaults.healthChecks),
                deadLetters: try seconds(deadLetters, "dead-letters", all ?? defaults.deadLetters),
                keepalivePings: try seconds(keepalivePings, "keepalive-pings", all ?? defaults.keepalivePings))
        }

        mutating func run() async throws {
            if remote { return try await cleanRemote() }
            let store = try global.openStore()
            let report = try store.pruneHistory(policy: try policy(), now: Date(), dryRun: dryRun, vacuum: vacuum)
            if output.json { return try Output.json(report) }
            let style = global.style
            let verb = report.dryRun ? "would remove" : "removed"
            let rows = report.tables.map { t in
                [t.table, t.olderThan.map(Timestamp.rfc3339) ?? "expired", String(t.rows)]
            }
            print(Output.table(["TABLE", "OLDER THAN", report.dryRun ? "WOULD REMOVE" : "REMOVED"], rows, style: style))
            print("\(verb) \(report.total) rows" + (report.vacuumed ? "; vacuumed" : ""))
        }

        /// Deletes rbscron's orphan QStash schedules.
        func cleanRemote() async throws {
            let context = try LayerContext(global: global)
            if let app { try InventoryFilter(app: app).validate(against: context.inventory) }
            let report = try await context.qstash().cleanupRemote(app: app, dryRun: dryRun)
            if output.json { return try Output.json(report) }
            let verb = dryRun ? "would delete" : "deleted"
            for entry in report.deleted { print("\(verb) \(entry.id)  \(entry.cron)  \(entry.destination)") }
            print("\(verb) \(report.deleted.count) orphan schedules; kept \(report.kept) of rbscron's and \(report.foreignKept) not made by rbscron")
        }
    }
}
