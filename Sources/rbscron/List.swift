import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
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

    @Option(help: ArgumentHelp("Only this layer's jobs.", valueName: "layer"))
    var layer: Layer?

    var filter: InventoryFilter { InventoryFilter(app: app, layer: layer) }
}

extension RBSCron.List {
    struct Apps: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apps",
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
            try Output.emit(AppListing(apps: try global.workspace(readOnly: true).apps(filterOptions.filter)), output, global.style)
        }
    }

    struct Jobs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "jobs",
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
            try Output.emit(JobListing(jobs: try global.workspace(readOnly: true).jobs(filterOptions.filter)), output, global.style)
        }
    }
}

extension RBSCron.List {
    struct Secrets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "secrets",
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
            try Output.emit(try global.workspace(readOnly: true).secretList(filterOptions.filter), output, global.style)
        }
    }
}
