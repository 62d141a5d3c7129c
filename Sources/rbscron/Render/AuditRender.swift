import Foundation
import RBSCronKit

extension AuditReport: HumanReadable {
    func human(_ style: TerminalStyle) -> String? { AuditRender.report(self, style: style) }
}

enum AuditRender {
    static func plural(_ n: Int, _ word: String, _ plural: String? = nil) -> String {
        "\(n) \(n == 1 ? word : plural ?? word + "s")"
    }

    /// What the audit is about to send, for stderr before it asks: every endpoint, its probes, what each sends.
    static func plan(_ plan: AuditPlan) -> String {
        guard plan.probeCount > 0 else { return "audit: no endpoint to probe." }
        var lines = ["audit will send \(plural(plan.probeCount, "probe")) to \(plural(plan.endpoints.count, "endpoint")) "
            + "of \(plural(plan.appCount, "app")), one endpoint at a time per app. A probe that an endpoint lets in "
            + "runs its job once (that endpoint then gets no further probe). No probe carries a real secret"
            + (plan.signedProbes ? "; with --signed-probes, the qstash_expired, qstash_wrong_body and qstash_other_sub "
                + "tokens are signed with the real signing key." : ".")]
        var sends: [(AuditProbe, String)] = []
        for endpoint in plan.endpoints {
            let probes = endpoint.probes.filter { $0.skipReason == nil }
            guard !probes.isEmpty else { continue }
            lines.append("  \(endpoint.job)  \(endpoint.method) \(endpoint.url)")
            lines.append("    " + probes.map { $0.method == endpoint.method ? $0.probe.rawValue : "\($0.probe.rawValue) (\($0.method))" }
                .joined(separator: ", "))
            sends += probes.map { ($0.probe, $0.sends) }
        }
        lines.append(legend(sends))
        return lines.joined(separator: "\n")
    }

    /// `Each probe sends:` and one line per distinct (probe, what it sends).
    static func legend(_ sends: [(AuditProbe, String)]) -> String {
        var seen: [(AuditProbe, String)] = []
        for item in sends where !seen.contains(where: { $0 == item }) { seen.append(item) }
        let width = seen.map(\.0.rawValue.count).max() ?? 0
        return (["Each probe sends:"] + seen.map { probe, text in
            "  \(probe.rawValue.padding(toLength: width, withPad: " ", startingAt: 0))  \(text)"
        }).joined(separator: "\n")
    }

    static func probeName(_ probe: ProbeResult, of endpoint: EndpointAudit) -> String {
        probe.method == endpoint.method ? probe.probe.rawValue : "\(probe.probe.rawValue) (\(probe.method))"
    }

    static func got(_ probe: ProbeResult) -> String {
        if let status = probe.httpStatus {
            return probe.redirects > 0 ? "\(status) via \(plural(probe.redirects, "redirect"))" : String(status)
        }
        switch probe.verdict {
        case .unreachable: return "no answer"
        case .planned: return "-"
        default: return "not sent"
        }
    }

    static func verdict(_ probe: ProbeResult, style: TerminalStyle) -> String {
        switch probe.severity {
        case .critical?: return style.red(style.bold("CRITICAL \(probe.verdict.rawValue)"))
        case .warning?: return style.yellow("warning \(probe.verdict.rawValue)")
        case .info?: return "info \(probe.verdict.rawValue)"
        case .ok?: return style.green(probe.verdict.rawValue)
        case nil: return style.dim(probe.verdict.rawValue)
        }
    }

    static func report(_ report: AuditReport, style: TerminalStyle) -> String {
        var lines: [String] = []
        var apps: [String] = []
        for endpoint in report.endpoints where !apps.contains(endpoint.job.app) { apps.append(endpoint.job.app) }
        for app in apps {
            lines.append(style.bold(app))
            var rows: [[String]] = []
            for endpoint in report.endpoints where endpoint.job.app == app {
                let path = URL(string: endpoint.url)?.path ?? endpoint.url
                if report.dryRun {
                    rows.append(["\(endpoint.method) \(path)", endpoint.probes.map { probe in
                        probeName(probe, of: endpoint) + (probe.verdict == .skipped ? " (\(probe.detail ?? "not sent"))" : "")
                    }.joined(separator: ", ")])
                    continue
                }
                for (index, probe) in endpoint.probes.enumerated() {
                    rows.append([index == 0 ? "\(endpoint.method) \(path)" : "", probeName(probe, of: endpoint), probe.expected,
                                 got(probe), verdict(probe, style: style)])
                }
            }
            let header = report.dryRun ? ["ENDPOINT", "PROBES"] : ["ENDPOINT", "PROBE", "EXPECTED", "GOT", "VERDICT"]
            lines.append(Output.table(header, rows, style: style).split(separator: "\n", omittingEmptySubsequences: false)
                .map { "  " + $0 }.joined(separator: "\n"))
            lines.append("")
        }
        if report.dryRun {
            lines.append(legend(report.endpoints.flatMap { $0.probes.filter { $0.verdict == .planned }.map { ($0.probe, $0.sends) } }))
            lines.append("")
        }
        for severity in [AuditSeverity.critical, .warning, .info] {
            let group = report.findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            let title: String
            switch severity {
            case .critical: title = style.red(style.bold("CRITICAL (\(group.count))"))
            case .warning: title = style.yellow(style.bold("WARNINGS (\(group.count))"))
            default: title = style.bold("INFO (\(group.count))")
            }
            lines.append(title)
            for finding in group {
                lines.append("  \(style.bold(finding.subject))  [\(finding.rule)]")
                lines.append("    \(finding.message)")
                lines.append("    \(style.dim("fix:")) \(finding.fix)")
            }
            lines.append("")
        }
        if !report.notProbed.isEmpty {
            lines.append(style.bold("NOT PROBED (\(report.notProbed.count))"))
            for item in report.notProbed { lines.append("  \(item.job): \(item.reason)") }
            lines.append("")
        }
        lines.append(summary(report))
        return lines.joined(separator: "\n")
    }

    static func summary(_ report: AuditReport) -> String {
        let s = report.summary
        let counts = "\(s.critical) critical, \(plural(s.warning, "warning")), \(s.info) info"
        let apps = Set(report.endpoints.map(\.job.app)).count
        if report.dryRun {
            let planned = report.endpoints.reduce(0) { $0 + $1.probes.filter { $0.verdict == .planned }.count }
            return "audit --dry-run: \(plural(planned, "probe")) planned to \(plural(s.endpoints, "endpoint")) of "
                + "\(plural(apps, "app")), nothing sent; secret checks: \(counts)"
        }
        return "audit: \(plural(s.endpoints, "endpoint")) of \(plural(apps, "app")), \(plural(s.probesSent, "probe")) sent: "
            + "\(counts); \(s.deniesByDefault) of \(s.endpoints) deny by default"
    }
}
