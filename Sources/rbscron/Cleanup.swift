import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct Cleanup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cleanup",
            abstract: "Prune local history: runs, health checks, dead letters, keep-alive pings, expired previous secrets.",
            discussion: """
                Retention by default: runs 90d, health checks 30d, dead letters 30d, keep-alive pings 30d. \
                --older-than sets every table; a table's own option wins over it. Due mode's decisions, resolved \
                alert incidents (with their notifications), expired alert silences and audit probes follow the \
                runs' retention; each endpoint's latest audit is kept whatever its age. A run still marked started \
                and younger than a day is never deleted (it may be in flight). Previous secret values whose \
                rotation grace period has ended are dropped too. --dry-run counts what would go and changes \
                nothing; --vacuum compacts the file afterwards.

                Examples:
                  rbscron cleanup --dry-run
                  rbscron cleanup --runs 30d --vacuum
                  rbscron cleanup --older-than 14d --json
                  rbscron cleanup --remote --layer qstash --dry-run
                  rbscron cleanup --remote --layer pg_cron --app camino
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

        @Flag(help: "Clean the layer instead of the local history: qstash deletes rbscron's schedules no longer in the inventory; pg_cron collects and prunes each project's fire history (rbscron.fires).")
        var remote = false

        @Option(help: ArgumentHelp("With --remote: the layer to clean (qstash or pg_cron).", valueName: "layer"))
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
                guard let layer else { throw ValidationError("--remote needs --layer qstash or --layer pg_cron") }
                guard layer == .qstash || layer == .pgCron else {
                    throw ValidationError("--remote cleans qstash or pg_cron: vercel.json is rewritten whole by `schedule apply`")
                }
                let allowed: Set<String> = layer == .pgCron ? ["--older-than"] : []
                if retentions.contains(where: { $0.0 != nil && !allowed.contains($0.1) }) || vacuum {
                    throw ValidationError("--remote cleans the layer; run the local retention options without it"
                                          + (layer == .pgCron ? " (--older-than sets the fire history's retention)" : ""))
                }
                if layer == .pgCron, dryRun { throw ValidationError("--dry-run does not apply to --remote --layer pg_cron") }
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
                let days = olderThan.map { max(1, $0.milliseconds / 86_400_000) } ?? PgCronSQL.historyRetentionDays
                let report = try await workspace.cleanupRemote(layer ?? .qstash, app: app, dryRun: dryRun, retentionDays: days)
                try Output.emit(report, output, global.style)
                if case .pgCron(let cleaned) = report, cleaned.projects.contains(where: { $0.error != nil }) { throw ExitCode.failure }
                return
            }
            try Output.emit(try workspace.cleanup(policy, dryRun: dryRun, vacuum: vacuum), output, global.style)
        }
    }
}
