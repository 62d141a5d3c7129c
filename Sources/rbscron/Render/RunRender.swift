import Foundation
import RBSCronKit

extension TriggerReport: HumanReadable {
    var warnings: [String] {
        guard case .due = mode else { return [] }
        return alreadyClaimed.map { "\($0.job.ref): the fire of \(Timestamp.rfc3339($0.fireTime)) was already fired; skipped" }
            + evidenceWarnings
    }

    var notices: [String] {
        abandonedMarked > 0 ? ["marked \(abandonedMarked) run(s) left 'started' by a process that is gone as abandoned"] : []
    }

    var notes: [String] {
        var lines: [String] = []
        switch mode {
        case .due(_, let at, let windowMs) where runs.isEmpty && alreadyClaimed.isEmpty && !dryRun:
            let fired = decisions.filter { $0.action == .fired }.count
            if decisions.isEmpty {
                lines.append("nothing due within \(DurationText.format(milliseconds: windowMs)) before \(Timestamp.rfc3339(at))")
            } else if fired == 0 {
                lines.append("fired nothing: \(decisions.count) due fire(s) of the last \(DurationText.format(milliseconds: windowMs)) "
                             + "judged: \(RunRender.decisionSummary(decisions))")
            }
        case .replayDeadLetters where runs.isEmpty && layerDeadLetters.isEmpty:
            lines.append("no unresolved dead letters")
        default:
            break
        }
        return lines
    }

    func human(_ style: TerminalStyle) -> String? {
        var parts: [String] = []
        if !decisions.isEmpty { parts.append(RunRender.decisions(decisions, all: explain || dryRun, style: style)) }
        // On a terminal each run was shown live on stderr as it ended: the table would repeat it, so only the summary.
        let shownLive = style.stdoutIsTerminal && style.stderrIsTerminal
        if dryRun {
            if !requests.isEmpty { parts.append(RunRender.dryRun(requests)) }
        } else if let group {
            parts.append(RunRender.summary(group, shownLive: shownLive, style: style))
        } else if !runs.isEmpty {
            parts.append((shownLive ? "" : RunRender.runs(runs, style: style) + "\n") + RunRender.summaryLine(runs, style: style))
        }
        if !layerDeadLetters.isEmpty { parts.append(RunRender.layerDeadLetters(layerDeadLetters, style: style)) }
        return parts.isEmpty ? nil : parts.joined(separator: "\n\n")
    }
}

/// The tables of `trigger`.
enum RunRender {
    /// What was done with the dead letters a layer holds.
    static func layerDeadLetters(_ actions: [DeadLetterAction], style: TerminalStyle) -> String {
        let rows = actions.map { a -> [String] in
            let action: String
            switch a.action {
            case .requeued: action = style.green("requeued")
            case .discarded, .gone: action = style.dim(a.action.rawValue)
            case .failed: action = style.red("failed")
            }
            let detail = a.messageID.map { "new message \($0)" } ?? a.detail ?? ""
            return ["#\(a.deadLetterID)", a.job.description, a.origin, a.remoteID.isEmpty ? "-" : a.remoteID, action, detail]
        }
        return Output.table(["DEAD LETTER", "JOB", "HELD BY", "ID THERE", "ACTION", "DETAIL"], rows, style: style)
    }

    static func runs(_ reports: [RunReport], style: TerminalStyle) -> String {
        let rows = reports.map { r -> [String] in
            let outcome = r.succeeded ? style.green(r.outcome.rawValue) : style.red(r.outcome.rawValue)
            var detail = r.error ?? r.responseExcerpt.map { firstLine($0) } ?? ""
            if let dead = r.deadLetterID, r.source != .replay { detail += " (dead letter #\(dead))" }
            if r.breakerProbe { detail = "half-open probe; " + detail }
            return [r.job.description, outcome, r.httpStatus.map(String.init) ?? "-", String(r.attempts),
                    "\(Int(r.durationMs.rounded())) ms", r.runID.map { "#\($0)" } ?? "-", detail]
        }
        return Output.table(columns: [TableColumn("JOB"), TableColumn("OUTCOME"), TableColumn("HTTP"),
                                      TableColumn("ATTEMPTS", drop: 2), TableColumn("DURATION", drop: 3), TableColumn("RUN", drop: 1),
                                      TableColumn("DETAIL")], rows, style: style)
    }

    /// Due mode's decisions: every fire it fired or found claimed; the skipped ones too with `all`, else counted.
    static func decisions(_ decisions: [DueDecision], all: Bool, style: TerminalStyle) -> String {
        let shown = all ? decisions : decisions.filter { $0.action != .skipped }
        var text = ""
        if !shown.isEmpty {
            let rows = shown.map { d -> [String] in
                let action: String
                switch d.action {
                case .fired: action = style.yellow("fire") + (d.via.map { " (\($0))" } ?? "")
                case .claimed: action = style.dim("claimed")
                case .skipped: action = style.dim("skip")
                }
                return [Timestamp.rfc3339(d.fireAt), d.job.description, action, d.reason]
            }
            text = Output.table(["FIRE", "JOB", "DECISION", "WHY"], rows, style: style)
        }
        let skipped = decisions.filter { $0.action == .skipped }
        if !all, !skipped.isEmpty {
            text += (text.isEmpty ? "" : "\n") + "skipped \(skipped.count) fire(s): \(decisionSummary(skipped)) (--explain lists them)"
        }
        return text
    }

    /// `20 delivered, 3 pending`: decisions counted by the state of their fire.
    static func decisionSummary(_ decisions: [DueDecision]) -> String {
        var counts: [FireState: Int] = [:]
        for d in decisions { counts[d.state, default: 0] += 1 }
        return FireState.allCases.filter { counts[$0] != nil }.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
    }

    /// A group: the same table as single runs (JOB, OUTCOME, …) and its summary line.
    static func summary(_ summary: GroupSummary, shownLive: Bool, style: TerminalStyle) -> String {
        let counts = summary.summary
        let line = "\(summary.schedule): \(counts.succeeded)/\(counts.total) succeeded, \(counts.failed) failed "
            + "(\(DurationText.format(milliseconds: counts.totalDuration)) total)"
        let colored = counts.failed > 0 ? style.red(line) : style.green(line)
        return shownLive || summary.runs.isEmpty ? colored : runs(summary.runs, style: style) + "\n" + colored
    }

    /// `3 runs: 2 ok, 1 http_error (5.2s)`: the runs counted by outcome, like health-check's summary.
    static func summaryLine(_ reports: [RunReport], style: TerminalStyle) -> String {
        var counts: [RunOutcome: Int] = [:]
        for r in reports { counts[r.outcome, default: 0] += 1 }
        let parts = RunOutcome.allCases.compactMap { o in counts[o].map { "\($0) \(o.rawValue)" } }
        let total = Int(reports.map(\.durationMs).reduce(0, +).rounded())
        let line = "\(reports.count) run\(reports.count == 1 ? "" : "s"): \(parts.joined(separator: ", ")) "
            + "(\(DurationText.format(milliseconds: total)) in requests)"
        return reports.allSatisfy(\.succeeded) ? style.green(line) : style.red(line)
    }

    static func dryRun(_ requests: [DryRunRequest]) -> String {
        var lines: [String] = []
        for (i, request) in requests.enumerated() {
            if i > 0 { lines.append("") }
            lines.append("# \(request.job) (dry run: nothing sent; timeout \(DurationText.format(milliseconds: request.timeoutMs)), retries \(request.retries))")
            if let missing = request.missingSecret {
                lines.append("# DENIED: no \(missing) for \(request.job.app); the real trigger would send nothing")
            } else if let source = request.secretSource {
                lines.append("# secret: \(source)")
            }
            lines.append("\(request.method) \(request.url)")
            for header in request.headers { lines.append("\(header.name): \(header.value)") }
            if let body = request.body { lines.append("\n\(body)") }
        }
        return lines.joined(separator: "\n")
    }

    static func firstLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.count > 100 ? String(line.prefix(100)) + "…" : line
    }
}
