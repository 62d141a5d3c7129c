import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct Alert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "alert",
            abstract: "Incidents from failures, missed fires, down apps and pausing projects; notify once on open and resolve.",
            discussion: """
                `alert check` judges every condition from what the inventory knows (or reads it anew with \
                --refresh), opens an incident when a condition starts and resolves it when it ends, and notifies \
                each route once of each: an `open`, a `resolve`, and with --repeat a reminder while it stays open. \
                Two checks at once on one inventory send each message once. Routes are generic JSON webhooks or \
                Slack incoming webhooks; their URLs are sealed secrets, shown masked. Silences and the manifest's \
                maintenance windows hold notifications back.

                Examples:
                  rbscron alert route add ops --slack -          # the URL from standard input (no echo)
                  rbscron alert check --refresh --ping https://hc-ping.com/<uuid>
                  rbscron alert list
                  rbscron alert silence camino/daily-dispatcher --for 2h --reason "deploying"
                """,
            subcommands: [Check.self, List.self, Route.self, Silence.self]
        )
    }
}

extension AlertSeverity: ExpressibleByArgument {}

extension RBSCron.Alert {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Judge every condition, open and resolve incidents, and notify the routes; exit 2 while any is open.",
            discussion: """
                Conditions, each with a stable key (`<kind>:<subject>`):
                  job_failing   a job's latest N runs failed (N = --failures, or the job's `alert: {failures: N}`)
                  success_rate  a job's success rate over --window is below --min-success-rate (or the job's
                                `alert: {success_rate: 90%}`), judged over 5 runs or more; off unless set
                  missed_fire   the latest fire of an observed job was not run (see `rbscron stats`)
                  app_down      the app's latest health check found it down
                  keepalive     a Supabase project 5 days or more without a keep-alive, or paused
                  breaker_open  a job's circuit breaker is open (its last --breaker-threshold runs failed)
                  drift         QStash holds a schedule that differs from the inventory (judged with --refresh)
                  endpoint_open the endpoint's latest `rbscron audit` let a caller without the secret in (critical)

                The evidence is what `stats --sync`, `health-check` and `keepalive` recorded; --refresh reads the \
                layers' history and checks every app first. A kind that cannot be judged this time (drift without \
                --refresh) leaves its incidents as they are.

                Notifications: `open` when an incident opens (or a route begins to take it: a new route, an ended \
                silence), `resolve` when it ends (to every route told of the opening), `remind` every --repeat \
                while it stays open. A silenced incident (`alert silence`, a maintenance window) sends no open or \
                reminder. A notification that fails is recorded with its reason and sent again by the next check.

                --ping URL: healthchecks.io's protocol, so an outside service notices when the checks stop: \
                `URL/start` first, then `URL` when the check exits 0, or `URL/fail` with a short summary.

                Exit codes: 0 no incident open, 2 an incident is open (silenced ones do not count), 1 a runtime \
                error or a notification that could not be delivered, 64 usage error.

                Examples:
                  rbscron alert check
                  rbscron alert check --refresh --json
                  rbscron alert check --repeat 4h --failures 2 --min-success-rate 90% --window 7d
                  rbscron alert check --refresh --ping https://hc-ping.com/<uuid>
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Flag(help: "First read each layer's history (as stats --sync), check every app (as health-check) and read QStash's schedules.")
        var refresh = false

        @Option(name: .customLong("repeat"), help: ArgumentHelp("Remind the routes of an incident still open this long after its last message, e.g. 4h.", valueName: "duration"))
        var repeatInterval: DurationArgument?

        @Option(help: ArgumentHelp("Send the healthchecks.io ping protocol to this URL (start, then success or fail).", valueName: "url"))
        var ping: String?

        @Option(help: ArgumentHelp("Consecutive failed runs that open a job_failing incident (a job's alert.failures wins).", valueName: "n"))
        var failures = 1

        @Option(help: ArgumentHelp("Open a success_rate incident below this rate over --window, e.g. 90% (a job's alert.success_rate wins).", valueName: "rate"))
        var minSuccessRate: String?

        @Option(help: ArgumentHelp("The window of success rates and missed fires, e.g. 24h or 7d.", valueName: "duration"))
        var window: DurationArgument = "24h"

        @Option(help: ArgumentHelp("The circuit breaker's threshold, as trigger uses it (0: no breaker_open incidents).", valueName: "n"))
        var breakerThreshold = BreakerDefaults.threshold

        @Option(help: ArgumentHelp("The circuit breaker's cool-down, as trigger uses it, e.g. 15m.", valueName: "duration"))
        var breakerCooldown: DurationArgument = .breakerCooldown

        @Option(help: ArgumentHelp("With --refresh: time allowed for each health check, e.g. 10s.", valueName: "duration"))
        var timeout: DurationArgument = "10s"

        func validate() throws {
            if let repeatInterval { try repeatInterval.require("--repeat", atLeast: 60_000) }
            try window.require("--window", atLeast: 60_000)
            try breakerCooldown.require("--breaker-cooldown")
            try timeout.require("--timeout", atMost: 300_000)
            if !(0...1000).contains(failures) { throw ValidationError("--failures must be 0 (off) to 1000.") }
            if breakerThreshold < 0 { throw ValidationError("--breaker-threshold must be 0 or more.") }
            _ = try rate()
            try PingOption.validate(ping)
        }

        func rate() throws -> Double? {
            guard let minSuccessRate else { return nil }
            guard let rate = Manifest.rate(minSuccessRate), rate > 0, rate <= 1 else {
                throw ValidationError("--min-success-rate '\(minSuccessRate)' is not a rate above 0% and at most 100%; write it like 90% or 0.9.")
            }
            return rate
        }

        mutating func run() async throws {
            let workspace = try global.workspace()
            let policy = AlertPolicy(failures: failures, minSuccessRate: try rate(), window: window.seconds,
                                     breakerThreshold: breakerThreshold, breakerCooldown: breakerCooldown.seconds)
            let request = AlertCheckRequest(policy: policy, refresh: refresh, repeatInterval: repeatInterval?.seconds,
                                            health: HealthCheckOptions(timeoutMs: timeout.milliseconds))
            let report = try await workspace.pinging(ping, problems: { Output.warn($0) }) {
                try await workspace.alertCheck(request)
            }
            try Output.emit(report, output, global.style)
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Open incidents, those resolved lately, silences, maintenance windows and undelivered notifications.",
            discussion: """
                An incident held back by a silence or a maintenance window says which (`silenced_by`). \
                Notifications that failed wait for the next `alert check`.

                Examples:
                  rbscron alert list
                  rbscron alert list --resolved-within 7d --json
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Also list the incidents resolved within this long, e.g. 24h or 7d.", valueName: "duration"))
        var resolvedWithin: DurationArgument = "24h"

        func validate() throws { try resolvedWithin.require("--resolved-within") }

        mutating func run() async throws {
            try Output.emit(try global.workspace().alertList(resolvedWithin: resolvedWithin.seconds), output, global.style)
        }
    }
}

/// `--ping URL`, shared by `alert check` and `trigger`.
enum PingOption {
    /// A usage error (exit 64) for a URL that cannot be pinged; the message never repeats the URL.
    static func validate(_ url: String?) throws {
        guard let url, let problem = HealthchecksPing.problem(url) else { return }
        throw ValidationError("--ping: the URL is not usable: \(problem); give the full https:// address of the check.")
    }
}
