import Foundation
import RBSCronKit

/// `list apps`.
struct AppListing: Encodable, HumanReadable {
    var apps: [AppReport]

    func encode(to encoder: any Encoder) throws { try apps.encode(to: encoder) }

    func human(_ style: TerminalStyle) -> String? {
        let rows = apps.map { r in
            [r.name, r.displayName, r.baseURL, r.platform.rawValue, String(r.jobs),
             r.supabase == nil ? "-" : "yes", r.active ? style.green("yes") : style.yellow("no")]
        }
        return Output.table(columns: [TableColumn("APP"), TableColumn("NAME", drop: 2), TableColumn("BASE URL"),
                                      TableColumn("PLATFORM", drop: 3), TableColumn("JOBS"), TableColumn("SUPABASE", drop: 1),
                                      TableColumn("ACTIVE")], rows, style: style)
    }
}

/// `list jobs`.
struct JobListing: Encodable, HumanReadable {
    var jobs: [JobReport]

    func encode(to encoder: any Encoder) throws { try jobs.encode(to: encoder) }

    func human(_ style: TerminalStyle) -> String? {
        let now = Date()
        /// On a terminal `3 min ago` / `in 2 h`; piped, the RFC 3339 time.
        func when(_ date: Date?) -> String {
            guard let date else { return "-" }
            return style.relativeTimes ? Output.relative(date, now: now) : Timestamp.rfc3339(date)
        }
        let rows = jobs.map { report -> [String] in
            let job = report.job
            var schedule = job.schedule ?? "-"
            if job.schedule != nil, job.timezone != "UTC" { schedule += " (\(job.timezone))" }
            let target = job.path.map { "\(job.method.rawValue) \($0)" } ?? "SQL \(job.sql ?? "")"
            let via = job.triggeredBy.map { "\($0)#\(job.order ?? 0)" } ?? "-"
            var last = when(report.lastRunAt)
            if let outcome = report.lastOutcome { last += " " + (outcome == .ok ? style.green(outcome.rawValue) : style.red(outcome.rawValue)) }
            return [job.ref.description, job.layer.rawValue, schedule, target, job.auth.rawValue, via,
                    job.enabled ? "yes" : style.yellow("no"), last, when(report.nextFireAt)]
        }
        // Narrow terminals lose AUTH, then ENABLED, then TARGET (mostly the job's name as a path), then LAST RUN,
        // then TRIGGERED BY.
        return Output.table(columns: [TableColumn("JOB", minWidth: 40), TableColumn("LAYER"), TableColumn("SCHEDULE", minWidth: 16),
                                      TableColumn("NEXT FIRE"), TableColumn("LAST RUN", drop: 4),
                                      TableColumn("AUTH", drop: 1), TableColumn("ENABLED", drop: 2), TableColumn("TRIGGERED BY", drop: 5),
                                      TableColumn("TARGET", drop: 3, minWidth: 20)],
                            rows.map { [$0[0], $0[1], $0[2], $0[8], $0[7], $0[4], $0[6], $0[5], $0[3]] }, style: style)
    }
}

/// What `import` did (or, with `--dry-run`, would do).
struct ImportResult: Encodable, HumanReadable {
    var summary: ImportSummary
    var file: String

    /// `11 apps (agora, …) and 69 jobs`: what an import removes, for the question and the refusal.
    static func removals(_ summary: ImportSummary) -> String {
        func part(_ items: [String], _ noun: String) -> String? {
            guard !items.isEmpty else { return nil }
            let names = items.prefix(3).joined(separator: ", ") + (items.count > 3 ? ", …" : "")
            return "\(items.count) \(noun)\(items.count == 1 ? "" : "s") (\(names))"
        }
        return [part(summary.appsRemoved, "app"), part(summary.jobsRemoved, "job")].compactMap { $0 }.joined(separator: " and ")
    }

    func encode(to encoder: any Encoder) throws { try summary.encode(to: encoder) }

    func human(_ style: TerminalStyle) -> String? {
        let n = summary.maintenanceWindows
        let what = n == 0 ? "\(summary.apps) apps and \(summary.jobs) jobs"
            : "\(summary.apps) apps, \(summary.jobs) jobs and \(n) maintenance window\(n == 1 ? "" : "s")"
        var lines = ["\(summary.dryRun ? "would import" : "imported") \(what) from \(file)"]
        for (label, items) in [("apps added", summary.appsAdded), ("apps removed", summary.appsRemoved),
                               ("jobs added", summary.jobsAdded), ("jobs removed", summary.jobsRemoved),
                               ("jobs changed", summary.jobsChanged)] where !items.isEmpty {
            let shown = items.prefix(8).joined(separator: ", ")
            lines.append("  \(label) (\(items.count)): \(shown)\(items.count > 8 ? ", … (--json lists all)" : "")")
        }
        return lines.joined(separator: "\n")
    }
}

extension SecretListReport: HumanReadable {
    var warnings: [String] { lockedReason.map { ["previews are (locked). \($0)"] } ?? [] }

    func human(_ style: TerminalStyle) -> String? {
        var lines: [String] = []
        if secrets.isEmpty {
            lines.append("no secrets stored. Add one with: rbscron secret set SCOPE KEY")
        } else {
            let rows = secrets.map { e in
                [e.scope, e.key, e.preview, Timestamp.rfc3339(e.createdAt), e.rotatedAt.map(Timestamp.rfc3339) ?? "-",
                 e.usedBy.isEmpty ? style.dim("unused") : "\(e.usedBy.count) jobs"]
            }
            lines.append(Output.table(["SCOPE", "KEY", "PREVIEW", "CREATED", "ROTATED", "USED BY"], rows, style: style))
        }
        if !missing.isEmpty {
            lines.append("")
            lines.append(style.yellow("\(missing.count) jobs lack the secret they need and would be denied:"))
            let grouped = Dictionary(grouping: missing) { "\($0.job.split(separator: "/")[0])/\($0.key)" }
            for (needed, jobs) in grouped.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(needed): \(jobs.count) jobs (\(jobs.prefix(3).map(\.job).joined(separator: ", "))\(jobs.count > 3 ? ", …" : ""))")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension RotationReport: HumanReadable {
    func human(_ style: TerminalStyle) -> String? {
        var lines = ["rotated \(scope)/\(key) (\(preview ?? ""))"
            + (previousValidUntil.map { "; the previous value stays valid until \(Timestamp.rfc3339($0))" } ?? ""),
            "used by \(usedBy.count) jobs"]
        for (i, step) in steps.enumerated() {
            lines.append("\n\(i + 1). [\(step.layer)] \(step.title)")
            for command in step.commands { lines.append("   \(command)") }
        }
        return lines.joined(separator: "\n")
    }
}
