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

                Exit codes: 0 all ok, 1 runtime error, 2 a job failed, was denied or its breaker is open, 64 usage.

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

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: ArgumentHelp("The jobs to fire, as APP/JOB.", valueName: "app/job"), completion: InventoryCompletion.jobs)
        var jobs: [String] = []

        @Flag(help: "Print the exact requests (credentials masked); send nothing, record nothing.")
        var dryRun = false

        @Option(help: ArgumentHelp("Bound each attempt (default: the job's timeout), e.g. 30s.", valueName: "duration"))
        var timeout: String?

        @Option(help: ArgumentHelp("Attempts after the first, 0–10 (default: the job's retries).", valueName: "n"))
        var retries: Int?

        @Option(help: ArgumentHelp("The JSON request body.", valueName: "json"))
        var body: String?

        @Flag(help: "Do not verify TLS certificates (only for a host you trust).")
        var insecure = false

        @Flag(help: "Fire even when a job's circuit breaker is open.")
        var force = false

        @Option(help: ArgumentHelp("Do not retry a run older than this since its first attempt, e.g. 5m.", valueName: "duration"))
        var maxAge: String?

        @Option(help: ArgumentHelp("The first retry waits up to this (doubling each time).", valueName: "duration"))
        var backoffBase = "500ms"

        @Option(help: ArgumentHelp("No retry waits longer than this (Retry-After included).", valueName: "duration"))
        var backoffCap = "30s"

        @Option(help: ArgumentHelp("Consecutive failed runs that open a job's circuit breaker (0 turns it off).", valueName: "n"))
        var breakerThreshold = 5

        @Option(help: ArgumentHelp("How long an open breaker skips the job before a probe.", valueName: "duration"))
        var breakerCooldown = "15m"

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

        @Option(help: ArgumentHelp("With --due: how far back a fire still counts.", valueName: "duration"))
        var window = "30m"

        @Flag(help: "Replay unresolved dead letters, each once.")
        var replayDeadLetters = false

        @Option(help: ArgumentHelp("With --replay-dead-letters: at most this many.", valueName: "n"))
        var limit = 20

        enum Mode { case jobs, group, schedule, due, replay }

        var mode: Mode? {
            let modes: [(Bool, Mode)] = [(!jobs.isEmpty, .jobs), (group != nil, .group), (schedule != nil, .schedule),
                                         (due, .due), (replayDeadLetters, .replay)]
            let chosen = modes.filter(\.0)
            return chosen.count == 1 ? chosen[0].1 : nil
        }

        func duration(_ text: String, _ option: String) throws -> Int {
            guard let ms = DurationText.milliseconds(text), ms > 0 else {
                throw ValidationError("\(option) '\(text)' is not a duration; write it like 500ms, 30s, 5m or 2h.")
            }
            return ms
        }

        func validate() throws {
            guard let mode else {
                throw ValidationError("choose one of: APP/JOB…, --group APP/JOB, --app A --schedule …, --due, --replay-dead-letters.")
            }
            for text in jobs + [group].compactMap({ $0 }) where JobRef(text) == nil {
                throw ValidationError("'\(text)' is not a job address; write it as APP/JOB, e.g. camino/daily-dispatcher.")
            }
            if let timeout { _ = try duration(timeout, "--timeout") }
            if let maxAge { _ = try duration(maxAge, "--max-age") }
            _ = try duration(backoffBase, "--backoff-base")
            _ = try duration(backoffCap, "--backoff-cap")
            _ = try duration(breakerCooldown, "--breaker-cooldown")
            _ = try duration(window, "--window")
            if let retries, !(0...10).contains(retries) { throw ValidationError("--retries must be 0 to 10.") }
            if breakerThreshold < 0 { throw ValidationError("--breaker-threshold must be 0 or more.") }
            if parallel < 1 { throw ValidationError("--parallel must be 1 or more.") }
            if limit < 1 { throw ValidationError("--limit must be 1 or more.") }
            if let body, (try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed])) == nil {
                throw ValidationError("--body is not valid JSON.")
            }
            if mode == .schedule, app == nil { throw ValidationError("--schedule needs --app.") }
            if app != nil, ![.schedule, .due, .replay].contains(mode) {
                throw ValidationError("--app goes with --schedule, --due or --replay-dead-letters.")
            }
            if let at {
                switch mode {
                case .schedule:
                    guard TaskGroupName.isTime(at) else { throw ValidationError("--at '\(at)' is not a time HH:MM (e.g. 09:00).") }
                    if schedule == .hourly { throw ValidationError("--at does not apply to hourly groups.") }
                case .due:
                    guard Timestamp.parse(at) != nil else {
                        throw ValidationError("--at '\(at)' is not an RFC 3339 time (e.g. 2026-04-10T14:00:00Z).")
                    }
                default:
                    throw ValidationError("--at goes with --schedule (HH:MM) or --due (RFC 3339).")
                }
            }
            if dryRun, mode == .replay { throw ValidationError("--dry-run does not apply to --replay-dead-letters.") }
        }

        func options(source: RunSource) throws -> TriggerOptions {
            TriggerOptions(
                timeoutMs: try timeout.map { try duration($0, "--timeout") }, retries: retries,
                body: body.map { Data($0.utf8) }, insecure: insecure, force: force,
                maxAgeMs: try maxAge.map { try duration($0, "--max-age") },
                backoffBaseMs: try duration(backoffBase, "--backoff-base"), backoffCapMs: try duration(backoffCap, "--backoff-cap"),
                breakerThreshold: breakerThreshold, breakerCooldownMs: try duration(breakerCooldown, "--breaker-cooldown"),
                source: source)
        }

        mutating func run() async throws {
            guard let mode else { throw ValidationError("choose a mode") }
            let environment = ProcessInfo.processInfo.environment
            let store = try global.openStore()
            let inventory = try store.inventory()
            let secrets = try global.secretProvider(store: store, inventory: inventory)
            let runEnvironment = RunEnvironment()
            let trigger = try JobTrigger(store: store, transport: CurlTransport(userAgent: RBSCronVersion.userAgent),
                                         secrets: secrets, environment: runEnvironment)
            let options = try options(source: RunSource.detect(environment: environment))
            let style = global.style
            if insecure {
                Output.warn("--insecure: TLS certificates and host names are NOT verified; anyone on the path can read the job's credentials.")
            }
            if !dryRun {
                let marked = try store.markAbandonedRuns(isAlive: runEnvironment.isAlive, now: Date())
                if marked > 0 { Output.note("marked \(marked) run(s) left 'started' by a process that is gone as abandoned") }
            }
            let progress = ProgressDisplay.callback(style: style, json: output.json)

            switch mode {
            case .jobs:
                let resolved = try jobs.map { try inventory.resolve($0) }
                if let sqlJob = resolved.first(where: { $0.sql != nil }) { throw TriggerError.sqlJob(sqlJob.ref) }
                if dryRun { return try printDryRun(resolved.map { try trigger.dryRun($0, in: inventory, options: options) }) }
                let reports = try await trigger.fireAll(resolved, in: inventory, options: options, parallel: parallel,
                                                        progress: progress)
                try printRuns(reports, style: style)
                if reports.contains(where: { !$0.succeeded }) { throw ExitCode(2) }

            case .group, .schedule:
                let label: String, groupApp: String, tasks: [Job]
                if let group {
                    let parent = try inventory.resolve(group)
                    tasks = try Orchestrator.children(of: parent.ref, in: inventory)
                    label = "group \(parent.ref)"
                    groupApp = parent.app
                } else {
                    let appName = app ?? ""
                    try InventoryFilter(app: appName).validate(against: inventory)
                    let found = try Orchestrator.scheduled(app: appName, cadence: schedule ?? .hourly, time: at, in: inventory)
                    tasks = found.jobs
                    label = found.name
                    groupApp = appName
                }
                if dryRun {
                    return try printDryRun(tasks.filter { $0.path != nil }.map { try trigger.dryRun($0, in: inventory, options: options) })
                }
                let summary = try await Orchestrator(trigger: trigger).run(
                    tasks, label: label, groupApp: groupApp, parallel: parallel, inventory: inventory,
                    options: options, progress: progress)
                try printSummary(summary, style: style)
                if !summary.success { throw ExitCode(2) }

            case .due:
                let at = at.flatMap(Timestamp.parse) ?? Date()
                let windowMs = try duration(window, "--window")
                if let app { try InventoryFilter(app: app).validate(against: inventory) }
                if dryRun {
                    let fires = DueMode.fires(in: inventory, app: app, at: at, windowMs: windowMs)
                    return try printDryRun(fires.map { try trigger.dryRun($0.job, in: inventory, options: options) })
                }
                let result = try await trigger.fireDue(inventory: inventory, app: app, at: at, windowMs: windowMs,
                                                       options: options, parallel: parallel, progress: progress)
                for claimed in result.alreadyClaimed {
                    Output.note("\(claimed.job.ref): the fire of \(Timestamp.rfc3339(claimed.fireTime)) was already fired; skipped")
                }
                if result.runs.isEmpty && !output.json && result.alreadyClaimed.isEmpty {
                    Output.note("nothing due within \(DurationText.format(milliseconds: windowMs)) before \(Timestamp.rfc3339(at))")
                }
                try printRuns(result.runs, style: style)
                if result.runs.contains(where: { !$0.succeeded }) { throw ExitCode(2) }

            case .replay:
                if let app { try InventoryFilter(app: app).validate(against: inventory) }
                let reports = try await trigger.replayDeadLetters(app: app, limit: limit, inventory: inventory,
                                                                  options: options, progress: progress)
                if reports.isEmpty && !output.json { Output.note("no unresolved dead letters") }
                try printRuns(reports, style: style)
                if reports.contains(where: { !$0.succeeded }) { throw ExitCode(2) }
            }
        }

        // MARK: - Rendering

        func printRuns(_ reports: [RunReport], style: TerminalStyle) throws {
            if output.json { return try Output.json(reports) }
            guard !reports.isEmpty else { return }
            let rows = reports.map { r -> [String] in
                let outcome = r.succeeded ? style.green(r.outcome.rawValue) : style.red(r.outcome.rawValue)
                var detail = r.error ?? r.responseExcerpt.map { Self.firstLine($0) } ?? ""
                if let dead = r.deadLetterID, r.source != .replay { detail += " (dead letter #\(dead))" }
                if r.breakerProbe { detail = "half-open probe; " + detail }
                return [r.job.description, outcome, r.httpStatus.map(String.init) ?? "-", String(r.attempts),
                        "\(Int(r.durationMs.rounded())) ms", r.runID.map { "#\($0)" } ?? "-", detail]
            }
            print(Output.table(["JOB", "OUTCOME", "HTTP", "ATTEMPTS", "DURATION", "RUN", "DETAIL"], rows, style: style))
        }

        func printSummary(_ summary: GroupSummary, style: TerminalStyle) throws {
            if output.json { return try Output.json(summary) }
            let counts = summary.summary
            print("\(summary.schedule): \(counts.succeeded)/\(counts.total) succeeded, \(counts.failed) failed (\(counts.totalDuration) ms total)")
            let rows = summary.results.map { r in
                [r.taskId, r.success ? style.green("ok") : style.red("failed"), "\(r.duration) ms", Self.firstLine(r.message)]
            }
            print(Output.table(["TASK", "RESULT", "DURATION", "MESSAGE"], rows, style: style))
        }

        func printDryRun(_ requests: [DryRunRequest]) throws {
            if output.json { return try Output.json(requests) }
            for (i, request) in requests.enumerated() {
                if i > 0 { print("") }
                print("# \(request.job) (dry run: nothing sent; timeout \(DurationText.format(milliseconds: request.timeoutMs)), retries \(request.retries))")
                if let missing = request.missingSecret {
                    print("# DENIED: no \(missing) for \(request.job.app); the real trigger would send nothing")
                }
                print("\(request.method) \(request.url)")
                for header in request.headers { print("\(header.name): \(header.value)") }
                if let body = request.body { print("\n\(body)") }
            }
        }

        static func firstLine(_ text: String) -> String {
            let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            return line.count > 100 ? String(line.prefix(100)) + "…" : line
        }
    }
}

extension TaskGroupName.Cadence: ExpressibleByArgument {}
