import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct Keepalive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keepalive",
            abstract: "Keep Supabase projects awake; warn before the free tier's 7-day pause.",
            discussion: """
                Without a mode flag, every app with a Supabase URL gets one cheap authenticated request, \
                with the app's SUPABASE_ANON_KEY (else SUPABASE_SERVICE_ROLE_KEY) as apikey and Bearer \
                token: POST {url}/rest/v1/rpc/keep_alive when the app runs the keep-alive pg_cron job \
                (`SELECT keep_alive()`), else GET {url}/rest/v1/. Each request is recorded. A project \
                without a URL is reported as not configured; one without a key is denied (no request). \
                Exit 2 when a ping failed or was denied.

                --status: days since each project's last successful ping; warn from 5 days, exit 2 past \
                6 (the pause comes at 7). A project never pinged by rbscron is `unknown` and does not \
                fail: its own pg_cron keep-alive may be running.

                --sql: the keep-alive and cron-history cleanup migration, for supabase/migrations/.

                Examples:
                  rbscron keepalive
                  rbscron keepalive --app baul --json
                  rbscron keepalive --status
                  rbscron keepalive --sql --app baul > supabase/migrations/20260410000004_keep_alive.sql
                  rbscron keepalive --sql --app baul --out ../baul/supabase/migrations
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Only this app's Supabase project (the app's slug).", valueName: "app"), completion: InventoryCompletion.apps)
        var app: String?

        /// The old spelling of --app, still accepted.
        @Option(name: .customLong("project"), help: .hidden)
        var legacyProject: String?

        var project: String? { app ?? legacyProject }

        @Flag(help: "Show the days since each project's last successful ping instead of pinging.")
        var status = false

        @Flag(help: "Print the pg_cron keep-alive migration instead of pinging.")
        var sql = false

        @Option(help: ArgumentHelp("With --sql: write the migration into this folder under its suggested name.", valueName: "dir"))
        var out: String?

        @Option(help: ArgumentHelp("Time allowed for each request, e.g. 10s.", valueName: "duration"))
        var timeout: DurationArgument = "10s"

        @Flag(help: "Do not verify TLS certificates (only for hosts you trust).")
        var insecure = false

        func validate() throws {
            if app != nil && legacyProject != nil { throw ValidationError("--project is the old name of --app; give one of them") }
            if status && sql { throw ValidationError("use one of --status and --sql") }
            if out != nil && !sql { throw ValidationError("--out needs --sql") }
            if sql && output.json { throw ValidationError("--sql prints SQL; --json does not apply to it") }
            try timeout.require("--timeout", atMost: 300_000)
        }

        mutating func run() async throws {
            // --sql and --status only read; pinging records each ping.
            let workspace = try global.workspace(readOnly: sql || status)
            let style = global.style
            if sql {
                let report: KeepaliveSQLReport
                do {
                    report = try workspace.keepaliveSQL(project: project)
                } catch KeepaliveError.chooseProject(let projects) {
                    // Naming no project among several is a usage problem, not a failure.
                    throw ValidationError(KeepaliveError.chooseProject(projects).localizedDescription)
                }
                guard let out else { return print(report.sql, terminator: "") }
                let path = try OutputFile.createNew(report.sql, named: report.fileName, in: out)
                return print("wrote \(path) (keep-alive migration for \(report.app))")
            }
            if status {
                let report = try workspace.keepaliveStatus(project: project)
                try Output.emit(report, output, style)
                if report.anyOverdue { throw ExitCode(2) }
                return
            }
            let report = try await workspace.keepalive(project: project, timeoutMs: timeout.milliseconds, insecure: insecure)
            try Output.emit(report, output, style)
            if report.anyFailed { throw ExitCode(2) }
        }
    }
}
