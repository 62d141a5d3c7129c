import Foundation
import RBSCronKit

extension LayerPlan: HumanReadable {
    func human(_ style: TerminalStyle) -> String? { PlanRenderer.text(self, style: style) }
}

extension LayerApplyReport: HumanReadable {
    func human(_ style: TerminalStyle) -> String? {
        var lines = [PlanRenderer.text(plan, style: style, showSQL: false)]
        if plan.layer == .pgCron {
            lines.append(dryRun ? "would write \(plan.file ?? "")" : "wrote \(written ?? "")")
            if !dryRun { lines.append("apply it with: supabase db push (or psql -f \(written ?? ""))") }
        } else if !plan.hasDrift {
            lines.append("nothing to change")
        } else {
            lines.append("\(dryRun ? "would" : "did"): \(created.count) created, \(updated.count) updated, \(deleted.count) deleted"
                         + (written.map { " (wrote \($0))" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}

extension RemoteCleanupReport: HumanReadable {
    func human(_ style: TerminalStyle) -> String? {
        switch self {
        case .qstash(let report): return report.human(style)
        case .pgCron(let report):
            guard !report.projects.isEmpty else { return "no app with pg_cron HTTP jobs has a Supabase project ref" }
            let rows = report.projects.map { p in
                [p.projectRef, p.apps.joined(separator: ", "), String(p.collected), String(p.lost), String(p.pruned),
                 p.error.map { style.red($0) } ?? ""]
            }
            return Output.table(["PROJECT", "APPS", "COLLECTED", "LOST", "PRUNED", "ERROR"], rows, style: style)
                + "\nfire history kept \(report.retentionDays) days (rbscron.fires)"
        }
    }

    var notices: [String] {
        guard case .pgCron(let report) = self else { return [] }
        return report.projects.compactMap { p in p.error.map { "Error: pg_cron of project \(p.projectRef): \($0)" } }
    }
}

extension QStashCleanupReport: HumanReadable {
    func human(_ style: TerminalStyle) -> String? {
        let verb = dryRun ? "would delete" : "deleted"
        return (deleted.map { "\(verb) \($0.id)  \($0.cron)  \($0.destination)" }
            + ["\(verb) \(deleted.count) orphan schedules; kept \(kept) of rbscron's and \(foreignKept) not made by rbscron"])
            .joined(separator: "\n")
    }
}

enum PlanRenderer {
    static func text(_ plan: LayerPlan, style: TerminalStyle, showSQL: Bool = true) -> String {
        var out: [String] = []
        if plan.layer == .pgCron, showSQL, let sql = plan.sql {
            out.append(sql)
        }
        if plan.items.isEmpty {
            out.append("no \(plan.layer.rawValue) schedules in the inventory\(plan.app.map { " for \($0)" } ?? "") or in the layer")
        } else {
            let rows = plan.items.map { item -> [String] in
                [paint(item.action, style), item.id, item.job ?? "-", item.schedule ?? "-", item.target ?? "-"]
            }
            var lines = [Output.table(["ACTION", "ID", "JOB", "SCHEDULE", "TARGET"], rows, style: style)]
            for item in plan.items where !item.changes.isEmpty || (item.note != nil && item.action != .unchanged) {
                lines.append("\(item.id):")
                for change in item.changes {
                    lines.append("    \(change.field): \(change.from ?? "(none)") → \(change.to ?? "(none)")")
                }
                if let note = item.note { lines.append("    \(style.dim(note))") }
            }
            out.append(lines.joined(separator: "\n"))
        }
        for issue in plan.issues {
            let label = issue.severity == .error ? style.red("error") : style.yellow("warning")
            out.append("\(label): \(issue.job.map { "\($0): " } ?? "")\(issue.message)")
        }
        let summary = "\(plan.count(.create)) to create, \(plan.count(.update)) to update, \(plan.count(.delete)) to delete, "
            + "\(plan.count(.unchanged)) unchanged" + (plan.count(.ignored) > 0 ? ", \(plan.count(.ignored)) ignored" : "")
        out.append("\nplan: \(summary)\(plan.file.map { " (\($0))" } ?? "")")
        return out.joined(separator: "\n")
    }

    static func paint(_ action: PlanAction, _ style: TerminalStyle) -> String {
        switch action {
        case .create: return style.green("create")
        case .update: return style.yellow("update")
        case .delete: return style.red("delete")
        case .unchanged: return style.dim("unchanged")
        case .ignored: return style.dim("ignored")
        }
    }
}

