import ArgumentParser
import Foundation
import RBSCronKit

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).", valueName: "path"))
    var db: String?

    @Flag(name: .customLong("no-color"), help: "Never colour the output (also: NO_COLOR set in the environment).")
    var noColor = false

    var databasePath: String {
        db ?? StorePaths.defaultDatabasePath(environment: ProcessInfo.processInfo.environment)
    }

    /// Opens the inventory, creating and seeding it on first use.
    func openStore() throws -> InventoryStore {
        try InventoryStore.openSeeded(path: databasePath)
    }

    var style: TerminalStyle { TerminalStyle(noColorFlag: noColor) }

    /// The secrets a command may use: the inventory's (opened with the master key, needed only when
    /// some are stored), then `RBSCRON_SECRET_<APP>_<KEY>` environment variables.
    func secretProvider(store: InventoryStore, inventory: Inventory) throws -> any SecretProvider {
        let environment = ProcessInfo.processInfo.environment
        let fromEnvironment = EnvironmentSecrets.provider(environment: environment, apps: inventory.apps.map(\.name))
        if try store.secretRecords().isEmpty { return fromEnvironment }
        let stored = try store.secrets(box: SecretBox(masterKey: MasterKey.load(environment: environment, createIfMissing: false)))
        return LayeredSecrets(primary: stored, fallback: fromEnvironment)
    }
}

/// `--json` for commands that report.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.")
    var json = false
}

extension Layer: ExpressibleByArgument {}
