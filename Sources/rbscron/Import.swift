import ArgumentParser
import Foundation
import RBSCronKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RBSCron {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Replace the inventory's apps and jobs with a YAML manifest.",
            discussion: """
                The whole manifest is validated first (cron fields in each layer's dialect, URLs, time zones, \
                references between jobs); any problem is reported with file, line and field, and nothing is \
                written. Otherwise apps and jobs are replaced in one transaction. Secrets and the history of \
                runs and checks are kept.

                On a terminal the change is shown first and rbscron asks before writing. Without a terminal (CI, \
                a pipe, a manifest read from standard input) an import that removes nothing proceeds, and one \
                that removes apps or jobs needs --yes; without it nothing is written and the exit code is 64. \
                A declined question exits 1.

                Examples:
                  rbscron import examples/dual-cron.yaml --dry-run
                  rbscron import examples/dual-cron.yaml --yes
                  rbscron export > inventory.yaml && $EDITOR inventory.yaml && rbscron import inventory.yaml
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: ArgumentHelp("The manifest to import, or - for standard input.", valueName: "file.yaml"))
        var file: String

        @Flag(help: "Validate and show what would change; write nothing.")
        var dryRun = false

        @Flag(help: "Import without asking, also when apps or jobs would be removed (required for that without a terminal).")
        var yes = false

        /// A question can be asked and answered: the manifest is not on stdin, and stdin and stderr are terminals.
        var canAsk: Bool { file != "-" && isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1 }

        mutating func run() async throws {
            let text: String
            do {
                text = try ManifestSource.read(file)
            } catch {
                throw CLIError("cannot read the manifest '\(file)': \(error.localizedDescription)")
            }
            let workspace = try global.workspace()
            let source = file == "-" ? "<stdin>" : file
            let style = global.style
            if !dryRun && !yes {
                let plan = try workspace.importManifest(text, file: source, dryRun: true)
                try confirm(plan, style: style)
            }
            let summary = try workspace.importManifest(text, file: source, dryRun: dryRun)
            try Output.emit(ImportResult(summary: summary, file: file), output, style)
        }

        /// Asks on a terminal before a change; without one, refuses an import that removes apps or jobs (exit 64).
        func confirm(_ plan: ImportSummary, style: TerminalStyle) throws {
            if canAsk {
                Output.note(ImportResult(summary: plan, file: file).human(style) ?? "")
                FileHandle.standardError.write(Data("Replace the inventory's apps and jobs with \(file)? [y/N] ".utf8))
                let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
                guard answer == "y" || answer == "yes" else {
                    Output.note("import cancelled: nothing was changed.")
                    throw ExitCode(1)
                }
            } else if plan.removesSomething {
                Output.note("""
                    Error: this import would remove \(ImportResult.removals(plan)). Without a terminal to ask on, an \
                    import that removes apps or jobs needs --yes; nothing was imported. Run it with --dry-run to see \
                    every change, then again with --yes.
                    """)
                throw ExitCode(64)
            }
        }
    }
}

enum ManifestSource {
    /// The manifest's text, read up to the size rbscron accepts (more is refused before it is parsed).
    static func read(_ file: String) throws -> String {
        do {
            return try InputFile.text(file, limit: Manifest.Limits.maximumBytes)
        } catch {
            let shown = file == "-" ? "standard input" : file
            switch error {
            case .unreadable(_, let reason):
                throw CLIError("cannot read the manifest '\(shown)': \(reason). Check the path and its permissions.")
            case .isFolder:
                throw CLIError("the manifest '\(shown)' is a folder; name the manifest file.")
            case .tooLarge(_, let limit):
                throw CLIError("the manifest '\(shown)' is larger than \(limit >> 20) MiB, the most rbscron reads; nothing "
                               + "was imported. Check that it is the right file.")
            case .notUTF8:
                throw CLIError("the manifest '\(shown)' is not UTF-8 text; save it as UTF-8 and import it again.")
            }
        }
    }
}

/// An error the command layer words itself.
struct CLIError: Error, LocalizedError {
    var message: String
    init(_ message: String) { self.message = message }
    var errorDescription: String? { message }
}
