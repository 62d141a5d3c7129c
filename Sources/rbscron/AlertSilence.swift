import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron.Alert {
    struct Silence: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "silence",
            abstract: "Hold notifications about an app or a job back for a while; list and end silences.",
            discussion: """
                A silenced incident still opens and resolves, and `alert list` shows it with its silence; it sends \
                no `open` and no reminder, and does not make `alert check` exit 2. When the silence ends and the \
                incident is still open, the routes hear of it then. A route already told of an incident still \
                hears when it resolves. For recurring quiet hours, use maintenance windows in the manifest.

                Examples:
                  rbscron alert silence camino/daily-dispatcher --for 2h --reason "deploying"
                  rbscron alert silence baul --for 1d
                  rbscron alert silence list
                  rbscron alert silence rm 3
                """,
            subcommands: [Add.self, List.self, Remove.self],
            defaultSubcommand: Add.self
        )
    }
}

extension RBSCron.Alert.Silence {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Silence an app (all its incidents) or one job for --for.",
            discussion: """
                Examples:
                  rbscron alert silence add camino/daily-dispatcher --for 2h --reason "deploying"
                  rbscron alert silence colectiva --for 30m
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: ArgumentHelp("The app, or one job as APP/JOB.", valueName: "app[/job]"), completion: InventoryCompletion.jobs)
        var target: String

        @Option(name: .customLong("for"), help: ArgumentHelp("How long, e.g. 30m, 2h or 1d (at most 30d).", valueName: "duration"))
        var duration: DurationArgument

        @Option(help: ArgumentHelp("Why, for whoever reads `alert list`.", valueName: "text"))
        var reason = ""

        func validate() throws {
            try duration.require("--for", atMost: 30 * 86_400_000)
            if JobRef(target) == nil && !Slug.isValid(target) {
                throw ValidationError("'\(target)' is not an app or a job address; write APP or APP/JOB, e.g. camino/daily-dispatcher.")
            }
        }

        mutating func run() async throws {
            let silence = try global.workspace().silence(target, for: duration.seconds, reason: reason)
            try Output.emit(SilenceList(silences: [silence], verb: "silenced"), output, global.style)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the silences in force.",
            discussion: """
                Examples:
                  rbscron alert silence list --json
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        mutating func run() async throws {
            try Output.emit(SilenceList(silences: try global.workspace().silences(), verb: nil), output, global.style)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "End a silence now: by its id, or every one in force on exactly APP or APP/JOB.",
            discussion: """
                Examples:
                  rbscron alert silence rm 3
                  rbscron alert silence rm camino/daily-dispatcher
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: ArgumentHelp("A silence's id, or APP or APP/JOB.", valueName: "id|app[/job]")) var what: String

        mutating func run() async throws {
            try Output.emit(SilenceList(silences: try global.workspace().endSilences(what), verb: "ended"), output, global.style)
        }
    }
}
