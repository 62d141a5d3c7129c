import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Success rates, latency percentiles, failure streaks and missed fires; --html writes a dashboard.",
            discussion: """
                Per job: runs, success rate (successes over runs that were not skipped), p50/p95/max duration, \
                last success, last failure with its reason, and the current failure streak (failed runs since \
                the latest success). Per app: uptime (share of health checks up or degraded) and p95 latency.

                Missed fires are counted only for jobs whose fires rbscron can see: jobs fired by \
                `trigger --due`, and QStash and pg_cron jobs whose history `--sync` has read. Such a job is \
                judged from its first due or remote run (and never before it entered the inventory). A fire is \
                covered by a run recorded for exactly that time, or by a due or remote run that started at most \
                15 minutes after it (and before the next fire). Fires of the last 15 minutes are not judged yet. \
                Every other scheduled job is shown as unobserved, never as healthy.

                Exit status: 0 (stats reports, it does not judge), unless --exit-code is given: then 2 when any \
                job's latest run failed or an observed job missed a fire.

                Examples:
                  rbscron stats
                  rbscron stats --app camino --since 30d
                  rbscron stats --job colectiva/ecosystem-heartbeat --json
                  rbscron stats --sync --since 2d --exit-code
                  rbscron stats --html dashboard.html
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Only this app (its slug).", valueName: "app"), completion: InventoryCompletion.apps)
        var app: String?

        @Option(help: ArgumentHelp("Only this job: APP/JOB, or a job name (with --app).", valueName: "job"), completion: InventoryCompletion.jobs)
        var job: String?

        @Option(help: ArgumentHelp("The window: runs and checks since this long ago (e.g. 24h, 7d, 90d).", valueName: "duration"))
        var since: DurationArgument = "7d"

        @Flag(name: .customLong("exit-code"), help: "Exit 2 when a job's latest run failed or an observed job missed a fire.")
        var exitCode = false

        @Flag(help: "First read QStash delivery events, pg_cron run history and Vercel's cron state and request log into the inventory (needs QSTASH_TOKEN / SUPABASE_ACCESS_TOKEN / VERCEL_TOKEN secrets).")
        var sync = false

        @Option(help: ArgumentHelp("Also write a self-contained HTML dashboard to this file (- for standard output, alone).", valueName: "file"))
        var html: String?

        func validate() throws {
            try since.require("--since")
            if let html, html.isEmpty { throw ValidationError("--html needs a file name.") }
            if let html, output.json, OutputFile.isStandardOutput(html) {
                throw ValidationError("--html - writes the page to standard output, where --json would go too; write the page to a file.")
            }
        }

        mutating func run() async throws {
            // Without --sync, stats only reads (the dashboard goes to a file of its own).
            let workspace = try global.workspace(readOnly: !sync)
            let query = StatsQuery(app: app, job: job, since: since.seconds, now: workspace.now)
            if sync {
                for summary in try await workspace.syncHistory(query) {
                    Output.note(summary.line)
                    for warning in summary.warnings { Output.warn(warning) }
                }
            }
            let report = try workspace.stats(query)
            if let html {
                try OutputFile.write(try workspace.dashboard(report), to: html)
                // The page alone on standard output: the table would only corrupt it.
                if OutputFile.isStandardOutput(html) {
                    if exitCode, !report.problemJobs.isEmpty { throw ExitCode(2) }
                    return
                }
                Output.note("wrote \(html)")
            }
            try Output.emit(report, output, global.style)
            if exitCode, !report.problemJobs.isEmpty { throw ExitCode(2) }
        }
    }
}
