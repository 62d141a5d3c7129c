import ArgumentParser

extension RBSCron {
    struct Schedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep the scheduler layers (QStash, vercel.json, pg_cron) in line with the inventory.",
            subcommands: [Plan.self, Apply.self, Pause.self, Resume.self]
        )
    }
}
