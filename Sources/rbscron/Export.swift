import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write the inventory's apps and jobs as a YAML manifest.",
            discussion: """
                The manifest imports back to the same inventory. Secrets are never exported.

                Examples:
                  rbscron export > inventory.yaml
                  rbscron export --output inventory.yaml
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output (a link's target keeps its mode).", valueName: "file"))
        var output: String?

        mutating func run() async throws {
            let text = try global.workspace(readOnly: true).exportManifest()
            if let output { try OutputFile.write(text, to: output) } else { print(text, terminator: "") }
        }
    }
}
