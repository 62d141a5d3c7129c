import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct Schedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schedule",
            abstract: "Fire times, the timeline, checks against each layer's rules, and keeping the layers in sync.",
            discussion: """
                Examples:
                  rbscron schedule next '0 14 * * *' --tz America/Mexico_City
                  rbscron schedule next camino/voice-outbound
                  rbscron schedule timeline --hours 24 --tz America/Mexico_City
                  rbscron schedule timeline --budget --app colectiva
                  rbscron schedule check --exit-code
                  rbscron schedule plan --layer qstash --exit-code
                  rbscron schedule apply --layer vercel --app baul --vercel-json ../baul/vercel.json
                  rbscron schedule migrate --layer vercel --app camino --vercel-json ../camino/vercel.json
                """,
            subcommands: [Next.self, Timeline.self, Check.self, Plan.self, Apply.self, Migrate.self, Pause.self, Resume.self]
        )
    }
}

// MARK: - next

extension RBSCron.Schedule {
    struct Next: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "next",
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

        @Option(help: ArgumentHelp("How many fires, 1 to \(ScheduleReports.maximumCount).", valueName: "n"))
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
            commandName: "timeline",
            abstract: "Every fire across the inventory in a window, with bursts and a per-app heat strip; or, with --budget, each app's use of each layer per day.",
            discussion: """
                Fan-out children are listed at their parent's fire. A burst is --burst or more jobs of one app \
                (every request it receives, children included) or of one layer (the fires it makes itself) in \
                the same minute. The heat strip shows each app's fires per hour of the day in --tz.

                --budget forecasts, per app and layer and per UTC day of the window (default 31 days, so monthly \
                jobs are seen), the fires and, on QStash, the messages: each fire is a message and each retry one \
                more, so a day costs fires x (1 + retries) at worst. They are held against the app's recorded \
                plans (qstash_plan: active schedules and messages a day; vercel_plan: crons a project). Exit 2 \
                with --exit-code when a day or a schedule count is over its plan's limit.

                Examples:
                  rbscron schedule timeline
                  rbscron schedule timeline --hours 168 --app colectiva --tz America/Mexico_City
                  rbscron schedule timeline --from 2026-04-01T00:00:00Z --burst 5 --json
                  rbscron schedule timeline --budget
                  rbscron schedule timeline --budget --app colectiva --from 2026-05-01T00:00:00Z --json
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Window length in hours, 1 to \(TimelineRequest.maximumHours) (default 24; with --budget 744, whole UTC days).", valueName: "h"))
        var hours: Int?

        @Option(help: ArgumentHelp("Window start, RFC 3339 (default: now).", valueName: "time"))
        var from: String?

        @Option(help: ArgumentHelp("Only this app's fires (its slug).", valueName: "app"), completion: InventoryCompletion.apps)
        var app: String?

        @Option(help: ArgumentHelp("The zone times and the hour ruler are shown in (default: UTC).", valueName: "zone"))
        var tz: String?

        @Option(help: ArgumentHelp("Jobs in one minute that make a burst (at least 2; default 3).", valueName: "n"))
        var burst: Int?

        @Flag(help: "Forecast each app's fires (and QStash messages) per UTC day and layer against its plans, instead of the timeline.")
        var budget = false

        @Flag(name: .customLong("exit-code"), help: "With --budget: exit 2 when a day or a schedule count is over its plan's limit.")
        var exitCode = false

        func validate() throws {
            if let hours, !(1...TimelineRequest.maximumHours).contains(hours) {
                throw ValidationError("--hours must be from 1 to \(TimelineRequest.maximumHours), not \(hours)")
            }
            if let burst, burst < 2 { throw ValidationError("--burst must be at least 2, not \(burst)") }
            _ = try ArgumentValues.zone(tz)
            _ = try ArgumentValues.instant(from)
            if budget {
                if burst != nil { throw ValidationError("--burst does not apply to --budget, which counts per day") }
                if tz != nil { throw ValidationError("--tz does not apply to --budget: its days are UTC days") }
            } else if exitCode {
                throw ValidationError("--exit-code is for --budget")
            }
        }

        mutating func run() async throws {
            let start = try ArgumentValues.instant(from) ?? Date()
            if budget {
                let days = ((hours ?? TimelineRequest.maximumHours) + 23) / 24
                let report = try global.workspace(readOnly: true).budget(from: start, days: days, app: app)
                try Output.emit(report, output, global.style)
                if exitCode, report.budgets.contains(where: { $0.overSchedules || !$0.daysOverLimit.isEmpty }) {
                    throw ExitCode(2)
                }
                return
            }
            let zone = try ArgumentValues.zone(tz) ?? TimeZone(identifier: "UTC") ?? .current
            let report = try global.workspace(readOnly: true).timeline(TimelineRequest(
                from: start, hours: hours ?? 24, app: app, zone: zone, burstThreshold: burst ?? 3))
            try Output.emit(ScheduleTimeline(report: report, zone: zone), output, global.style)
        }
    }
}

// MARK: - check

extension RBSCron.Schedule {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check every job against its layer's rules and limits.",
            discussion: """
                Vercel in the app's vercel_mode (crons: GET only, UTC only; schedules: GET or POST, the job's \
                zone, jitter 1 to 15 minutes; both: 100 a project, disabled ones included, Hobby once a day), \
                QStash (minute resolution, CRON_TZ, the qstash_plan's active schedules and messages a day), \
                pg_cron on Supabase (the project's pg_cron release, 8 jobs at once, 10 minutes each, GMT), \
                fan-out children that depend on another app, and cron endpoints nothing schedules. Each \
                finding has a severity, a stable rule id and a fix. With --exit-code, exit 2 when any finding \
                is an error.

                Examples:
                  rbscron schedule check
                  rbscron schedule check --app camino
                  rbscron schedule check --exit-code --json | jq '.findings[] | select(.severity == "error")'
                  rbscron schedule check --app colectiva --from 2026-05-01T00:00:00Z
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Only this app's jobs (its slug).", valueName: "app"), completion: InventoryCompletion.apps)
        var app: String?

        @Option(help: ArgumentHelp("Where the time-based rules start looking ahead (pg_cron concurrency 7 days, keep-alive gaps, QStash budgets 31 days), RFC 3339 (default: now).", valueName: "time"))
        var from: String?

        @Flag(help: "Exit 2 when any finding is an error.")
        var exitCode = false

        func validate() throws {
            _ = try ArgumentValues.instant(from)
        }

        mutating func run() async throws {
            let report = try global.workspace(readOnly: true).scheduleCheck(app: app, from: try ArgumentValues.instant(from))
            try Output.emit(report, output, global.style)
            if exitCode, report.hasErrors { throw ExitCode(2) }
        }
    }
}

// MARK: - migrate

extension RBSCron.Schedule {
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Show what moving an app from Vercel Cron to Vercel Schedules changes for each job; write it with --write.",
            discussion: """
                For each enabled vercel job of --app: the method (Vercel Cron calls with GET, Vercel Schedules \\
                with the job's method), the zone (Cron fires in UTC, Schedules in the job's `timezone`) and the \\
                fire instants of the coming year (--from, default now) before and after, computed with the cron \\
                engine. The UTC instants are kept unless the manifest names an IANA zone for the job; a zone is \\
                never read from a description. Then the plan of the `schedules` configuration against \\
                --vercel-json (default ./vercel.json). The app's pg_cron HTTP jobs meant in a local zone are \\
                listed as candidates: --move JOB puts one on the app's Vercel Schedules too (its fires today are \\
                those of the UTC entries rbscron's pg_cron migration writes).

                --write writes the configuration (only the `schedules` and `crons` values of the file change) and \\
                records `vercel_mode: schedules` (and the moved jobs' layer) in the inventory; export the \\
                manifest afterwards so the change is kept in git. Nothing is written when Vercel would refuse the \\
                configuration (exit 1). With --exit-code, exit 2 when some fire would move.

                Examples:
                  rbscron schedule migrate --layer vercel --app camino --vercel-json ../camino/vercel.json
                  rbscron schedule migrate --layer vercel --app baul --from 2026-01-01T00:00:00Z --json
                  rbscron schedule migrate --layer vercel --app camino --move voice-outbound
                  rbscron schedule migrate --layer vercel --app camino --vercel-json ../camino/vercel.json --write
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("The layer to migrate: vercel (Vercel Cron to Vercel Schedules).", valueName: "layer"))
        var layer: Layer

        @Option(help: ArgumentHelp("The app (its slug).", valueName: "app"), completion: InventoryCompletion.apps)
        var app: String

        @Option(name: .customLong("vercel-json"), help: ArgumentHelp("The app's vercel.json (default ./vercel.json).", valueName: "path"))
        var vercelJSON: String?

        @Option(help: ArgumentHelp("A pg_cron HTTP job of the app to move onto its Vercel Schedules (repeatable).", valueName: "job"))
        var move: [String] = []

        @Option(help: ArgumentHelp("Start of the year of fires compared, RFC 3339 (default: now).", valueName: "time"))
        var from: String?

        @Flag(help: "Write the Schedules configuration and record vercel_mode: schedules in the inventory.")
        var write = false

        @Flag(name: .customLong("exit-code"), help: "Exit 2 when some fire of the year would move.")
        var exitCode = false

        func validate() throws {
            guard layer == .vercel else {
                throw ValidationError("--layer \(layer.rawValue): only the vercel layer migrates (Vercel Cron to Vercel Schedules)")
            }
            guard Slug.isValid(app) else { throw ValidationError("--app '\(app)' is not an app slug (e.g. camino)") }
            for name in move where !Slug.isValid(name) {
                throw ValidationError("--move '\(name)' is not a job name of the app (a slug such as voice-outbound)")
            }
            _ = try ArgumentValues.instant(from)
        }

        mutating func run() async throws {
            let report = try global.workspace().migrateVercel(VercelMigrationRequest(
                app: app, vercelJSON: vercelJSON, move: move, write: write, from: try ArgumentValues.instant(from) ?? Date()))
            try Output.emit(report, output, global.style)
            if exitCode, !report.preserved { throw ExitCode(2) }
        }
    }
}
