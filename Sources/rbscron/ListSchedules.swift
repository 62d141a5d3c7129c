import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron.List {
    struct Schedules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schedules",
            abstract: "List the scheduled jobs by layer, or with --remote what the layer itself holds.",
            discussion: """
                Without --remote: the inventory's vercel, qstash and pg_cron jobs with the id each layer knows \
                them by. With --remote, one layer (--layer is required):

                qstash: every schedule in QStash (QSTASH_TOKEN) with its last and next fire and the states of the \
                last run's messages.

                pg_cron: cron.job of each app's Supabase project (supabase.project_ref; with --app, that app's) \
                through the Management API (SUPABASE_ACCESS_TOKEN of the app, else global; SUPABASE_API_URL \
                overrides https://api.supabase.com), with each job's latest run, and the project's pg_cron release \
                (extversion; a warning when it differs from the inventory's supabase.pg_cron_version, 1.6 by \
                default). Jobs named rbs-<app>-<job> (and \
                .2, .3... for extra UTC entries) and the seed's keep-alive-ping and cleanup-cron-history are \
                rbscron's; anything else is foreign. Commands are shown with stored secrets and literal tokens \
                hidden. A project that cannot be read (no token: nothing is sent; HTTP error; unreachable) is \
                reported on stderr (and as `error` in --json) after the projects that could be, and the exit \
                status is 1.

                vercel: the crons array (Vercel Cron) and the schedules object (Vercel Schedules) of the app's \
                deployed vercel.json (--vercel-json, default ./vercel.json; needs --app): a cron matched by path to \
                the app's vercel job, a schedule by name and path, or flagged foreign.

                Examples:
                  rbscron list schedules
                  rbscron list schedules --layer qstash --app colectiva
                  rbscron list schedules --remote --layer qstash --app colectiva
                  rbscron list schedules --remote --layer qstash --json
                  rbscron list schedules --remote --layer pg_cron
                  rbscron list schedules --remote --layer pg_cron --app camino --json
                  rbscron list schedules --remote --layer vercel --app baul
                  rbscron list schedules --remote --layer vercel --app baul --json
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var filterOptions: ListFilterOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Read the layer itself: QStash's schedules, pg_cron's cron.job, or the app's vercel.json.") var remote = false

        @Option(name: .customLong("vercel-json"),
                help: ArgumentHelp("With --remote --layer vercel: the app's vercel.json (default ./vercel.json).", valueName: "path"))
        var vercelJSON: String?

        func validate() throws {
            if vercelJSON != nil && !(remote && filterOptions.layer == .vercel) {
                throw ValidationError("--vercel-json is for --remote --layer vercel")
            }
            guard remote else { return }
            switch filterOptions.layer {
            case nil:
                throw ValidationError("--remote reads one layer; add --layer qstash, pg_cron or vercel")
            case .manual?, .fanout?:
                throw ValidationError("the \(filterOptions.layer?.rawValue ?? "") layer has no scheduler to read; use --layer qstash, pg_cron or vercel")
            case .vercel?:
                if filterOptions.app == nil {
                    throw ValidationError("--remote --layer vercel needs --app APP (each app deploys its own vercel.json)")
                }
            case .qstash?, .pgCron?:
                break
            }
        }

        mutating func run() async throws {
            let workspace = try global.workspace(readOnly: true)
            let filter = filterOptions.filter
            guard remote, let layer = filterOptions.layer else {
                return try Output.emit(ScheduledJobListing(jobs: try workspace.scheduledJobs(filter)), output, global.style)
            }
            try filter.validate(against: try workspace.inventory())
            let report = try await workspace.remoteSchedules(layer, LayerRequest(app: filterOptions.app, vercelJSON: vercelJSON))
            try Output.emit(report, output, global.style)
            if case .pgCron(let listing) = report, !listing.failures.isEmpty { throw ExitCode.failure }
        }
    }
}
