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
            // Validate before touching the inventory file at all.
            let inventory = try Manifest.load(yaml: text, file: file == "-" ? "<stdin>" : file)
            let summary = try global.openStore().replaceInventory(with: inventory, dryRun: dryRun)
            if output.json { return try Output.json(ImportReport(summary: summary)) }
            let verb = dryRun ? "would import" : "imported"
            print("\(verb) \(summary.apps) apps and \(summary.jobs) jobs from \(file)")
            for (label, items) in [("apps added", summary.appsAdded), ("apps removed", summary.appsRemoved),
                                   ("jobs added", summary.jobsAdded), ("jobs removed", summary.jobsRemoved),
                                   ("jobs changed", summary.jobsChanged)] where !items.isEmpty {
                let shown = items.prefix(8).joined(separator: ", ")
                print("  \(label) (\(items.count)): \(shown)\(items.count > 8 ? ", … (--json lists all)" : "")")
            }
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

/// The `import --json` shape.
struct ImportReport: Encodable {
    var summary: ImportSummary

    enum CodingKeys: String, CodingKey {
        case apps, jobs, appsAdded = "apps_added", appsRemoved = "apps_removed", jobsAdded = "jobs_added",
             jobsRemoved = "jobs_removed", jobsChanged = "jobs_changed", dryRun = "dry_run"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(summary.apps, forKey: .apps)
        try c.encode(summary.jobs, forKey: .jobs)
        try c.encode(summary.appsAdded, forKey: .appsAdded)
        try c.encode(summary.appsRemoved, forKey: .appsRemoved)
        try c.encode(summary.jobsAdded, forKey: .jobsAdded)
        try c.encode(summary.jobsRemoved, forKey: .jobsRemoved)
        try c.encode(summary.jobsChanged, forKey: .jobsChanged)
        try c.encode(summary.dryRun, forKey: .dryRun)
    }
}

/// An error the command layer words itself.
struct CLIError: Error, LocalizedError {
    var message: String
    init(_ message: String) { self.message = message }
    var errorDescription: String? { message }
}
