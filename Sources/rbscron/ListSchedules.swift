import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron.List {
    struct Schedules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the scheduled jobs by layer, or with --remote what QStash itself holds.",
            discussion: """
                Without --remote: the inventory's vercel, qstash and pg_cron jobs with the id each layer knows \
                them by. With --remote --layer qstash: every schedule in QStash with its last and next fire \
                and the states of the last run's messages.

                Examples:
                  rbscron list schedules
                  rbscron list schedules --layer qstash --app colectiva
                  rbscron list schedules --remote --layer qstash --app colectiva
                  rbscron list schedules --remote --layer qstash --json
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var filterOptions: ListFilterOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Read the layer itself (QStash only).") var remote = false

        func validate() throws {
            if remote && filterOptions.layer != .qstash {
                throw ValidationError("--remote reads QStash; add --layer qstash (vercel.json and pg_cron are compared by `schedule plan`)")
            }
        }

        mutating func run() async throws {
            let context = try LayerContext(global: global)
            let filter = filterOptions.filter
            try filter.validate(against: context.inventory)
            let style = global.style
            if remote {
                let schedules = try await context.qstash().remoteSchedules(app: filterOptions.app)
                if output.json { return try Output.json(schedules) }
                if schedules.isEmpty { return print("QStash holds no schedules\(filterOptions.app.map { " for \($0)" } ?? "")") }
                let rows = schedules.map { s -> [String] in
                    let states = s.lastScheduleStates.values.sorted()
                    let counted = Dictionary(grouping: states, by: { $0 }).map { "\($0.key)×\($0.value.count)" }.sorted()
                    return [s.id, s.job ?? style.dim("foreign"), s.cron, s.paused ? style.yellow("paused") : "active",
                            s.lastScheduleTime.map(Timestamp.rfc3339) ?? "-", s.nextScheduleTime.map(Timestamp.rfc3339) ?? "-",
                            counted.isEmpty ? "-" : counted.joined(separator: " ")]
                }
                return print(Output.table(["ID", "JOB", "CRON", "STATE", "LAST", "NEXT", "LAST STATES"], rows, style: style))
            }
            let jobs = ScheduledJobReport.list(context.inventory, filter: filter)
            if output.json { return try Output.json(jobs) }
            let rows = jobs.map { [$0.layer.rawValue, $0.job, $0.id, $0.schedule, $0.target, $0.enabled ? "yes" : style.yellow("no")] }
            print(Output.table(["LAYER", "JOB", "ID", "SCHEDULE", "TARGET", "ENABLED"], rows, style: style))
        }
    }
}
