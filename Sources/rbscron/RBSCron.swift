import ArgumentParser
import Foundation
import RBSCronKit

@main
struct RBSCron: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rbscron",
        abstract: "Operate the scheduled jobs of the RBS ecosystem: Vercel Cron, Upstash QStash and Supabase pg_cron.",
        discussion: """
            rbscron keeps a local inventory (one SQLite file) of the apps, their cron endpoints and their \
            secrets. On first use it is seeded with the RBS ecosystem, so every command works at once.

            Exit codes: 0 success, 1 runtime error, 2 a check failed, 64 usage error.

            Examples:
              rbscron list jobs --app camino
              rbscron export > ecosystem.yaml && rbscron import ecosystem.yaml
            """,
        version: RBSCronVersion.current,
        subcommands: [List.self, Import.self, Export.self, Schedule.self, Trigger.self, HealthCheck.self, Keepalive.self, Stats.self, Cleanup.self, Secret.self, Audit.self, Alert.self, Completion.self]
    )

    @OptionGroup var global: GlobalOptions

    /// ArgumentParser's own entry point, with two differences: a mistyped command gets the closest one named and a
    /// single-valued option given twice is refused (exit 64), before parsing; and an error's message reaches the
    /// terminal with its control characters written visibly (it may quote a manifest value or a server's answer).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let problem = CommandSuggestion.problem(in: arguments, root: RBSCron.self)
            ?? CommandSuggestion.repeatedOption(in: arguments) {
            FileHandle.standardError.write(Data(problem.utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == .success {
                    print(message)
                } else {
                    FileHandle.standardError.write(Data((Output.safe(message) + "\n").utf8))
                }
            }
            Foundation.exit(code.rawValue)
        }
    }

    /// With no subcommand: where the inventory is, what it holds, what to try next.
    mutating func run() async throws {
        let workspace = try global.workspace(readOnly: true)
        let counts = try workspace.counts()
        print("""
            rbscron \(RBSCronVersion.current): inventory \(workspace.store.path)
              \(counts.apps) apps, \(counts.jobs) jobs, \(counts.secrets) secrets

            Try:
              rbscron schedule check            every job against its layer's rules
              rbscron list jobs --app camino    one app's jobs and schedules
              rbscron health-check              is every app up, and who loses jobs if not
              rbscron stats                     success rates, streaks and missed fires
              rbscron audit --dry-run           which endpoints must refuse callers without the secret
              rbscron --help                    every command
            """)
    }
}
