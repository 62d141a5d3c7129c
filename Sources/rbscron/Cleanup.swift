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
        var olderThan: DurationArgument?

        @Option(help: ArgumentHelp("Retention for runs (default 90d).", valueName: "duration"))
        var runs: DurationArgument?

        @Option(name: .customLong("health-checks"), help: ArgumentHelp("Retention for health checks (default 30d).", valueName: "duration"))
        var healthChecks: DurationArgument?

        @Option(name: .customLong("dead-letters"), help: ArgumentHelp("Retention for dead letters (default 30d).", valueName: "duration"))
        var deadLetters: DurationArgument?

        @Option(name: .customLong("keepalive-pings"), help: ArgumentHelp("Retention for keep-alive pings (default 30d).", valueName: "duration"))
        var keepalivePings: DurationArgument?

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

        var retentions: [(DurationArgument?, String)] {
            [(olderThan, "--older-than"), (runs, "--runs"), (healthChecks, "--health-checks"), (deadLetters, "--dead-letters"),
             (keepalivePings, "--keepalive-pings")]
        }

        func validate() throws {
            for case let (duration?, option) in retentions { try duration.require(option) }
            if remote {
                guard let layer else { throw ValidationError("--remote needs --layer qstash") }
                guard layer == .qstash else {
                    throw ValidationError("--remote cleans qstash only: vercel.json is rewritten whole by `schedule apply`, and pg_cron migrations unschedule their own stale jobs")
                }
                if retentions.contains(where: { $0.0 != nil }) || vacuum {
                    throw ValidationError("--remote cleans the layer; run the local retention options without it")
                }
            } else if layer != nil || app != nil {
                throw ValidationError("--layer and --app go with --remote")
            }
        }

        /// The retention policy: a table's own option, else --older-than, else the default.
        var policy: RetentionPolicy {
            let defaults = RetentionPolicy.defaults
            func age(_ own: DurationArgument?, _ fallback: TimeInterval) -> TimeInterval { (own ?? olderThan)?.seconds ?? fallback }
            return RetentionPolicy(runs: age(runs, defaults.runs), healthChecks: age(healthChecks, defaults.healthChecks),
                                   deadLetters: age(deadLetters, defaults.deadLetters),
                                   keepalivePings: age(keepalivePings, defaults.keepalivePings))
        }

        mutating func run() async throws {
            let workspace = try global.workspace()
            if remote {
                let report = try await workspace.cleanupRemote(layer ?? .qstash, app: app, dryRun: dryRun)
                return try Output.emit(report, output, global.style)
            }
            try Output.emit(try workspace.cleanup(policy, dryRun: dryRun, vacuum: vacuum), output, global.style)
        }
    }
}
