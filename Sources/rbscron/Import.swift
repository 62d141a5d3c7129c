import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the inventory's apps and jobs with a YAML manifest.",
            discussion: """
                The whole manifest is validated first (cron fields in each layer's dialect, URLs, time zones, \
                references between jobs); any problem is reported with file, line and field, and nothing is \
                written. Otherwise apps and jobs are replaced in one transaction. Secrets and the history of \
                runs and checks are kept.

                Examples:
                  rbscron import examples/dual-cron.yaml
                  rbscron import inventory.yaml --dry-run
                  rbscron export > inventory.yaml && $EDITOR inventory.yaml && rbscron import inventory.yaml
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: ArgumentHelp("The manifest to import, or - for standard input.", valueName: "file.yaml"))
        var file: String

        @Flag(help: "Validate and show what would change; write nothing.")
        var dryRun = false

        mutating func run() async throws {
            let text = try ManifestSource.read(file)
            let summary = try global.workspace().importManifest(text, file: file == "-" ? "<stdin>" : file, dryRun: dryRun)
            try Output.emit(ImportResult(summary: summary, file: file), output, global.style)
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
