import ArgumentParser
import Foundation
import RBSCronKit

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).", valueName: "path"))
    var db: String?

    @Option(help: ArgumentHelp("Colour: auto (on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it), always or never.", valueName: "when"))
    var color: ColorChoice = .auto

    @Flag(name: .customLong("no-color"), help: "Never colour the output (the same as --color never).")
    var noColor = false

    var workspaceOptions: WorkspaceOptions { WorkspaceOptions(databasePath: db) }

    /// The workspace: the inventory (created and seeded on first use), the secrets policy, the transport. Commands
    /// that only read pass `readOnly`, so they work on an inventory they may not write.
    func workspace(readOnly: Bool = false) throws -> Workspace {
        var options = workspaceOptions
        options.readOnly = readOnly
        return try Workspace.open(options)
    }

    var style: TerminalStyle { TerminalStyle(choice: noColor ? .never : color) }

    func validate() throws {
        if noColor && color == .always { throw ValidationError("--no-color and --color always contradict each other; give one") }
    }
}

/// `--color`.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    case auto, always, never
}

/// `--output` / `-o` of the commands that print tables.
enum TableFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Fit the terminal: long cells cut, low-value columns left out first.
    case table
    /// Every column, every cell whole, however wide.
    case wide
}


/// `--json`, `-o` and `--no-headers` for commands that report.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.")
    var json = false

    @Option(name: [.customShort("o"), .customLong("output")],
            help: ArgumentHelp("table: fit the terminal's width (cut cells, leave out minor columns); wide: every column, whole cells. Piped, tables keep their full width.", valueName: "format"))
    var format: TableFormat = .table

    @Flag(help: "Leave out the tables' header lines (for scripts that read a table).")
    var noHeaders = false
}
