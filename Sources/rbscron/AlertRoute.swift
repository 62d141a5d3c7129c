import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron.Alert {
    struct Route: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "route",
            abstract: "Manage where notifications go: generic JSON webhooks and Slack incoming webhooks.",
            discussion: """
                A route's URL is a secret (a Slack webhook URL lets anyone post to the channel): it is sealed in \
                the inventory as the global secret ALERT_ROUTE_<NAME> (NAME upper-cased, - -> _), shown masked, \
                and passes the redactor everywhere. RBSCRON_SECRET_GLOBAL_ALERT_ROUTE_<NAME> in the environment \
                wins over the stored value (a CI run then needs no master key).

                Examples:
                  rbscron alert route add ops --slack -                      # prompts, no echo
                  rbscron alert route add pager --webhook - --from-env PAGER_WEBHOOK_URL --severity critical
                  rbscron alert route add baul-team --slack https://hooks.slack.com/services/... --app baul
                  rbscron alert route list
                  rbscron alert route test ops
                  rbscron alert route rm ops
                """,
            subcommands: [Add.self, List.self, Remove.self, Test.self]
        )
    }
}

extension RBSCron.Alert.Route {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a route: --webhook URL (rbscron's JSON) or --slack URL (Slack's format); - reads the URL like `secret set`.",
            discussion: """
                The URL may be given as `-`: it is then read from standard input (no echo on a terminal), \
                --from-env VAR or --from-file PATH, and stays out of shell history and the process list. Limits \
                combine: a route with --app baul --severity critical takes only Baul's critical incidents. An \
                incident without a layer (an app down) passes --layer only when no --layer is given.

                Examples:
                  rbscron alert route add ops --slack -
                  printf '%s' "$SLACK_WEBHOOK_URL" | rbscron alert route add ops --slack -
                  rbscron alert route add pager --webhook - --from-env PAGER_URL --severity critical
                  rbscron alert route add qstash-watch --webhook https://alerts.example.com/rbscron --layer qstash
                  rbscron alert route add ops --slack - --from-env SLACK_WEBHOOK_URL --replace   # every CI run
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: "The route's name, a slug (e.g. ops-slack).") var name: String

        @Option(help: ArgumentHelp("A generic webhook: rbscron's JSON document is POSTed to this URL (- to read it).", valueName: "url"))
        var webhook: String?

        @Option(help: ArgumentHelp("A Slack incoming webhook URL (- to read it).", valueName: "url"))
        var slack: String?

        @Option(name: .customLong("app"), help: ArgumentHelp("Only this app's incidents (repeat for several).", valueName: "app"),
                completion: InventoryCompletion.apps)
        var apps: [String] = []

        @Option(name: .customLong("layer"), help: ArgumentHelp("Only incidents on this layer (repeat for several).", valueName: "layer"))
        var layers: [Layer] = []

        @Option(name: .customLong("severity"), help: ArgumentHelp("Only incidents of this severity: critical or warning (repeat for both).", valueName: "severity"))
        var severities: [AlertSeverity] = []

        @Flag(help: "Replace a route of that name (its URL and limits; what it was told is kept, so nothing is sent twice).")
        var replace = false

        @OptionGroup var input: SecretInputOptions

        func validate() throws {
            guard (webhook == nil) != (slack == nil) else { throw ValidationError("give one of --webhook URL and --slack URL.") }
            if (webhook ?? slack) != "-", input.fromEnv != nil || input.fromFile != nil {
                throw ValidationError("--from-env and --from-file go with the URL given as - (e.g. --slack - --from-env SLACK_URL).")
            }
            guard Slug.isValid(name) else {
                throw ValidationError("'\(name)' is not a route name; use lowercase letters, digits and single hyphens (e.g. ops-slack).")
            }
        }

        mutating func run() async throws {
            let workspace = try global.workspace()
            let kind: AlertRouteKind = slack != nil ? .slack : .webhook
            var url = webhook ?? slack ?? ""
            if url == "-" { url = try input.read(prompt: "URL of route \(name): ").trimmingCharacters(in: .whitespacesAndNewlines) }
            let added = try workspace.addAlertRoute(name: name, kind: kind, url: url, apps: apps, layers: layers,
                                                    severities: severities, replace: replace)
            try Output.emit(RouteAdded(route: added.route, replaced: added.replaced), output, global.style)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the routes, URLs masked, with what each takes and what was delivered to it.",
            discussion: """
                Examples:
                  rbscron alert route list
                  rbscron alert route list --json
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        mutating func run() async throws {
            try Output.emit(RouteList(routes: try global.workspace().alertRoutes()), output, global.style)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Remove a route, its sealed URL and its notifications (sent or waiting).",
            discussion: """
                Examples:
                  rbscron alert route rm ops
                """
        )

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The route's name.") var name: String

        mutating func run() async throws {
            try global.workspace().removeAlertRoute(name)
            print("removed route \(name)")
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Send one sample message to a route now (recorded nowhere); exit 2 when it is not delivered.",
            discussion: """
                Examples:
                  rbscron alert route test ops
                  rbscron alert route test pager --json
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The route's name.") var name: String

        mutating func run() async throws {
            let delivery = try await global.workspace().testAlertRoute(name)
            try Output.emit(delivery, output, global.style)
            if !delivery.delivered { throw ExitCode(2) }
        }
    }
}
