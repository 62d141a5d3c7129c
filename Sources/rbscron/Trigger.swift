import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct Trigger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trigger",
            abstract: "Fire jobs now, with their auth, retries, circuit breaker and dead letters.",
            discussion: """
                Every run is recorded in the inventory (started before the request, finished after). Auth is \
                deny by default: a job whose secret is missing is refused before any request. Secrets come \
                from the inventory or from RBSCRON_SECRET_<APP>_<KEY> variables (APP upper-cased, - -> _; \
                GLOBAL for all apps). Retries use exponential backoff with full jitter and honour Retry-After; \
                only transport errors, 5xx and 429 are retried. A run whose retries ran out becomes a dead letter.

                Modes: APP/JOB... fires those jobs; --group fires a dispatcher's fan-out children itself; \
                --app A --schedule fires a seed-003 time-of-day group; --due fires what a layer missed \
                (below); --replay-dead-letters replays dead letters once each; \
                APP/JOB --via pg_cron runs a pg_cron job's own command once in its database (pg_cron has no \
                "run now"), so the exact path of its schedule is tested: Vault secret, pg_net, endpoint.

                Due mode (--due) reads what each layer did (QStash's log, pg_cron's fire history in the app's \
                database, Vercel's request log: the tokens of `stats --sync`), accounts for every fire of \
                the window and fires one only when its layer missed it: past the layer's tolerance (QStash \
                1m, pg_cron 2m, Vercel Pro 1m, Hobby 59m59s) plus --grace (default per layer: qstash 2m, \
                pg_cron 3m, vercel 5m). Never a fire that is pending, paused, of unknown result or failed \
                (a failure is for alerts, not a reason to fire twice). Jobs whose layer shows nothing are \
                fired only with --include-unobserved; --blind fires every due fire without looking (the \
                old behaviour). Each fire is claimed in the inventory and sent through its layer where \
                every runner can see it (--backfill-via auto): a QStash job as a QStash message with the \
                fire's deduplication id (QStash sends it once, and its log shows it to later runners), a \
                pg_cron job through its database (rbscron.backfill claims it), so two runners on different \
                machines do not both fire it; Vercel jobs are fired directly (--backfill-via qstash sends \
                them through QStash too). A fan-out dispatcher is never fired again: when it failed or \
                missed, its children are fired directly, in order. Every decision is recorded with its \
                reason; --explain lists them all (with --json: {"runs", "decisions"}).

                Dead letters: a run whose retries ran out here is one; so is a message QStash gave up on \
                (its dead-letter queue, read by `stats --sync` and --due, marked "qstash"). \
                --replay-dead-letters replays rbscron's own by calling the job once, and QStash's through \
                QStash (a new message, with its retries); --discard removes them instead. --limit caps both \
                kinds together, oldest first; --explain --json prints {"runs", "dead_letters"}.

                Ctrl-C (or SIGTERM) while requests are in flight records their runs as interrupted, which is not \
                a failure of the job (no dead letter, no breaker count), and exits 130 (143).

                Exit codes: 0 all ok, 1 runtime error (also when a request was sent but its outcome could not be \
                written to the inventory: the outcome is printed and stderr says it WAS SENT), 2 a job failed, \
                was denied or its breaker is open (with --dry-run: a job would be denied), 64 usage, 130/143 \
                interrupted.

                Examples:
                  rbscron trigger camino/daily-dispatcher
                  rbscron trigger baul/generate-routes --dry-run
                  rbscron trigger caracol/process-failed-queue --retries 3 --max-age 2m --json
                  rbscron trigger --group camino/daily-dispatcher --parallel 4
                  rbscron trigger --app signalsloop --schedule daily --at 09:00  # needs examples/orchestrator.yaml
                  rbscron trigger --due --window 20m
                  rbscron trigger --due --parallel 8 --explain --json
                  rbscron trigger --due --app camino --grace 10m --include-unobserved
                  rbscron trigger --due --backfill-via qstash
                  rbscron trigger --due --ping https://hc-ping.com/<uuid>
                  rbscron trigger --replay-dead-letters --app caracol --limit 10
                  rbscron trigger --replay-dead-letters --app colectiva --discard --explain --json
                  rbscron trigger camino/sync-constanza-invoices --via pg_cron
                """
        )

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
        var breakerThreshold = BreakerDefaults.threshold

        @Option(help: ArgumentHelp("How long an open breaker skips the job before a probe, e.g. 15m.", valueName: "duration"))
        var breakerCooldown: DurationArgument = .breakerCooldown

        @Option(help: ArgumentHelp("Fire this dispatcher's fan-out children in order (the fallback when it is broken).", valueName: "app/job"), completion: InventoryCompletion.jobs)
        var group: String?

        @Option(help: ArgumentHelp("The app for --schedule; a filter for --due and --replay-dead-letters.", valueName: "app"), completion: InventoryCompletion.apps)
        var app: String?

        @Option(help: ArgumentHelp("Fire the app's time-of-day group: hourly, daily or weekly.", valueName: "cadence"))
        var schedule: TaskGroupName.Cadence?

        @Option(help: ArgumentHelp("With --schedule: the group's time HH:MM. With --due: the reference time (RFC 3339).", valueName: "time"))
        var at: String?

        @Option(help: ArgumentHelp(
            "Jobs in flight at once: APP/JOB... and --due fire up to N together; a group honours depends_on and priority.",
            valueName: "n"))
        var parallel = 1

        @Flag(help: "Fire what the layers missed: each due fire the layer's evidence shows was not delivered, once.")
        var due = false

        @Option(help: ArgumentHelp("With --due: how far back a fire still counts, from the moment it could be judged (its layer's tolerance and the grace after it), e.g. 30m.", valueName: "duration"))
        var window: DurationArgument = "30m"

        @Option(help: ArgumentHelp("With --due: wait this long beyond the layer's tolerance before calling a fire missed (default per layer: qstash 2m, pg_cron 3m, vercel 5m).", valueName: "duration"))
        var grace: DurationArgument?

        @Flag(help: "With --due: also fire, blind, the jobs whose layer shows nothing rbscron can read.")
        var includeUnobserved = false

        @Flag(help: "With --due: fire every due fire without reading the layers (once per fire time, as before evidence).")
        var blind = false

        @Flag(help: "With --due: list every decision (also the skipped fires); with --json print {\"runs\", \"decisions\"}. With --replay-dead-letters: {\"runs\", \"dead_letters\"}.")
        var explain = false

        @Option(help: ArgumentHelp("With --due: how a missed fire is sent: auto (QStash jobs through QStash, pg_cron jobs through their database, others directly), qstash (Vercel jobs through QStash too) or direct.", valueName: "route"))
        var backfillVia: BackfillRoute?

        @Flag(help: "Replay unresolved dead letters, each once: rbscron's own by calling the job, QStash's through QStash (POST /v2/dlq/retry).")
        var replayDeadLetters = false

        @Flag(help: "With --replay-dead-letters: remove them instead (QStash's from its queue too), within --limit.")
        var discard = false

        @Option(help: ArgumentHelp(
            "Run APP/JOB... through their layer instead of calling the endpoint: pg_cron runs the job's own command once in its database (Vault secret, pg_net), through the Management API.",
            valueName: "layer"))
        var via: Layer?

        @Option(help: ArgumentHelp("With --replay-dead-letters: at most this many.", valueName: "n"))
        var limit = 20

        @Option(help: ArgumentHelp("Send the healthchecks.io ping protocol to this URL: start, then success or fail (e.g. with --due).", valueName: "url"))
        var ping: String?

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
            if let grace { try grace.require("--grace") }
            if !due, grace != nil || includeUnobserved || blind || backfillVia != nil {
                throw ValidationError("--grace, --include-unobserved, --blind and --backfill-via go with --due.")
            }
            if explain, !due, !replayDeadLetters {
                throw ValidationError("--explain goes with --due or --replay-dead-letters.")
            }
            if discard, !replayDeadLetters { throw ValidationError("--discard goes with --replay-dead-letters.") }
            if blind, grace != nil || includeUnobserved {
                throw ValidationError("--blind does not read the layers: --grace and --include-unobserved do not apply.")
            }
            if let retries, !(0...10).contains(retries) { throw ValidationError("--retries must be 0 to 10.") }
            if breakerThreshold < 0 { throw ValidationError("--breaker-threshold must be 0 or more.") }
            if parallel < 1 { throw ValidationError("--parallel must be 1 or more.") }
            if limit < 1 { throw ValidationError("--limit must be 1 or more.") }
            if ping != nil && dryRun { throw ValidationError("--ping does not apply to --dry-run (nothing runs).") }
            try PingOption.validate(ping)
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
                mode = .replayDeadLetters(app: app, limit: limit, discard: discard)
            } else {
                mode = .jobs(try jobs.map(ArgumentValues.jobRef))
            }
            if let via {
                guard via == .pgCron else { throw ValidationError("--via takes pg_cron (the only layer that can run a job's own command now).") }
                guard case .jobs = mode else { throw ValidationError("--via pg_cron goes with APP/JOB….") }
            }
            let options = TriggerOptions(
                timeoutMs: timeout?.milliseconds, retries: retries, body: body.map { Data($0.utf8) }, insecure: insecure,
                force: force, maxAgeMs: maxAge?.milliseconds, backoffBaseMs: backoffBase.milliseconds,
                backoffCapMs: backoffCap.milliseconds, breakerThreshold: breakerThreshold,
                breakerCooldownMs: breakerCooldown.milliseconds)
            let dueOptions = DueOptions(grace: grace?.seconds, includeUnobserved: includeUnobserved, blind: blind, explain: explain,
                                        backfillVia: backfillVia ?? .auto)
            return TriggerRequest(mode: mode, options: options, parallel: parallel, dryRun: dryRun, via: via, due: dueOptions)
        }

        mutating func run() async throws {
            if insecure {
                Output.warn("--insecure: TLS certificates and host names are NOT verified; anyone on the path can read the job's credentials.")
            }
            let style = global.style
            let workspace = try global.workspace()
            // Ctrl-C while requests are in flight: their runs are recorded as interrupted (not failures), then exit 130.
            let interrupt = dryRun ? nil : InterruptHandler {
                do {
                    let count = try workspace.recordInterruption()
                    return "interrupted: \(count) run(s) in flight recorded as interrupted (not a failure of the job; the endpoint may have run)"
                } catch {
                    return "interrupted: the runs in flight could not be recorded: \(error.localizedDescription)"
                }
            }
            defer { interrupt?.remove() }
            let report = try await workspace.pinging(ping, problems: { Output.warn($0) }) {
                try await workspace.trigger(try request(), progress: ProgressDisplay.callback(style: style, json: output.json))
            }
            try Output.emit(report, output, style)
            // A sent request whose outcome could not be stored: the report above is its only record.
            let unrecorded = report.unrecorded.compactMap(\.notRecordedMessage)
            if !unrecorded.isEmpty {
                for message in unrecorded { Output.note("Error: \(message)") }
                throw ExitCode.failure
            }
            if report.failed { throw ExitCode(2) }
        }
    }
}
