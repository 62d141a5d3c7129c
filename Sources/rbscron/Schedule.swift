import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct Schedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fire times, the timeline, checks against each layer's rules, and keeping the layers in sync.",
            discussion: """
                Examples:
                  rbscron schedule next '0 14 * * *' --tz America/Mexico_City
                  rbscron schedule next camino/voice-outbound
                  rbscron schedule timeline --hours 24 --tz America/Mexico_City
                  rbscron schedule check --exit-code
                  rbscron schedule plan --layer qstash --exit-code
                  rbscron schedule apply --layer vercel --app baul --vercel-json ../baul/vercel.json
                """,
            subcommands: [Next.self, Timeline.self, Check.self, Plan.self, Apply.self, Pause.self, Resume.self]
        )
    }
}

// MARK: - next

extension RBSCron.Schedule {
    struct Next: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The next fire times of a cron expression, or of a job of the inventory.",
            discussion: """
                EXPR is a cron expression in quotes, read in --dialect (Vercel always fires in UTC; a QStash \
                'CRON_TZ=Zone' prefix wins over --tz). APP/JOB shows a job's fires in its own dialect and \
                time zone; a fan-out child fires when its parent does. Times are shown in UTC and in --tz \
                (for a job, its own zone by default).

                Examples:
                  rbscron schedule next '0 14 * * *' --from 2026-03-08T00:00:00Z --count 3
                  rbscron schedule next '*/15 9-18 * * 1-6' --tz America/Mexico_City
                  rbscron schedule next 'CRON_TZ=Europe/Madrid 0 9 * * 1' --dialect qstash --json
                  rbscron schedule next camino/voice-outbound --count 10
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: ArgumentHelp("A cron expression (quote it) or a job address APP/JOB.", valueName: "expr|app/job"), completion: InventoryCompletion.jobs)
        var expression: String

        @Option(help: ArgumentHelp("Fires strictly after this RFC 3339 time (default: now).", valueName: "time"))
        var from: String?

        @Option(help: ArgumentHelp("How many fires, 1–\(ScheduleReports.maximumCount).", valueName: "n"))
        var count = 5

        @Option(help: ArgumentHelp("The IANA zone the expression is meant in, and in which times are shown (default: UTC, or the job's zone).", valueName: "zone"))
        var tz: String?

        @Option(help: ArgumentHelp("The expression's syntax: \(CronDialect.allCases.map(\.rawValue).joined(separator: ", ")) (default: vixie).", valueName: "dialect"))
        var dialect: CronDialect?

        var isJobAddress: Bool { JobRef(expression) != nil }

        func validate() throws {
            guard (1...ScheduleReports.maximumCount).contains(count) else {
                throw ValidationError("--count must be from 1 to \(ScheduleReports.maximumCount), not \(count)")
            }
            _ = try ArgumentValues.zone(tz)
            _ = try ArgumentValues.instant(from)
            if isJobAddress, let dialect {
                throw ValidationError("--dialect \(dialect.rawValue) does not apply to a job: \(expression) is read in its layer's dialect")
            }
            if !isJobAddress {
                // A malformed expression is a usage error: report it with this command's usage.
                do {
                    _ = try CronSchedule.parse(expression, dialect: dialect ?? .vixie)
                } catch {
                    throw ValidationError(error.localizedDescription)
                }
            }
        }

        mutating func run() async throws {
            let subject: NextFiresRequest.Subject
            if let ref = JobRef(expression) {
                subject = .job(ref)
            } else {
                subject = .expression(expression, dialect: dialect ?? .vixie)
            }
            let request = NextFiresRequest(subject: subject, from: try ArgumentValues.instant(from) ?? Date(), count: count,
                                           zone: try ArgumentValues.zone(tz))
            let result: NextFiresResult
            do {
                result = try global.workspace(readOnly: true).nextFires(request)
            } catch let error as CronError {
                throw ValidationError(error.localizedDescription)
            }
            try Output.emit(result, output, global.style)
        }
    }
}

// MARK: - timeline

extension RBSCron.Schedule {
    struct Timeline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every fire across the inventory in a window, with bursts and a per-app heat strip.",
            discussion: """
                Fan-out children are listed at their parent's fire. A burst is --burst or more jobs of one app \
                (every request it receives, children included) or of one layer (the fires it makes itself) in \
                the same minute. The heat strip shows each app's fires per hour of the day in --tz.

                Examples:
                  rbscron schedule timeline
                  rbscron schedule timeline --hours 168 --app colectiva --tz America/Mexico_City
                  rbscron schedule timeline --from 2026-04-01T00:00:00Z --burst 5 --json
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Window length in hours, 1–\(TimelineRequest.maximumHours).", valueName: "h"))
        var hours = 24

        @Option(help: ArgumentHelp("Window start, RFC 3339 (default: now).", valueName: "time"))
        var from: String?

        @Option(help: ArgumentHelp("Only this app's fires (its slug).", valueName: "app"), completion: InventoryCompletion.apps)
        var app: String?

        @Option(help: ArgumentHelp("The zone times and the hour ruler are shown in (default: UTC).", valueName: "zone"))
        var tz: String?

        @Option(help: ArgumentHelp("Jobs in one minute that make a burst (at least 2).", valueName: "n"))
        var burst = 3

        func validate() throws {
            guard (1...TimelineRequest.maximumHours).contains(hours) else {
                throw ValidationError("--hours must be from 1 to \(TimelineRequest.maximumHours), not \(hours)")
            }
            guard burst >= 2 else { throw ValidationError("--burst must be at least 2, not \(burst)") }
            _ = try ArgumentValues.zone(tz)
            _ = try ArgumentValues.instant(from)
        }

        mutating func run() async throws {
            let zone = try ArgumentValues.zone(tz) ?? TimeZone(identifier: "UTC") ?? .current
            let report = try global.workspace(readOnly: true).timeline(TimelineRequest(
                from: try ArgumentValues.instant(from) ?? Date(), hours: hours, app: app, zone: zone, burstThreshold: burst))
            try Output.emit(ScheduleTimeline(report: report, zone: zone), output, global.style)
        }
    }
}

// MARK: - check

extension RBSCron.Schedule {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every job against its layer's rules and limits.",
            discussion: """
                Vercel (GET only, UTC only, 100 jobs a project, Hobby once a day), QStash (minute resolution, \
                CRON_TZ), pg_cron on Supabase (8 jobs at once, 10 minutes each, GMT), fan-out children that \
                depend on another app, and cron endpoints nothing schedules. Each finding has a severity, a \
                stable rule id and a fix. With --exit-code, exit 2 when any finding is an error.

                Examples:
                  rbscron schedule check
                  rbscron schedule check --app camino
                  rbscron schedule check --exit-code --json | jq '.findings[] | select(.severity == "error")'
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Only this app's jobs (its slug).", valueName: "app"), completion: InventoryCompletion.apps)
        var app: String?

        @Flag(help: "Exit 2 when any finding is an error.")
        var exitCode = false

        mutating func run() async throws {
            let report = try global.workspace(readOnly: true).scheduleCheck(app: app)
            try Output.emit(report, output, global.style)
            if exitCode, report.hasErrors { throw ExitCode(2) }
        }
    }
}
