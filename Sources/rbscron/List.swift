import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the inventory: apps, jobs, secrets or schedules.",
            discussion: """
                Examples:
                  rbscron list apps
                  rbscron list jobs --app camino
                  rbscron list jobs --layer qstash --json
                  rbscron list secrets --app camino
                  rbscron list schedules --layer pg_cron
                """,
            subcommands: [Apps.self, Jobs.self, Secrets.self, Schedules.self]
        )
    }
}

/// Filters shared by the `list` subcommands.
struct ListFilterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only this app (its slug, e.g. la-hoja).", valueName: "app"), completion: InventoryCompletion.apps)
    var app: String?

    @Option(help: ArgumentHelp("Only this layer: \(Layer.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "layer"))
    var layer: Layer?

    var filter: InventoryFilter { InventoryFilter(app: app, layer: layer) }
}

extension RBSCron.List {
    struct Apps: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the apps.",
            discussion: """
                Examples:
                  rbscron list apps
                  rbscron list apps --layer pg_cron --json
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var filterOptions: ListFilterOptions
        @OptionGroup var output: OutputOptions

        mutating func run() async throws {
            let inventory = try global.openStore().inventory()
            let filter = filterOptions.filter
            try filter.validate(against: inventory)
            let reports = filter.apps(in: inventory).map { app in
                AppReport(app: app, jobCount: inventory.jobs.filter { $0.app == app.name }.count)
            }
            if output.json { return try Output.json(reports) }
            let style = global.style
            let rows = reports.map { r in
                [r.name, r.displayName, r.baseURL, r.platform.rawValue, String(r.jobs),
                 r.supabase == nil ? "-" : "yes", r.active ? style.green("yes") : style.yellow("no")]
            }
            print(Output.table(["APP", "NAME", "BASE URL", "PLATFORM", "JOBS", "SUPABASE", "ACTIVE"], rows, style: style))
        }
    }

    struct Jobs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the jobs with their layer, schedule and auth.",
            discussion: """
                Examples:
                  rbscron list jobs
                  rbscron list jobs --app colectiva
                  rbscron list jobs --layer pg_cron --json | jq '.[].schedule'
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var filterOptions: ListFilterOptions
        @OptionGroup var output: OutputOptions

        mutating func run() async throws {
            let inventory = try global.openStore().inventory()
            let filter = filterOptions.filter
            try filter.validate(against: inventory)
            let jobs = filter.jobs(in: inventory)
            if output.json { return try Output.json(jobs.map(JobReport.init)) }
            let style = global.style
            let rows = jobs.map { job -> [String] in
                var schedule = job.schedule ?? "-"
                if job.schedule != nil, job.timezone != "UTC" { schedule += " (\(job.timezone))" }
                let target = job.path.map { "\(job.method.rawValue) \($0)" } ?? "SQL \(job.sql ?? "")"
                let via = job.triggeredBy.map { "\($0)#\(job.order ?? 0)" } ?? "-"
                return [job.ref.description, job.layer.rawValue, schedule, target, job.auth.rawValue, via,
                        job.enabled ? "yes" : style.yellow("no")]
            }
            print(Output.table(["JOB", "LAYER", "SCHEDULE", "TARGET", "AUTH", "TRIGGERED BY", "ENABLED"], rows, style: style))
        }
    }
}

extension RBSCron.List {
    struct Secrets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List secrets (masked), the jobs that use them, and the jobs that lack one (as `secret list`).",
            discussion: """
                The same report as `rbscron secret list`. --app keeps that app's secrets and the global ones; \
                --layer counts only that layer's jobs in USED BY and in the jobs that would be denied. No value \
                is ever shown: a preview is at most 4 characters and the length, `(locked)` without the master key.

                Examples:
                  rbscron list secrets
                  rbscron list secrets --app colectiva --layer qstash
                  rbscron list secrets --json
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var filterOptions: ListFilterOptions
        @OptionGroup var output: OutputOptions

        mutating func run() async throws {
            try RBSCron.Secret.List.printList(global: global, output: output, filter: filterOptions.filter)
        }
    }
}
