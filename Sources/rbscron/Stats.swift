import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
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
        var since = "7d"

        @Flag(name: .customLong("exit-code"), help: "Exit 2 when a job's latest run failed or an observed job missed a fire.")
        var exitCode = false

        @Flag(help: "First read QStash delivery events and pg_cron run history into the inventory (needs QSTASH_TOKEN / SUPABASE_ACCESS_TOKEN secrets).")
        var sync = false

        @Option(help: ArgumentHelp("Also write a self-contained HTML dashboard to this file.", valueName: "file"))
        var html: String?

        var sinceSeconds: TimeInterval {
            get throws {
                guard let ms = DurationText.milliseconds(since), ms > 0 else {
                    throw ValidationError("'\(since)' is not a duration for --since; write it like 24h, 7d or 90d.")
                }
                return TimeInterval(ms) / 1000
            }
        }

        func validate() throws {
            _ = try sinceSeconds
            if let html, html.isEmpty { throw ValidationError("--html needs a file name.") }
        }

        mutating func run() async throws {
            let store = try global.openStore()
            let now = Date()
            let window = try sinceSeconds
            let query = StatsQuery(app: app, job: job, since: window, now: now)
            if sync {
                let inventory = try store.inventory()
                let jobs = try query.jobs(in: inventory)
                let secrets = try store.secrets(box: try MasterKeyLoader.box(create: false))
                let transport = CurlTransport(userAgent: RBSCronVersion.userAgent)
                let env = ProcessInfo.processInfo.environment
                let from = now.addingTimeInterval(-query.since)
                if let summary = try await StatsSync.syncQStash(
                    store: store, jobs: jobs, since: from, transport: transport,
                    baseURL: try QStashClient.baseURL(environment: env), secrets: secrets) {
                    Output.note("synced qstash: \(summary.read) events, \(summary.matched) runs, \(summary.inserted) new")
                }
                if let summary = try await StatsSync.syncPgCron(
                    store: store, inventory: inventory, jobs: jobs, since: from, transport: transport,
                    baseURL: PgCronHistoryClient.baseURL(environment: env), secrets: secrets) {
                    Output.note("synced pg_cron (\(summary.sources.joined(separator: ", "))): \(summary.read) rows, \(summary.inserted) new")
                }
            }
            let report = try StatsEngine.report(store: store, query: query)
            if let html {
                let page = try Dashboard.render(store: store, report: report)
                do {
                    try Data(page.utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
                } catch {
                    throw CLIError("cannot write the dashboard to '\(html)': \(error.localizedDescription)")
                }
                Output.note("wrote \(html)")
            }
            if output.json {
                try Output.json(report)
            } else {
                print(StatsTable.render(report, style: global.style))
            }
            if exitCode, !report.problemJobs.isEmpty { throw ExitCode(2) }
        }
    }
}

/// The human table of `stats`.
enum StatsTable {
    static func render(_ report: StatsReport, style: TerminalStyle) -> String {
        func paint(_ text: String, _ colour: StatusColour) -> String {
            switch colour {
            case .green: return style.green(text)
            case .amber: return style.yellow(text)
            case .red: return style.red(text)
            case .grey: return style.dim(text)
            }
        }
        func ms(_ value: Double?) -> String { value.map(measured) ?? "-" }
        let rows = report.jobs.map { j -> [String] in
            let rate = j.successRate.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
            let missed = j.missedFires.map { "\($0)/\(j.expectedFires ?? 0)" } ?? j.observation.rawValue
            var last = "-"
            if let f = j.lastFailure {
                last = "\(Timestamp.rfc3339(f.at)) \(f.outcome)" + (f.httpStatus.map { " \($0)" } ?? "")
            }
            return [paint(j.status.rawValue, j.status), j.ref.description, j.layer.rawValue, String(j.runs), rate,
                    ms(j.p50Ms), ms(j.p95Ms), ms(j.maxMs), j.failureStreak > 0 ? style.red(String(j.failureStreak)) : "0",
                    missed, last]
        }
        var text = Output.table(["STATUS", "JOB", "LAYER", "RUNS", "SUCCESS", "P50", "P95", "MAX", "STREAK", "MISSED", "LAST FAILURE"],
                                rows, style: style)
        let apps = report.apps.filter { $0.checks > 0 }
        if !apps.isEmpty {
            let appRows = apps.map { a in
                [paint(a.status.rawValue, a.status), a.app, String(a.checks),
                 a.uptime.map { String(format: "%.2f%%", $0 * 100) } ?? "-", ms(a.p95LatencyMs), a.lastStatus ?? "-"]
            }
            text += "\n\n" + Output.table(["STATUS", "APP", "CHECKS", "UPTIME", "P95", "LAST"], appRows, style: style)
        }
        text += "\n\nsince \(Timestamp.rfc3339(report.since)); missed fires judged up to \(Timestamp.rfc3339(report.firesCheckedUntil))"
        return text
    }

    /// `830ms`, `1.2s`, `2m05s`: a measured duration for tables.
    static func measured(_ value: Double) -> String {
        if value < 1000 { return String(format: "%.0fms", value) }
        if value < 60_000 { return String(format: "%.1fs", value / 1000) }
        let seconds = Int((value / 1000).rounded())
        return String(format: "%dm%02ds", seconds / 60, seconds % 60)
    }
}
