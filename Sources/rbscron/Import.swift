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
            let text: String
            do {
                text = try ManifestSource.read(file)
            } catch {
                throw CLIError("cannot read the manifest '\(file)': \(error.localizedDescription)")
            }
            let summary = try global.workspace().importManifest(text, file: file == "-" ? "<stdin>" : file, dryRun: dryRun)
            try Output.emit(ImportResult(summary: summary, file: file), output, global.style)
        }
    }
}

enum ManifestSource {
    static func read(_ file: String) throws -> String {
        if file == "-" {
            return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIError("the file is not UTF-8 text")
        }
        return text
    }
}

/// An error the command layer words itself.
struct CLIError: Error, LocalizedError {
    var message: String
    init(_ message: String) { self.message = message }
    var errorDescription: String? { message }
}
