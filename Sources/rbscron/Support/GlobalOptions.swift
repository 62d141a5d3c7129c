import ArgumentParser
import Foundation
import RBSCronKit

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).", valueName: "path"))
    var db: String?

    @Flag(name: .customLong("no-color"), help: "Never colour the output (also: NO_COLOR set in the environment).")
    var noColor = false

    var workspaceOptions: WorkspaceOptions { WorkspaceOptions(databasePath: db) }

    /// The workspace: the inventory (created and seeded on first use), the secrets policy, the transport. Commands
    /// that only read pass `readOnly`, so they work on an inventory they may not write.
    func workspace(readOnly: Bool = false) throws -> Workspace {
        var options = workspaceOptions
        options.readOnly = readOnly
        return try Workspace.open(options)
    }

    var style: TerminalStyle { TerminalStyle(noColorFlag: noColor) }
}

/// `--json` for commands that report.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.")
    var json = false
}
