import ArgumentParser
import Foundation
import RBSCronKit

/// What `schedule plan` and `schedule apply` share: the layer, the app and each layer's file options.
struct LayerSyncOptions: ParsableArguments {
    @Option(name: .customLong("layer"), help: ArgumentHelp("The layer to compare with or change.", valueName: "layer"))
    var schedulerLayer: SchedulerLayer

    var layer: Layer { schedulerLayer.layer }

    @Option(help: ArgumentHelp("Only this app (required for vercel and pg_cron).", valueName: "app"), completion: InventoryCompletion.apps)
    var app: String?

    @Option(name: .customLong("vercel-json"), help: ArgumentHelp("The app's vercel.json (vercel layer; default ./vercel.json).", valueName: "path"))
    var vercelJSON: String?

    @Option(help: ArgumentHelp("Where apply writes the pg_cron migration (default supabase/migrations).", valueName: "dir"))
    var out: String?

    @Flag(name: .customLong("prune-foreign"), help: "QStash: also delete schedules rbscron did not make (no rbs- prefix) that do no inventory job's work.")
    var pruneForeign = false

    /// The request for the layer.
    var request: LayerRequest {
        LayerRequest(app: app, vercelJSON: vercelJSON, migrationsDirectory: out, pruneForeign: pruneForeign)
    }

    func validate() throws {
        switch layer {
        case .manual, .fanout:
            throw ValidationError("the \(layer.rawValue) layer has no scheduler to sync; use qstash, vercel or pg_cron")
        case .vercel, .pgCron:
            if app == nil { throw ValidationError("--layer \(layer.rawValue) needs --app APP (one vercel.json or database per app)") }
        case .qstash:
            break
        }
        if vercelJSON != nil && layer != .vercel { throw ValidationError("--vercel-json is for --layer vercel") }
        if out != nil && layer != .pgCron { throw ValidationError("--out is for --layer pg_cron") }
        if pruneForeign && layer != .qstash { throw ValidationError("--prune-foreign is for --layer qstash") }
    }
}

extension RBSCron.Schedule {
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Compare the inventory with what a layer holds: create, update, delete, unchanged.",
            discussion: """
                qstash: reads the schedules from QStash (the app's QSTASH_TOKEN, else the global one; QSTASH_URL \
                overrides https://qstash.upstash.io) and compares them by id rbs-<app>-<job>: cron (with CRON_TZ= \
                for a job not meant in UTC), destination, method, retries, timeout and forwarded headers (values \
                never shown). vercel: compares --vercel-json in the app's vercel_mode: the crons array (matched by \
                path) or the schedules object (matched by name: schedule, timezone, jitter, path, requestMethod). \
                pg_cron: prints the migration's SQL and the job names it schedules, and reads the database's cron.job (the \
                project's SUPABASE_ACCESS_TOKEN; SUPABASE_API_URL overrides Supabase's API) for jobs made outside rbscron.

                Entries rbscron did not make that do a job's work are planned as adopt, with both schedules: a QStash \
                schedule calling the job's URL with its method (as register-qstash-schedules.mjs made them), a \
                pg_cron job whose command calls the job's path (net.http_post, an invoke_cron_endpoint-style \
                function) or is the copied keep-alive migration's SELECT keep_alive() / cleanup_cron_history(). \
                `schedule apply --adopt` replaces them. A pg_cron command holding a literal bearer or an \
                inventory secret's value is a critical issue, and stays one after its adoption until that secret \
                is rotated. --exit-code exits 2 when there is drift, a critical issue, or the layer would refuse the jobs.

                Examples:
                  rbscron schedule plan --layer qstash
                  rbscron schedule plan --layer qstash --app colectiva --json
                  rbscron schedule plan --layer qstash --exit-code     # CI drift check
                  rbscron schedule plan --layer vercel --app constanza --vercel-json ../constanza/vercel.json
                  rbscron schedule plan --layer pg_cron --app camino
                  rbscron schedule plan --layer pg_cron --app camino --json | jq '.items[] | select(.action == "adopt")'
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: LayerSyncOptions
        @OptionGroup var output: OutputOptions
        @Flag(name: .customLong("exit-code"), help: "Exit 2 when applying would change something, or on a critical issue.")
        var exitCode = false

        mutating func run() async throws {
            let plan = try await global.workspace().plan(options.layer, options.request)
            try Output.emit(plan, output, global.style)
            if exitCode && (plan.hasDrift || plan.hasErrors || plan.hasCritical) { throw ExitCode(2) }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Make a layer match the inventory (QStash upserts, vercel.json crons, a pg_cron migration file).",
            discussion: """
                qstash: creates and updates with idempotent upserts (fixed ids rbs-<app>-<job>) and deletes only \
                rbscron's own schedules (rbs- prefix) that left the inventory, unless --prune-foreign. Applying \
                twice changes nothing the second time. vercel: rewrites only the crons array (crons mode) or the \
                schedules object (schedules mode, see `schedule migrate`) of --vercel-json and drops the other \
                mode's path entries, keeping every other key and its formatting; refuses what Vercel would refuse. \
                pg_cron: writes the \
                migration into --out (default supabase/migrations) and prints its path.

                Adopting: when the layer holds entries rbscron did not make that do a job's work (see `schedule \
                plan`), apply refuses without --adopt, since rbscron's entry beside them would fire the job twice. \
                --adopt lists them and asks on a terminal (elsewhere it needs --yes), then replaces each in one \
                step: QStash creates rbscron's schedule and deletes the foreign one, away from a fire of the cron \
                (it waits for one due within 5 s), and checks the next fire QStash reports so none is doubled or \
                lost; the pg_cron migration unschedules the foreign jobs by name in the statement that schedules \
                rbscron's (and first checks Vault holds the app's URL and secret). A replaced pg_cron job whose \
                command held a credential prints the rotation steps; `schedule plan` and `audit` report it as \
                critical until the secret is rotated. --prune-foreign still deletes only entries that do no job's \
                work.

                Exit codes: 0 applied, 1 runtime error (or adopt items without --adopt; nothing changed), 64 usage \
                (--adopt without --yes and no terminal).

                Examples:
                  rbscron schedule apply --layer qstash --app colectiva
                  rbscron schedule apply --layer qstash --dry-run
                  rbscron schedule apply --layer qstash --app colectiva --prune-foreign
                  rbscron schedule apply --layer vercel --app baul --vercel-json ../baul/vercel.json
                  rbscron schedule apply --layer pg_cron --app camino --out ../camino/supabase/migrations
                  rbscron schedule apply --layer qstash --app colectiva --adopt
                  rbscron schedule apply --layer pg_cron --app camino --adopt --yes
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: LayerSyncOptions
        @OptionGroup var output: OutputOptions
        @Flag(name: .customLong("dry-run"), help: "Show what would change; change nothing.")
        var dryRun = false

        @Flag(help: "Replace the entries rbscron did not make that do a job's work (adopt items) with rbscron's.")
        var adopt = false

        @Flag(help: "Adopt without asking (required with --adopt when stdin or stderr is not a terminal).")
        var yes = false

        func validate() throws {
            if yes && !adopt { throw ValidationError("--yes is for --adopt") }
            if adopt && !dryRun && !yes && !RBSCron.Audit.canAsk {
                throw ValidationError("""
                    --adopt replaces entries rbscron did not make, so it asks first; stdin or stderr is not a terminal. \
                    Pass --yes to adopt, or --dry-run to see what would be replaced.
                    """)
            }
        }

        mutating func run() async throws {
            var request = options.request
            request.adopt = adopt
            let yes = self.yes
            let report = try await global.workspace().apply(options.layer, request, dryRun: dryRun, confirm: { plan in
                Output.note(PlanRenderer.adoptions(plan))
                if yes { return true }
                let count = plan.count(.adopt)
                FileHandle.standardError.write(Data("Replace the foreign entries of these \(count) job\(count == 1 ? "" : "s")? [y/N] ".utf8))
                let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
                return answer == "y" || answer == "yes"
            })
            try Output.emit(report, output, global.style)
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pause",
            abstract: "Pause the QStash schedule of a qstash job (it stops firing until resumed).",
            discussion: """
                `schedule plan` shows a paused schedule as a note, not as drift; `schedule apply` keeps it paused.

                Examples:
                  rbscron schedule pause colectiva/daily-brain
                """
        )

        @OptionGroup var target: PauseTarget

        mutating func run() async throws { try await target.setPaused(true) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resume",
            abstract: "Resume the paused QStash schedule of a qstash job.",
            discussion: """
                Examples:
                  rbscron schedule resume colectiva/daily-brain
                """
        )

        @OptionGroup var target: PauseTarget

        mutating func run() async throws { try await target.setPaused(false) }
    }
}

/// The job `schedule pause` and `schedule resume` act on.
struct PauseTarget: ParsableArguments {
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The job, APP/JOB.", valueName: "app/job"), completion: InventoryCompletion.jobs) var job: String

    func validate() throws {
        _ = try ArgumentValues.jobRef(job)
    }

    func setPaused(_ paused: Bool) async throws {
        let ref = try ArgumentValues.jobRef(job)
        let id = try await global.workspace().setPaused(ref, paused: paused)
        print("\(paused ? "paused" : "resumed") \(id) (\(ref))")
    }
}
