import ArgumentParser
import Foundation
import RBSCronKit

/// What `schedule plan` and `schedule apply` share: the layer, the app and each layer's file options.
struct LayerSyncOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The layer: qstash, vercel or pg_cron.", valueName: "layer"))
    var layer: Layer

    @Option(help: ArgumentHelp("Only this app (required for vercel and pg_cron).", valueName: "app"), completion: InventoryCompletion.apps)
    var app: String?

    @Option(name: .customLong("vercel-json"), help: ArgumentHelp("The app's vercel.json (vercel layer; default ./vercel.json).", valueName: "path"))
    var vercelJSON: String?

    @Option(help: ArgumentHelp("Where apply writes the pg_cron migration (default supabase/migrations).", valueName: "dir"))
    var out: String?

    @Flag(name: .customLong("prune-foreign"), help: "QStash: also delete schedules rbscron did not make (no rbs- prefix).")
    var pruneForeign = false

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

/// Opens the inventory and, for QStash, the secrets and the transport.
struct LayerContext {
    let store: InventoryStore
    let inventory: Inventory

    let global: GlobalOptions

    init(global: GlobalOptions) throws {
        self.global = global
        store = try global.openStore()
        inventory = try store.inventory()
    }

    func app(_ name: String?) throws -> App {
        let name = name ?? ""
        try InventoryFilter(app: name).validate(against: inventory)
        guard let app = inventory.app(named: name) else { throw InventoryQueryError.unknownApp(name, suggestion: nil) }
        return app
    }

    /// The secrets; with none stored, no key file is needed (a missing token is then reported as such).
    func secrets() throws -> any SecretProvider {
        try global.secretProvider(store: store, inventory: inventory)
    }

    func qstash() throws -> QStashSync {
        QStashSync(inventory: inventory, secrets: try secrets(), transport: CurlTransport(userAgent: RBSCronVersion.userAgent),
                   baseURL: try QStashClient.baseURL(environment: ProcessInfo.processInfo.environment))
    }
}

enum PlanRenderer {
    static func print(_ plan: LayerPlan, style: TerminalStyle, showSQL: Bool = true) {
        if plan.layer == .pgCron, showSQL, let sql = plan.sql {
            Swift.print(sql)
        }
        if plan.items.isEmpty {
            Swift.print("no \(plan.layer.rawValue) schedules in the inventory\(plan.app.map { " for \($0)" } ?? "") or in the layer")
        } else {
            let rows = plan.items.map { item -> [String] in
                [paint(item.action, style), item.id, item.job ?? "-", item.schedule ?? "-", item.target ?? "-"]
            }
            var lines = [Output.table(["ACTION", "ID", "JOB", "SCHEDULE", "TARGET"], rows, style: style)]
            for item in plan.items where !item.changes.isEmpty || (item.note != nil && item.action != .unchanged) {
                lines.append("\(item.id):")
                for change in item.changes {
                    lines.append("    \(change.field): \(change.from ?? "(none)") → \(change.to ?? "(none)")")
                }
                if let note = item.note { lines.append("    \(style.dim(note))") }
            }
            Swift.print(lines.joined(separator: "\n"))
        }
        for issue in plan.issues {
            let label = issue.severity == .error ? style.red("error") : style.yellow("warning")
            Swift.print("\(label): \(issue.job.map { "\($0): " } ?? "")\(issue.message)")
        }
        let summary = "\(plan.count(.create)) to create, \(plan.count(.update)) to update, \(plan.count(.delete)) to delete, "
            + "\(plan.count(.unchanged)) unchanged" + (plan.count(.ignored) > 0 ? ", \(plan.count(.ignored)) ignored" : "")
        Swift.print("\nplan: \(summary)\(plan.file.map { " (\($0))" } ?? "")")
    }

    static func paint(_ action: PlanAction, _ style: TerminalStyle) -> String {
        switch action {
        case .create: return style.green("create")
        case .update: return style.yellow("update")
        case .delete: return style.red("delete")
        case .unchanged: return style.dim("unchanged")
        case .ignored: return style.dim("ignored")
        }
    }
}

extension RBSCron.Schedule {
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the inventory with what a layer holds: create, update, delete, unchanged.",
            discussion: """
                qstash: reads the schedules from QStash (the app's QSTASH_TOKEN, else the global one; QSTASH_URL \
                overrides https://qstash.upstash.io) and compares them by id rbs-<app>-<job>: cron (with CRON_TZ= \
                for a job not meant in UTC), destination, method, retries, timeout and forwarded headers (values \
                never shown). vercel: compares the crons array of --vercel-json. pg_cron: prints the migration's SQL \
                and the job names it schedules. --exit-code exits 2 when there is drift (or the layer would refuse the jobs).

                Examples:
                  rbscron schedule plan --layer qstash
                  rbscron schedule plan --layer qstash --app colectiva --json
                  rbscron schedule plan --layer qstash --exit-code     # CI drift check
                  rbscron schedule plan --layer vercel --app constanza --vercel-json ../constanza/vercel.json
                  rbscron schedule plan --layer pg_cron --app camino
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: LayerSyncOptions
        @OptionGroup var output: OutputOptions
        @Flag(name: .customLong("exit-code"), help: "Exit 2 when applying would change something.")
        var exitCode = false

        mutating func run() async throws {
            let context = try LayerContext(global: global)
            let plan: LayerPlan
            switch options.layer {
            case .qstash:
                plan = try await context.qstash().plan(app: options.app, pruneForeign: options.pruneForeign)
            case .vercel:
                let app = try context.app(options.app)
                let path = options.vercelJSON ?? "vercel.json"
                let text: String?
                if FileManager.default.fileExists(atPath: path) {
                    do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                        throw CLIError("cannot read '\(path)': \(error.localizedDescription)")
                    }
                } else {
                    text = nil
                }
                plan = try VercelCrons.plan(app: app, jobs: context.inventory.jobs, text: text, file: path)
            default:
                let app = try context.app(options.app)
                plan = try PgCronSync.plan(app: app, jobs: context.inventory.jobs,
                                           directory: options.out ?? PgCronSync.defaultDirectory, now: Date())
            }
            if output.json { try Output.json(plan) } else { PlanRenderer.print(plan, style: global.style) }
            if exitCode && (plan.hasDrift || plan.hasErrors) { throw ExitCode(2) }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a layer match the inventory (QStash upserts, vercel.json crons, a pg_cron migration file).",
            discussion: """
                qstash: creates and updates with idempotent upserts (fixed ids rbs-<app>-<job>) and deletes only \
                rbscron's own schedules (rbs- prefix) that left the inventory, unless --prune-foreign. Applying \
                twice changes nothing the second time. vercel: rewrites only the crons array of --vercel-json, \
                keeping every other key and its formatting; refuses what Vercel would refuse. pg_cron: writes the \
                migration into --out (default supabase/migrations) and prints its path.

                Examples:
                  rbscron schedule apply --layer qstash --app colectiva
                  rbscron schedule apply --layer qstash --dry-run
                  rbscron schedule apply --layer qstash --app colectiva --prune-foreign
                  rbscron schedule apply --layer vercel --app baul --vercel-json ../baul/vercel.json
                  rbscron schedule apply --layer pg_cron --app camino --out ../camino/supabase/migrations
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: LayerSyncOptions
        @OptionGroup var output: OutputOptions
        @Flag(name: .customLong("dry-run"), help: "Show what would change; change nothing.")
        var dryRun = false

        mutating func run() async throws {
            let context = try LayerContext(global: global)
            let report: LayerApplyReport
            switch options.layer {
            case .qstash:
                report = try await context.qstash().apply(app: options.app, pruneForeign: options.pruneForeign, dryRun: dryRun)
            case .vercel:
                report = try VercelCrons.apply(app: try context.app(options.app), jobs: context.inventory.jobs,
                                               path: options.vercelJSON ?? "vercel.json", dryRun: dryRun)
            default:
                report = try PgCronSync.apply(app: try context.app(options.app), jobs: context.inventory.jobs,
                                              directory: options.out ?? PgCronSync.defaultDirectory, now: Date(), dryRun: dryRun)
            }
            if output.json { return try Output.json(report) }
            let style = global.style
            PlanRenderer.print(report.plan, style: style, showSQL: false)
            let verb = dryRun ? "would" : "did"
            if options.layer == .pgCron {
                print(dryRun ? "would write \(report.plan.file ?? "")" : "wrote \(report.written ?? "")")
                if !dryRun { print("apply it with: supabase db push (or psql -f \(report.written ?? ""))") }
                return
            }
            if !report.plan.hasDrift {
                print("nothing to change")
            } else {
                print("\(verb): \(report.created.count) created, \(report.updated.count) updated, \(report.deleted.count) deleted"
                      + (report.written.map { " (wrote \($0))" } ?? ""))
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
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
        guard JobRef(job) != nil else { throw ValidationError("'\(job)' is not APP/JOB (e.g. colectiva/daily-brain)") }
    }

    func setPaused(_ paused: Bool) async throws {
        let context = try LayerContext(global: global)
        let ref = try context.inventory.resolve(job).ref
        let id = try await context.qstash().setPaused(ref, paused: paused)
        print("\(paused ? "paused" : "resumed") \(id) (\(ref))")
    }
}
