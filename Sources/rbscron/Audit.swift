import ArgumentParser
import Foundation
import RBSCronKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RBSCron {
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Probe every cron endpoint without or with wrong credentials; exit 2 if any lets a caller in.",
            discussion: """
                Each HTTP job's endpoint gets, with the job's own method, requests that must be refused (401 or \
                403): no credentials; a wrong bearer as long as the real secret; `Bearer undefined`, `Bearer null` \
                and an empty bearer; for qstash jobs a JWT signed with a random key; for service_role jobs the \
                project's anon key; for a Vercel Cron job declared with another method, a GET (Vercel calls with \
                GET: a 405 confirms `schedule check`'s vercel.method-get, anything else clears it). The real \
                secret is never sent. With --signed-probes, qstash jobs also get tokens signed with the real \
                signing key: expired, for another body, for another URL.

                A 2xx (after any redirect) to a probe without the real key is critical: the endpoint runs its \
                job for anyone. A 500 is inconclusive (its secret not configured, or the job failing after it \
                ran), never a refusal. The audit also checks the secrets on record: shorter than 16 characters, \
                little entropy, one value shared by several apps, older than --max-age, QStash apps without \
                signing keys, cron paths declared `auth: none`.

                A probe that gets in has run its job once. rbscron lists what it will send first and asks on a \
                terminal; elsewhere it needs --yes. --dry-run prints the plan and sends nothing. One endpoint at \
                a time per app, --parallel apps at once, each probe once within the job's timeout; an endpoint \
                that lets a probe in gets no further probe. Results are recorded for `stats --html`.

                Exit codes: 0 nothing critical, 1 runtime error, 2 an endpoint let a caller in, 64 usage \
                (--yes missing without a terminal).

                Examples:
                  rbscron audit --dry-run
                  rbscron audit --app colectiva
                  rbscron audit --job camino/daily-dispatcher --job baul/generate-routes --yes
                  rbscron audit --yes --json | jq '.findings[] | select(.severity == "critical")'
                  rbscron audit --app caracol --signed-probes --yes
                  rbscron audit --dry-run --max-age 30d
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Only this app's endpoints (and its secrets, with the global ones).", valueName: "app"),
                completion: InventoryCompletion.apps)
        var app: String?

        @Option(name: .customLong("job"), help: ArgumentHelp("Only this job (repeatable).", valueName: "app/job"),
                completion: InventoryCompletion.jobs)
        var jobs: [String] = []

        @Flag(help: "Send the probes without asking (required when stdin or stderr is not a terminal).")
        var yes = false

        @Flag(help: "Print the plan and the secret checks; send nothing, record nothing.")
        var dryRun = false

        @Flag(help: "Also send qstash tokens signed with the real signing key (expired, other body, other URL): an endpoint that does not check them runs its job.")
        var signedProbes = false

        @Option(help: ArgumentHelp("Report a secret last set longer ago than this, e.g. 90d.", valueName: "duration"))
        var maxAge: DurationArgument = "90d"

        @Option(help: ArgumentHelp("Apps probed at once (1 to 64); within an app, one endpoint at a time.", valueName: "n"))
        var parallel = 4

        @Option(help: ArgumentHelp("Bound each probe (default: the job's timeout), e.g. 10s.", valueName: "duration"))
        var timeout: DurationArgument?

        @Flag(help: "Do not verify TLS certificates (only for hosts you trust).")
        var insecure = false

        func validate() throws {
            try maxAge.require("--max-age")
            if let timeout { try timeout.require("--timeout") }
            guard (1...64).contains(parallel) else { throw ValidationError("--parallel \(parallel) must be between 1 and 64") }
            _ = try jobs.map(ArgumentValues.jobRef)
            if !dryRun && !yes && !Self.canAsk {
                throw ValidationError("""
                    audit sends requests that run a job whenever an endpoint lets one in, so it asks first; stdin or \
                    stderr is not a terminal. Pass --yes to send the probes, or --dry-run to see what would be sent.
                    """)
            }
        }

        /// A question can be asked and answered: stdin and stderr are terminals.
        static var canAsk: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1 }

        mutating func run() async throws {
            let style = global.style
            if insecure {
                Output.warn("--insecure: TLS certificates and host names are NOT verified.")
            }
            let request = AuditRequest(app: app, jobs: try jobs.map(ArgumentValues.jobRef), signedProbes: signedProbes,
                                       dryRun: dryRun, maxAgeMs: maxAge.milliseconds, parallel: parallel,
                                       timeoutMs: timeout?.milliseconds, insecure: insecure)
            let yes = self.yes
            let progress = ProgressLine(enabled: style.stderrIsTerminal && !output.json)
            let report = try await global.workspace().audit(request, confirm: { plan in
                Output.note(AuditRender.plan(plan))
                guard plan.probeCount > 0 else { return true }
                if yes { return true }
                FileHandle.standardError.write(Data("Send these \(plan.probeCount) probes? [y/N] ".utf8))
                let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
                return answer == "y" || answer == "yes"
            }, progress: { done, total in
                progress.update("probing \(done)/\(total) endpoints…")
            })
            progress.clear()
            try Output.emit(report, output, style)
            if report.hasCritical { throw ExitCode(2) }
        }
    }
}
