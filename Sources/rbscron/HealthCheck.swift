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
                refused connection, DNS, TLS…). When a down app fans out to jobs of other apps \
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
        var timeout = "10s"

        @Option(help: ArgumentHelp("Requests in flight at once (1–1000).", valueName: "n"))
        var concurrency = 20

        @Option(help: ArgumentHelp("An app slower than this is degraded, e.g. 2s.", valueName: "duration"))
        var slow = "2s"

        @Flag(name: .customLong("no-record"), help: "Do not record the results in the inventory.")
        var noRecord = false

        @Flag(help: "Do not verify TLS certificates (only for hosts you trust).")
        var insecure = false

        func validate() throws {
            guard let ms = DurationText.milliseconds(timeout), ms > 0 else {
                throw ValidationError("--timeout '\(timeout)' is not a positive duration; write it like 10s or 500ms")
            }
            guard ms <= 300_000 else { throw ValidationError("--timeout '\(timeout)' is longer than 5m") }
            guard let slowMs = DurationText.milliseconds(slow), slowMs > 0 else {
                throw ValidationError("--slow '\(slow)' is not a positive duration; write it like 2s or 800ms")
            }
            guard (1...1000).contains(concurrency) else {
                throw ValidationError("--concurrency \(concurrency) must be between 1 and 1000")
            }
        }

        mutating func run() async throws {
            let store = try global.openStore()
            let inventory = try store.inventory()
            let options = HealthCheckOptions(
                app: app, timeoutMs: DurationText.milliseconds(timeout) ?? 10_000, concurrency: concurrency,
                slowMs: DurationText.milliseconds(slow) ?? 2_000, insecure: insecure)
            let style = global.style
            let progress = HealthProgressLine(enabled: style.stderrIsTerminal && !output.json)
            let checker = HealthChecker(transport: CurlTransport(userAgent: RBSCronVersion.userAgent))
            let report = try await checker.run(inventory: inventory, options: options) { done, total in
                progress.update("checking \(done)/\(total) apps…")
            }
            progress.clear()
            if !noRecord { try store.recordHealthChecks(report.results) }

            if output.json {
                try Output.json(report.results)
            } else {
                print(Self.render(report, style: style))
            }
            if report.anyDown { throw ExitCode(2) }
        }

        static func render(_ report: HealthReport, style: TerminalStyle) -> String {
            func ms(_ value: Double?) -> String { value.map { String(format: "%.0f", $0) } ?? "-" }
            let rows = report.results.map { r -> [String] in
                let status: String
                switch r.status {
                case .up: status = style.green("up")
                case .degraded: status = style.yellow("degraded")
                case .down: status = style.red("down")
                }
                let t = r.timings
                return [r.app, status, r.httpStatus.map(String.init) ?? "-", r.method, ms(t.totalMs),
                        "\(ms(t.dnsMs))/\(ms(t.connectMs))/\(ms(t.tlsMs))/\(ms(t.firstByteMs))", r.detail ?? ""]
            }
            var lines = [Output.table(["APP", "STATUS", "HTTP", "METHOD", "TOTAL MS", "DNS/CONN/TLS/TTFB MS", "DETAIL"],
                                      rows, style: style)]
            for r in report.results where r.status == .down && !r.dependentsAffected.isEmpty {
                lines.append("")
                lines.append(style.red("\(r.app) is down") + ": these apps lose background jobs it fires:")
                for d in r.dependentsAffected {
                    lines.append("  \(d.app): \(d.jobs.joined(separator: ", ")) (fired by \(d.triggeredBy.joined(separator: ", ")))")
                }
            }
            if report.results.isEmpty {
                lines = ["no active apps to check"]
            } else {
                lines.append("")
                lines.append("\(report.results.count) app\(report.results.count == 1 ? "" : "s"): \(report.upCount) up, \(report.degradedCount) degraded, \(report.downCount) down")
            }
            return lines.joined(separator: "\n")
        }
    }
}

/// One self-overwriting progress line on stderr, only when enabled (stderr is a terminal and no --json).
final class HealthProgressLine: @unchecked Sendable {
    let enabled: Bool
    private let lock = NSLock()
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ text: String) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        shown = true
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)".utf8))
    }

    func clear() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }
}
