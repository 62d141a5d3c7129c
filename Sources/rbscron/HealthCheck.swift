import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct HealthCheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "health-check",
            abstract: "Check every active app's health target in parallel; exit 2 if any is down.",
            discussion: """
                Each app's health target (base_url + health path, method and expected status; see \
                `rbscron list apps`) is requested once: HEAD by default, retried once with GET when the \
                server answers 405, or GET when the target says so. An app is up (expected status), \
                degraded (expected status, slower than --slow) or down (another status, a timeout, a \
                refused connection, DNS, TLS...). When a down app fans out to jobs of other apps \
                (`triggered_by` in the inventory), those apps are named: their background jobs stop too.

                Results are recorded in the inventory (table health_checks) unless --no-record.

                Examples:
                  rbscron health-check
                  rbscron health-check --app colectiva --timeout 5s
                  rbscron health-check --concurrency 100 --slow 1s --json | jq '.[] | select(.status != "up")'
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Only this app (checked even when inactive).", valueName: "app"), completion: InventoryCompletion.apps)
        var app: String?

        @Option(help: ArgumentHelp("Time allowed for each request, e.g. 10s or 500ms.", valueName: "duration"))
        var timeout: DurationArgument = "10s"

        @Option(help: ArgumentHelp("Requests in flight at once (1 to 1000).", valueName: "n"))
        var concurrency = 20

        @Option(help: ArgumentHelp("An app slower than this is degraded, e.g. 2s.", valueName: "duration"))
        var slow: DurationArgument = "2s"

        @Flag(name: .customLong("no-record"), help: "Do not record the results in the inventory.")
        var noRecord = false

        @Flag(help: "Do not verify TLS certificates (only for hosts you trust).")
        var insecure = false

        func validate() throws {
            try timeout.require("--timeout", atMost: 300_000)
            try slow.require("--slow")
            guard (1...1000).contains(concurrency) else {
                throw ValidationError("--concurrency \(concurrency) must be between 1 and 1000")
            }
        }

        mutating func run() async throws {
            let style = global.style
            let options = HealthCheckOptions(app: app, timeoutMs: timeout.milliseconds, concurrency: concurrency,
                                             slowMs: slow.milliseconds, insecure: insecure)
            let progress = ProgressLine(enabled: style.stderrIsTerminal && !output.json)
            let report = try await global.workspace().healthCheck(options, record: !noRecord) { done, total in
                progress.update("checking \(done)/\(total) apps…")
            }
            progress.clear()
            try Output.emit(report, output, style)
            if report.anyDown { throw ExitCode(2) }
        }
    }
}
