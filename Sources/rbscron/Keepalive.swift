import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct Keepalive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
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
                  rbscron keepalive --project baul --json
                  rbscron keepalive --status
                  rbscron keepalive --sql --project baul > supabase/migrations/20260410000004_keep_alive.sql
                  rbscron keepalive --sql --project baul --out ../baul/supabase/migrations
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Only this app's Supabase project (the app's slug).", valueName: "app"), completion: InventoryCompletion.apps)
        var project: String?

        @Flag(help: "Show the days since each project's last successful ping instead of pinging.")
        var status = false

        @Flag(help: "Print the pg_cron keep-alive migration instead of pinging.")
        var sql = false

        @Option(help: ArgumentHelp("With --sql: write the migration into this folder under its suggested name.", valueName: "dir"))
        var out: String?

        @Option(help: ArgumentHelp("Time allowed for each request, e.g. 10s.", valueName: "duration"))
        var timeout = "10s"

        @Flag(help: "Do not verify TLS certificates (only for hosts you trust).")
        var insecure = false

        func validate() throws {
            if status && sql { throw ValidationError("use one of --status and --sql") }
            if out != nil && !sql { throw ValidationError("--out needs --sql") }
            if sql && output.json { throw ValidationError("--sql prints SQL; --json does not apply to it") }
            guard let ms = DurationText.milliseconds(timeout), ms > 0, ms <= 300_000 else {
                throw ValidationError("--timeout '\(timeout)' is not a duration between 1ms and 5m; write it like 10s")
            }
        }

        mutating func run() async throws {
            let store = try global.openStore()
            let inventory = try store.inventory()
            if sql { return try writeSQL(inventory: inventory) }
            if status { return try showStatus(store: store, inventory: inventory) }

            let secrets: any SecretProvider
            do {
                let key = try MasterKey.load(environment: ProcessInfo.processInfo.environment, createIfMissing: false)
                secrets = try store.secrets(box: SecretBox(masterKey: key))
            } catch {
                // Projects without a URL are still reported; those with one are denied with this reason.
                secrets = UnavailableSecrets(reason: error.localizedDescription)
            }
            let pinger = KeepalivePinger(transport: CurlTransport(userAgent: RBSCronVersion.userAgent), secrets: secrets)
            let report = try await pinger.run(inventory: inventory, project: project,
                                              timeoutMs: DurationText.milliseconds(timeout) ?? 10_000, insecure: insecure)
            try store.recordKeepalivePings(report.results.compactMap(\.record))

            if output.json {
                try Output.json(report.results)
            } else {
                print(render(report))
            }
            if report.anyFailed { throw ExitCode(2) }
        }

        func render(_ report: KeepaliveReport) -> String {
            let style = global.style
            guard !report.results.isEmpty else { return "no app in the inventory has a Supabase project" }
            let rows = report.results.map { r -> [String] in
                let outcome: String
                switch r.outcome {
                case .ok: outcome = style.green("ok")
                case .failed: outcome = style.red("failed")
                case .denied: outcome = style.red("denied")
                case .notConfigured: outcome = style.dim("not configured")
                }
                return [r.app, outcome, r.mode?.rawValue ?? "-", r.httpStatus.map(String.init) ?? "-",
                        r.totalMs.map { String(format: "%.0f", $0) } ?? "-", r.reason ?? ""]
            }
            let counts = Dictionary(grouping: report.results, by: \.outcome).mapValues(\.count)
            let summary = "\(report.results.count) projects: \(counts[.ok] ?? 0) ok, \(counts[.failed] ?? 0) failed, "
                + "\(counts[.denied] ?? 0) denied, \(counts[.notConfigured] ?? 0) not configured"
            return Output.table(["APP", "OUTCOME", "MODE", "HTTP", "MS", "REASON"], rows, style: style) + "\n\n" + summary
        }

        func showStatus(store: InventoryStore, inventory: Inventory) throws {
            let report = try KeepaliveStatusReport.build(inventory: inventory, project: project,
                                                         history: try store.keepaliveHistory(), now: Date())
            if output.json {
                try Output.json(report.entries)
            } else {
                let style = global.style
                let rows = report.entries.map { e -> [String] in
                    let state: String
                    switch e.state {
                    case .ok: state = style.green("ok")
                    case .warn: state = style.yellow("warn")
                    case .overdue: state = style.red("overdue")
                    case .unknown: state = style.yellow("unknown")
                    case .notConfigured: state = style.dim("not configured")
                    }
                    return [e.app, state, e.daysSince.map { String(format: "%.1f", ($0 * 10).rounded(.down) / 10) } ?? "-",
                            e.lastSuccessAt.map(Timestamp.rfc3339) ?? "never", e.pausesAfter.map(Timestamp.rfc3339) ?? "-",
                            e.lastError ?? ""]
                }
                print(report.entries.isEmpty ? "no app in the inventory has a Supabase project"
                      : Output.table(["APP", "STATE", "DAYS", "LAST OK", "PAUSES AFTER", "LAST ERROR"], rows, style: style))
                for e in report.entries {
                    switch e.state {
                    case .warn, .overdue:
                        let days = String(format: "%.1f", ((e.daysSince ?? 0) * 10).rounded(.down) / 10)
                        Output.warn("\(e.app): \(days) days since the last "
                                    + "successful ping; Supabase pauses a free project after 7. Run `rbscron keepalive --project \(e.app)`.")
                    case .unknown:
                        Output.warn("\(e.app): never pinged by rbscron, so its activity is unknown. Run `rbscron keepalive --project \(e.app)`.")
                    case .ok, .notConfigured:
                        break
                    }
                }
            }
            if report.anyOverdue { throw ExitCode(2) }
        }

        func writeSQL(inventory: Inventory) throws {
            let report: KeepaliveSQLReport
            do {
                report = try KeepaliveSQLReport.build(inventory: inventory, project: project, now: Date())
            } catch let error as KeepaliveError {
                // Naming no project among several is a usage problem, not a failure.
                if case .chooseProject = error { throw ValidationError(error.localizedDescription) }
                throw error
            }
            guard let out else {
                print(report.sql, terminator: "")
                return
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CLIError("'\(out)' is not a folder; create it (usually supabase/migrations) or give another with --out.")
            }
            let path = URL(fileURLWithPath: out).appendingPathComponent(report.fileName).path
            guard !FileManager.default.fileExists(atPath: path) else {
                throw CLIError("'\(path)' already exists; nothing was written.")
            }
            do {
                try Data(report.sql.utf8).write(to: URL(fileURLWithPath: path), options: .withoutOverwriting)
            } catch {
                throw CLIError("cannot write '\(path)': \(error.localizedDescription)")
            }
            print("wrote \(path) (keep-alive migration for \(report.app))")
        }
    }
}
