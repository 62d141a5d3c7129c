import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct Trigger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fire jobs now, with their auth, retries, circuit breaker and dead letters.",
            discussion: """
                Every run is recorded in the inventory (started before the request, finished after). Auth is \
                deny by default: a job whose secret is missing is refused before any request. Secrets come \
                from the inventory or from RBSCRON_SECRET_<APP>_<KEY> variables (APP upper-cased, - → _; \
                GLOBAL for all apps). Retries use exponential backoff with full jitter and honour Retry-After; \
                only transport errors, 5xx and 429 are retried. A run whose retries ran out becomes a dead letter.

                Modes: APP/JOB… fires those jobs; --group fires a dispatcher's fan-out children itself; \
                --app A --schedule fires a seed-003 time-of-day group; --due fires what a layer should \
                have fired within --window; --replay-dead-letters replays dead letters once each.

                Exit codes: 0 all ok, 1 runtime error, 2 a job failed, was denied or its breaker is open, 64 usage, \
                74 a request was sent but its outcome could not be written to the inventory (printed instead).

                Examples:
                  rbscron trigger camino/daily-dispatcher
                  rbscron trigger baul/generate-routes --dry-run
                  rbscron trigger caracol/process-failed-stamp-queue --retries 3 --max-age 2m --json
                  rbscron trigger --group camino/daily-dispatcher --parallel 4
                  rbscron trigger --app signalsloop --schedule daily --at 09:00
                  rbscron trigger --due --window 20m
                  rbscron trigger --due --parallel 8 --json
                  rbscron trigger --replay-dead-letters --app caracol --limit 10
                """
        )

        /// The exit code when a request was sent and its outcome could not be stored (sysexits' EX_IOERR).
        static let outcomeNotRecorded: Int32 = 74

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: ArgumentHelp("The jobs to fire, as APP/JOB.", valueName: "app/job"), completion: InventoryCompletion.jobs)
        var jobs: [String] = []

        @Flag(help: "Print the exact requests (credentials masked, the secret's source named); send nothing, record nothing.")
        var dryRun = false

        @Option(help: ArgumentHelp("Bound each attempt (default: the job's timeout), e.g. 30s; at most 24h.", valueName: "duration"))
        var timeout: DurationArgument?

        @Option(help: ArgumentHelp("Attempts after the first, 0 to 10 (default: the job's retries).", valueName: "n"))
        var retries: Int?

        @Option(help: ArgumentHelp("The JSON request body.", valueName: "json"))
        var body: String?

        @Flag(help: "Do not verify TLS certificates (only for a host you trust).")
        var insecure = false

        @Flag(help: "Fire even when a job's circuit breaker is open.")
        var force = false

        @Option(help: ArgumentHelp("Do not retry a run older than this since its first attempt, e.g. 5m.", valueName: "duration"))
        var maxAge: DurationArgument?

        @Option(help: ArgumentHelp("The first retry waits up to this (doubling each time), e.g. 500ms.", valueName: "duration"))
        var backoffBase: DurationArgument = "500ms"

        @Option(help: ArgumentHelp("No retry waits longer than this (Retry-After included), e.g. 30s.", valueName: "duration"))
        var backoffCap: DurationArgument = "30s"

        @Option(help: ArgumentHelp("Consecutive failed runs that open a job's circuit breaker (0 turns it off).", valueName: "n"))
        var breakerThreshold = 5

        @Option(help: ArgumentHelp("How long an open breaker skips the job before a probe, e.g. 15m.", valueName: "duration"))
        var breakerCooldown: DurationArgument = "15m"

        @Option(help: ArgumentHelp("Fire this dispatcher's fan-out children in order (the fallback when it is broken).", valueName: "app/job"), completion: InventoryCompletion.jobs)
        var group: String?

        @Option(help: ArgumentHelp("The app for --schedule; a filter for --due and --replay-dead-letters.", valueName: "app"), completion: InventoryCompletion.apps)
        var app: String?

        @Option(help: ArgumentHelp("Fire the app's time-of-day group: hourly, daily or weekly.", valueName: "cadence"))
        var schedule: TaskGroupName.Cadence?

        @Option(help: ArgumentHelp("With --schedule: the group's time HH:MM. With --due: the reference time (RFC 3339).", valueName: "time"))
        var at: String?

        @Option(help: ArgumentHelp(
            "Jobs in flight at once: APP/JOB… and --due fire up to N together; a group honours depends_on and priority.",
            valueName: "n"))
        var parallel = 1

        @Flag(help: "Fire every scheduled job whose latest fire time is within --window and not yet fired.")
        var due = false

        @Option(help: ArgumentHelp("With --due: how far back a fire still counts, e.g. 30m.", valueName: "duration"))
        var window: DurationArgument = "30m"

        @Flag(help: "Replay unresolved dead letters, each once.")
        var replayDeadLetters = false

        @Option(help: ArgumentHelp("With --replay-dead-letters: at most this many.", valueName: "n"))
        var limit = 20

        func validate() throws {
            _ = try request()
            // The manifest caps a job's timeout at 24h; the flag that overrides it is capped the same way.
            if let timeout {
                try timeout.require("--timeout")
                if timeout.milliseconds > Job.maximumTimeoutMs {
                    throw ValidationError("--timeout '\(timeout.text)' is longer than 24h, the most a job's timeout may be (as in the manifest).")
                }
            }
            if let maxAge { try maxAge.require("--max-age") }
            try backoffBase.require("--backoff-base")
            try backoffCap.require("--backoff-cap")
            try breakerCooldown.require("--breaker-cooldown")
            try window.require("--window")
            if let retries, !(0...10).contains(retries) { throw ValidationError("--retries must be 0 to 10.") }
            if breakerThreshold < 0 { throw ValidationError("--breaker-threshold must be 0 or more.") }
            if parallel < 1 { throw ValidationError("--parallel must be 1 or more.") }
            if limit < 1 { throw ValidationError("--limit must be 1 or more.") }
            if let body, (try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed])) == nil {
                throw ValidationError("--body is not valid JSON.")
            }
        }

        /// The options as one request: which mode, and how each job is fired.
        func request() throws -> TriggerRequest {
            let modes = [!jobs.isEmpty, group != nil, schedule != nil, due, replayDeadLetters].filter { $0 }.count
            guard modes == 1 else {
                throw ValidationError("choose one of: APP/JOB…, --group APP/JOB, --app A --schedule …, --due, --replay-dead-letters.")
            }
            if app != nil, schedule == nil, !due, !replayDeadLetters {
                throw ValidationError("--app goes with --schedule, --due or --replay-dead-letters.")
            }
            if at != nil, schedule == nil, !due { throw ValidationError("--at goes with --schedule (HH:MM) or --due (RFC 3339).") }
            let mode: TriggerRequest.Mode
            if let group {
                mode = .group(try ArgumentValues.jobRef(group))
            } else if let schedule {
                guard let app else { throw ValidationError("--schedule needs --app.") }
                if let at {
                    guard TaskGroupName.isTime(at) else { throw ValidationError("--at '\(at)' is not a time HH:MM (e.g. 09:00).") }
                    if schedule == .hourly { throw ValidationError("--at does not apply to hourly groups.") }
                }
                mode = .timeOfDay(app: app, cadence: schedule, time: at)
            } else if due {
                let reference = try ArgumentValues.instant(at, option: "--at") ?? Date()
                mode = .due(app: app, at: reference, windowMs: window.milliseconds)
            } else if replayDeadLetters {
                if dryRun { throw ValidationError("--dry-run does not apply to --replay-dead-letters.") }
                mode = .replayDeadLetters(app: app, limit: limit)
            } else {
                mode = .jobs(try jobs.map(ArgumentValues.jobRef))
            }
            let options = TriggerOptions(
                timeoutMs: timeout?.milliseconds, retries: retries, body: body.map { Data($0.utf8) }, insecure: insecure,
                force: force, maxAgeMs: maxAge?.milliseconds, backoffBaseMs: backoffBase.milliseconds,
                backoffCapMs: backoffCap.milliseconds, breakerThreshold: breakerThreshold,
                breakerCooldownMs: breakerCooldown.milliseconds)
            return TriggerRequest(mode: mode, options: options, parallel: parallel, dryRun: dryRun)
        }

        mutating func run() async throws {
            if insecure {
                Output.warn("--insecure: TLS certificates and host names are NOT verified; anyone on the path can read the job's credentials.")
            }
            let style = global.style
            let report = try await global.workspace().trigger(
                try request(), progress: ProgressDisplay.callback(style: style, json: output.json))
            try Output.emit(report, output, style)
            // A sent request whose outcome could not be stored: the report above is its only record.
            let unrecorded = report.unrecorded.compactMap(\.notRecordedMessage)
            if !unrecorded.isEmpty {
                for message in unrecorded { Output.note("Error: \(message)") }
                throw ExitCode(Self.outcomeNotRecorded)
            }
            if report.failed { throw ExitCode(2) }
        }
    }
}
