import Foundation

/// The self-contained HTML dashboard of `stats --html`: inline CSS and SVG, no script, no external fetch,
/// every text escaped. It shows no secret and no response text: a failed request is shown by its status.
public enum Dashboard {
    /// Supabase pauses a free project after this many days without activity.
    public static let pauseDays = 7.0

    /// Reads what the dashboard needs for `report`'s jobs and renders it.
    public static func render(store: InventoryStore, report: StatsReport) throws -> String {
        let inventory = try store.inventory()
        var facts = try store.dashboardFacts(jobs: report.jobs.map(\.ref), now: report.generatedAt)
        facts.audits = try store.latestAuditProbes()
        facts.breakers = try breakers(store: store, report: report, inventory: inventory)
        return html(report: report, facts: facts, inventory: inventory)
    }

    /// Jobs whose circuit breaker is open or half-open, as `trigger` judges it with its default threshold and
    /// cool-down: the latest runs (as many as the threshold) all failed.
    static func breakers(store: InventoryStore, report: StatsReport, inventory: Inventory,
                         threshold: Int = BreakerDefaults.threshold,
                         cooldown: TimeInterval = BreakerDefaults.cooldown) throws -> [JobRef: String] {
        guard threshold > 0 else { return [:] }
        var result: [JobRef: String] = [:]
        for stats in report.jobs where stats.failureStreak >= threshold {
            guard inventory.job(stats.ref)?.path != nil,
                  let until = try store.breakerOpenUntil(stats.ref, threshold: threshold, cooldown: cooldown) else { continue }
            result[stats.ref] = until > report.generatedAt
                ? "open until \(Timestamp.rfc3339(until)) after \(threshold) failed runs in a row"
                : "half-open after \(threshold) failed runs in a row: the next trigger is a probe"
        }
        return result
    }

    /// Escapes text for HTML element content and quoted attribute values; control characters are written visibly
    /// (`\x1b`), as on a terminal.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in ControlCharacters.escape(text) {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    static let colours: [StatusColour: String] = [.green: "#16a34a", .amber: "#d97706", .red: "#dc2626", .grey: "#9ca3af",
                                                  .blue: "#2563eb"]

    static let legend: [(StatusColour, String)] = [
        (.green, "healthy: latest run ok, no missed fire, success rate ≥ 95 %"),
        (.amber, "attention: some fires missed, or success rate under 95 %"),
        (.red, "failing: latest run failed, or an observed job ran none of its fires"),
        (.blue, "called by its fan-out parent: the parent was delivered, this job's own result is not known"),
        (.grey, "unobserved: rbscron cannot see this job's fires (or it has no runs); not known healthy"),
    ]


    /// The latest fires of a job, one square each (oldest left), coloured by state, each with its reason.
    static func fireStrip(_ fires: [FireAccount], limit: Int = 30) -> String {
        guard !fires.isEmpty else { return "<span class=\"mono\">–</span>" }
        let shown = fires.suffix(limit)
        var rects = ""
        for (i, fire) in shown.enumerated() {
            let colour = fire.state.colour
            let faint = fire.state == .unobserved || fire.state == .paused || (fire.state == .pending && fire.calledAt == nil)
            rects += "<rect x=\"\(i * 4)\" y=\"0\" width=\"3\" height=\"14\" fill=\"\(colours[colour] ?? "")\""
                + (faint ? " fill-opacity=\"0.35\"" : "")
                + " data-state=\"\(fire.state.rawValue)\"><title>\(escape(Timestamp.rfc3339(fire.at))): \(escape(fire.reasonWithoutDetail ?? fire.reason))</title></rect>"
        }
        let width = shown.count * 4
        return "<svg class=\"fires\" width=\"\(width)\" height=\"14\" viewBox=\"0 0 \(width) 14\" role=\"img\" "
            + "aria-label=\"the latest \(shown.count) fires\">\(rects)</svg>"
    }

    /// The page for `report` and `facts`.
    public static func html(report: StatsReport, facts: DashboardFacts, inventory: Inventory) -> String {
        var page = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>rbscron dashboard</title>
            <style>\(css)</style>
            </head>
            <body>
            <header>
            <h1>Scheduled jobs</h1>
            <p class="meta">Generated \(escape(Timestamp.rfc3339(report.generatedAt))) · window since \
            \(escape(Timestamp.rfc3339(report.since))) · heat strip: last 7 days · runs: the latest \(DashboardFacts.runMarks)</p>
            </header>

            """
        page += attentionSection(attention(report: report, facts: facts, inventory: inventory))
        page += summary(report)
        page += legendHTML()
        page += "<main>\n"
        let jobsByApp = Dictionary(grouping: report.jobs, by: \.app)
        for app in report.apps where jobsByApp[app.app] != nil || report.jobs.isEmpty {
            page += appSection(app, jobs: jobsByApp[app.app] ?? [], facts: facts, now: report.generatedAt)
        }
        page += "</main>\n<div class=\"lower\">\n"
        page += failuresSection(facts)
        page += deadLettersSection(facts, now: report.generatedAt)
        page += keepAliveSection(facts, inventory: inventory, apps: Set(report.apps.map(\.app)), now: report.generatedAt)
        page += auditSection(facts, jobs: report.jobs.map(\.ref))
        page += "</div>\n</body>\n</html>\n"
        return page
    }

    static func dot(_ colour: StatusColour) -> String {
        "<span class=\"dot\" style=\"background:\(colours[colour] ?? "#9ca3af")\"></span>"
    }

    static func summary(_ report: StatsReport) -> String {
        var counts: [StatusColour: Int] = [:]
        for job in report.jobs { counts[job.status, default: 0] += 1 }
        let cells = StatusColour.allCases.map { colour in
            "<div class=\"tile status-\(colour.rawValue)\">\(dot(colour))<b>\(counts[colour] ?? 0)</b> \(colour.rawValue)</div>"
        }.joined()
        return "<section class=\"summary\">\(cells)</section>\n"
    }

    static func legendHTML() -> String {
        let items = legend.map { colour, text in "<li>\(dot(colour))\(escape(text))</li>" }.joined()
            + "<li>An app's dot is the worse of its health checks and its jobs; the dot by its uptime is the checks alone.</li>"
        return "<section class=\"legend\"><h2>Legend</h2><ul>\(items)</ul></section>\n"
    }

    static func percent(_ rate: Double?) -> String {
        guard let rate else { return "–" }
        return String(format: "%.1f %%", rate * 100)
    }

    static func ms(_ value: Double?) -> String {
        guard let value else { return "–" }
        if value >= 10_000 { return String(format: "%.1f s", value / 1000) }
        return String(format: "%.0f ms", value)
    }

    static func appSection(_ app: AppStats, jobs: [JobStats], facts: DashboardFacts, now: Date) -> String {
        var s = """
            <section class="app" data-app="\(escape(app.app))" data-status="\(app.overallStatus.rawValue)" \
            data-health="\(app.status.rawValue)">
            <h2><span title="\(escape(appStateTitle(app)))">\(dot(app.overallStatus))</span>\(escape(app.displayName)) \
            <span class="slug">\(escape(app.app))</span>
            <span class="health">\(dot(app.status))checks: uptime \(percent(app.uptime)) · p95 \(ms(app.p95LatencyMs)) · \
            \(app.checks) checks</span></h2>
            \(appWhy(app))<table>
            <thead><tr><th></th><th>job</th><th>layer</th><th>schedule</th><th>last run</th><th>next fire</th><th>runs</th>\
            <th>success</th><th>p95</th><th>streak</th><th>missed</th><th>fires</th><th>7 days</th><th>latest runs</th>\
            <th>last error</th></tr></thead>
            <tbody>

            """
        for job in jobs { s += jobRow(job, facts: facts, now: now) }
        return s + "</tbody></table></section>\n"
    }

    /// What the app's dot sums up: its checks and its jobs, the worse of the two.
    static func appStateTitle(_ app: AppStats) -> String {
        "\(app.overallStatus.rawValue): health checks \(app.status.rawValue)"
            + (app.overallStatus == app.status ? "" : "; a job is \(app.overallStatus.rawValue)")
    }

    /// Why an app is down or degraded, and whose background jobs stop while it is down.
    static func appWhy(_ app: AppStats) -> String {
        guard let status = app.lastStatus, status != "up" else { return "" }
        var s = "<p class=\"why status-\(app.status.rawValue)\">\(escape(status)): \(escape(healthReason(app)))"
            + (app.lastCheckedAt.map { ", checked \(escape(Timestamp.rfc3339($0)))" } ?? "") + "</p>\n"
        if let impact = impactText(app) {
            let detail = app.dependentsAffected.map { d in
                "\(d.app): \(d.jobs.joined(separator: ", ")) (fired by \(d.triggeredBy.joined(separator: ", ")))"
            }.joined(separator: "; ")
            s += "<p class=\"impact\" title=\"\(escape(detail))\">\(escape(impact))</p>\n"
        }
        return s
    }

    /// One job's row: what it is, when it ran and fires next, how it went, and its last error in full.
    static func jobRow(_ job: JobStats, facts: DashboardFacts, now: Date) -> String {
        let runs = facts.latestRuns[job.ref] ?? []
        return """
            <tr class="job status-\(job.status.rawValue)" data-job="\(escape(job.ref.description))" \
            data-status="\(job.status.rawValue)" title="\(escape(job.description))">\
            <td>\(dot(job.status))</td><td class="name">\(escape(job.job))\(observationBadge(job))</td>\
            <td>\(escape(job.layer.rawValue))</td><td class="mono">\(escape(job.schedule ?? "–"))</td>\
            <td class="last-run">\(timeCell(runs.last?.at, now: now))</td><td class="next">\(timeCell(job.nextFireAt, now: now))</td>\
            <td>\(job.runs)</td><td>\(percent(job.successRate))</td><td>\(ms(job.p95Ms))</td><td>\(job.failureStreak)</td>\
            <td class="missed">\(missedCell(job))</td><td>\(fireStrip(job.fires))</td>\
            <td>\(heatStrip(facts.buckets[job.ref]))</td><td>\(sparkline(runs))</td>\
            <td class="error">\(errorCell(job, full: facts.lastErrors[job.ref], now: now))</td></tr>

            """
    }

    /// A time as `3 h ago` / `in 2 h`, with the RFC 3339 time on hover.
    static func timeCell(_ date: Date?, now: Date) -> String {
        guard let date else { return "–" }
        return "<time datetime=\"\(Timestamp.rfc3339(date))\" title=\"\(Timestamp.rfc3339(date))\">"
            + "\(escape(RelativeTime.text(date, now: now)))</time>"
    }

    /// Missed fires as a count of the judged ones (`2 / 14`); `–` when rbscron cannot judge them (the badge by the
    /// job's name says why).
    static func missedCell(_ job: JobStats) -> String {
        guard let missed = job.missedFires else { return "–" }
        let count = "<b>\(missed)</b> / \(job.expectedFires ?? 0)"
        return missed > 0 ? "<span class=\"bad\">\(count)</span>" : count
    }

    /// Why the job's fires are not counted (unobserved, unscheduled, disabled), next to its name.
    static func observationBadge(_ job: JobStats) -> String {
        guard job.observation != .observed else { return "" }
        let title = job.observationNote.map { " title=\"\(escape($0))\"" } ?? ""
        return " <span class=\"badge\"\(title)>\(escape(job.observation.rawValue))</span>"
    }

    /// The last failure: its outcome and when in the cell, its whole error when opened (no script needed).
    static func errorCell(_ job: JobStats, full: String?, now: Date) -> String {
        guard let failure = job.lastFailure else { return "–" }
        let text = failureText(full ?? failure.error, outcome: failure.outcome, httpStatus: failure.httpStatus)
        let when = RelativeTime.text(failure.at, now: now)
        let summary = "\(failure.outcome) \(when)"
        guard !text.isEmpty else { return "<span title=\"\(Timestamp.rfc3339(failure.at))\">\(escape(summary))</span>" }
        return "<details><summary title=\"\(Timestamp.rfc3339(failure.at))\">\(escape(summary))</summary>"
            + "<div class=\"err\">\(escape(text))</div></details>"
    }

    /// Seven squares, one per day: green ≥ 95 % success, amber ≥ 50 %, red below, grey without runs.
    static func heatStrip(_ buckets: [RunBucket]?) -> String {
        let perDay = 24 / DashboardFacts.bucketHours
        var rects = ""
        for day in 0..<DashboardFacts.days {
            var runs = 0, ok = 0
            for b in (buckets ?? [])[safe: day * perDay..<(day + 1) * perDay] {
                runs += b.runs - b.skipped
                ok += b.successes
            }
            let colour: StatusColour
            let label: String
            if runs == 0 {
                colour = .grey
                label = "no runs"
            } else {
                let rate = Double(ok) / Double(runs)
                colour = rate >= 0.95 ? .green : rate >= 0.5 ? .amber : .red
                label = "\(ok)/\(runs) ok"
            }
            rects += "<rect x=\"\(day * 16)\" y=\"0\" width=\"14\" height=\"14\" rx=\"2\" fill=\"\(colours[colour] ?? "")\"\(colour == .grey ? " fill-opacity=\"0.35\"" : "")><title>day \(day + 1): \(label)</title></rect>"
        }
        return "<svg class=\"heat\" width=\"112\" height=\"14\" viewBox=\"0 0 112 14\" role=\"img\" aria-label=\"7-day success\">\(rects)</svg>"
    }

    /// The latest runs, one bar each (oldest left), coloured by outcome, as tall as its duration next to the slowest
    /// shown: two runs are two bars, not an empty chart.
    static func sparkline(_ runs: [RunMark]) -> String {
        guard !runs.isEmpty else {
            return "<svg class=\"spark\" width=\"120\" height=\"22\" viewBox=\"0 0 120 22\" role=\"img\" aria-label=\"no runs\">"
                + "<line x1=\"0\" y1=\"21\" x2=\"120\" y2=\"21\" stroke=\"#e5e7eb\"/><title>no run recorded</title></svg>"
        }
        let top = max(runs.compactMap(\.durationMs).max() ?? 0, 1)
        var bars = ""
        for (i, run) in runs.enumerated() {
            let height = run.durationMs.map { max(4, ($0 / top * 20).rounded()) } ?? 4
            bars += "<rect x=\"\(i * 6)\" y=\"\(Int(22 - height))\" width=\"4\" height=\"\(Int(height))\" "
                + "fill=\"\(colours[runColour(run.outcome)] ?? "")\" data-outcome=\"\(escape(run.outcome))\">"
                + "<title>\(escape(Timestamp.rfc3339(run.at))): \(escape(run.outcome))\(run.durationMs.map { ", " + ms($0) } ?? "")</title></rect>"
        }
        return "<svg class=\"spark\" width=\"120\" height=\"22\" viewBox=\"0 0 120 22\" role=\"img\" "
            + "aria-label=\"the latest \(runs.count) runs\">\(bars)</svg>"
    }

    /// The colour of a run's outcome: green ok, grey skipped or interrupted, amber unknown, red any failure.
    static func runColour(_ outcome: String) -> StatusColour {
        switch outcome {
        case "ok": return .green
        case "skipped", "interrupted", "circuit_open", "dependency_skipped": return .grey
        case "unknown": return .amber
        default: return .red
        }
    }

    static func failuresSection(_ facts: DashboardFacts) -> String {
        var s = "<section class=\"failures\"><h2>Recent failures</h2>\n"
        guard !facts.recentFailures.isEmpty else { return s + "<p class=\"empty\">No failed run in the last 7 days.</p></section>\n" }
        s += "<table><thead><tr><th>when</th><th>job</th><th>outcome</th><th>HTTP</th><th>error</th></tr></thead><tbody>\n"
        for item in facts.recentFailures {
            let f = item.failure
            s += "<tr><td class=\"mono\">\(escape(Timestamp.rfc3339(f.at)))</td><td>\(escape(item.job.description))</td>"
                + "<td>\(escape(f.outcome))</td><td>\(f.httpStatus.map(String.init) ?? "–")</td>"
                + "<td class=\"err\">\(escape(failureText(f.error, outcome: f.outcome, httpStatus: f.httpStatus)))</td></tr>\n"
        }
        return s + "</tbody></table></section>\n"
    }

    /// Unresolved dead letters, one row per job (and holder) with a count and the newest one's reason.
    static func deadLettersSection(_ facts: DashboardFacts, now: Date) -> String {
        var s = "<section class=\"dead\"><h2>Dead letters <span class=\"slug\">\(facts.unresolvedDeadLetters) unresolved</span></h2>\n"
        guard !facts.deadLetterGroups.isEmpty else { return s + "<p class=\"empty\">No unresolved dead letter.</p></section>\n" }
        s += "<table><thead><tr><th>job</th><th>count</th><th>newest</th><th>attempts</th><th>replays</th><th>newest error</th></tr></thead><tbody>\n"
        for g in facts.deadLetterGroups {
            s += "<tr data-dead=\"\(escape(g.ref.description))\" data-origin=\"\(escape(g.origin))\"><td>\(escape(g.app))/\(escape(g.job))"
                + (g.origin == "rbscron" ? "" : " <span class=\"badge\">held by \(escape(g.origin))</span>") + "</td>"
                + "<td class=\"count\">\(g.count)</td><td>\(timeCell(g.newestAt, now: now))</td>"
                + "<td>\(g.newestAttempts)</td><td>\(g.replays)</td><td class=\"err\">\(escape(failureText(g.newestError)))</td></tr>\n"
        }
        return s + "</tbody></table></section>\n"
    }

    /// What the page says of a failure: for an HTTP error only `HTTP <status>`, never the text of the response that
    /// came with it (a failing endpoint's body may carry anything); rbscron's own words for the other failures.
    static func failureText(_ error: String?, outcome: String? = nil, httpStatus: Int? = nil) -> String {
        if outcome == "http_error", let httpStatus { return "HTTP \(httpStatus)" }
        guard let error else { return "" }
        // The text up to the status: `HTTP 500: body` → `HTTP 500`; a layer's dead letter, `QStash gave up after 4
        // attempt(s): HTTP 500 body` → the same without the body.
        if let match = error.firstMatch(of: /HTTP [0-9]{3}/) { return String(error[..<match.range.upperBound]) }
        return error
    }

    /// Days left before Supabase pauses a project: 7 minus the days since its last successful keep-alive ping.
    public static func keepAliveDaysLeft(lastOk: Date?, now: Date) -> Double? {
        guard let lastOk else { return nil }
        return max(0, pauseDays - now.timeIntervalSince(lastOk) / 86_400)
    }

    static func keepAliveSection(_ facts: DashboardFacts, inventory: Inventory, apps: Set<String>, now: Date) -> String {
        let projects = inventory.apps.filter { $0.supabase != nil && apps.contains($0.name) }
        var s = "<section class=\"keepalive\"><h2>Keep-alive <span class=\"slug\">Supabase pauses after 7 days idle</span></h2>\n"
        guard !projects.isEmpty else { return s + "<p class=\"empty\">No Supabase project.</p></section>\n" }
        s += "<table><thead><tr><th></th><th>app</th><th>project</th><th>last ok ping</th><th>days left</th><th>latest attempt</th></tr></thead><tbody>\n"
        for app in projects {
            let ping = facts.keepAlive[app.name]
            let left = keepAliveDaysLeft(lastOk: ping?.lastOkAt, now: now)
            var colour: StatusColour = left.map { $0 >= 3 ? .green : $0 >= 1 ? .amber : .red } ?? .grey
            if ping?.lastOkAt == nil, ping?.lastAttemptAt != nil { colour = .red }
            let bar = left.map { days in
                "<svg width=\"70\" height=\"8\" viewBox=\"0 0 70 8\"><rect width=\"70\" height=\"8\" rx=\"2\" fill=\"#e5e7eb\"/>"
                    + "<rect width=\"\(Int(days * 10))\" height=\"8\" rx=\"2\" fill=\"\(colours[colour] ?? "")\"/></svg> "
                    + String(format: "%.1f", days)
            } ?? (ping == nil ? "never pinged" : "no good ping yet")
            s += "<tr class=\"status-\(colour.rawValue)\" data-app=\"\(escape(app.name))\"><td>\(dot(colour))</td>"
                + "<td>\(escape(app.displayName))</td><td class=\"mono\">\(escape(app.supabase?.projectRef ?? "–"))</td>"
                + "<td>\(timeCell(ping?.lastOkAt, now: now))</td><td>\(bar)</td>"
                + "<td class=\"attempt\">\(keepAliveAttempt(ping, now: now))</td></tr>\n"
        }
        return s + "</tbody></table></section>\n"
    }

    /// The latest ping: ok, or failed with its reason (and how many failed since the last good one).
    static func keepAliveAttempt(_ ping: KeepAliveFacts?, now: Date) -> String {
        guard let ping, let at = ping.lastAttemptAt else { return "–" }
        if ping.lastAttemptOk != false { return "ok " + timeCell(at, now: now) }
        let count = ping.failuresSinceOk > 1 ? " (\(ping.failuresSinceOk) in a row)" : ""
        return "<span class=\"bad\">failed</span> \(timeCell(at, now: now))\(count): "
            + "<span class=\"err\">\(escape(ping.lastError ?? "no reason recorded"))</span>"
    }

    /// The last `audit` of each endpoint of the report's jobs: red when it let a caller without the secret in, amber
    /// for a warning (a 500, a 405 to Vercel's GET, no answer), green when every probe was refused.
    static func auditSection(_ facts: DashboardFacts, jobs: [JobRef]) -> String {
        let audited = jobs.compactMap { ref in facts.audits[ref].map { (ref, $0) } }
        var s = "<section class=\"audit\"><h2>Endpoint audit <span class=\"slug\">probes without or with wrong credentials</span></h2>\n"
        guard !audited.isEmpty else {
            return s + "<p class=\"empty\">No endpoint audited yet: run <code>rbscron audit</code>.</p></section>\n"
        }
        let rank = ["critical": 0, "warning": 1, "info": 2, "ok": 3]
        s += "<table><thead><tr><th></th><th>endpoint</th><th>audited</th><th>probes</th><th>verdict</th><th>detail</th></tr></thead><tbody>\n"
        for (ref, probes) in audited {
            let sent = probes.filter { $0.severity != nil }
            let worst = sent.min { (rank[$0.severity ?? ""] ?? 9) < (rank[$1.severity ?? ""] ?? 9) }
            let colour: StatusColour
            switch worst?.severity {
            case "critical": colour = .red
            case "warning": colour = .amber
            case "info", "ok": colour = .green
            default: colour = .grey
            }
            let verdict = worst.map { w in
                w.severity == "ok" ? "refused every probe" : "\(w.severity ?? ""): \(w.probe) \(w.verdict)"
                    + (w.httpStatus.map { " (\($0))" } ?? "")
            } ?? "nothing sent"
            let detail = worst?.severity == "ok" ? "" : auditDetail(worst)
            s += "<tr class=\"status-\(colour.rawValue)\" data-audit=\"\(escape(ref.description))\" data-severity=\"\(escape(worst?.severity ?? "none"))\">"
                + "<td>\(dot(colour))</td><td>\(escape(ref.description)) <span class=\"mono\">\(escape(probes.first?.method ?? ""))</span></td>"
                + "<td class=\"mono\">\(escape(probes.first.map { Timestamp.rfc3339($0.auditedAt) } ?? "–"))</td>"
                + "<td>\(sent.count)</td><td>\(escape(verdict))</td><td class=\"err\">\(escape(detail))</td></tr>\n"
        }
        return s + "</tbody></table></section>\n"
    }

    /// What the page says of a probe: an answer by its status only (the response text that `audit` prints stays out
    /// of the page, like a failed run's), otherwise rbscron's own words for why there was no answer.
    static func auditDetail(_ probe: AuditProbeRecord?) -> String {
        guard let probe else { return "" }
        if let status = probe.httpStatus {
            let redirected = probe.finalURL.map { $0 != probe.url } ?? false
            return "HTTP \(status)" + (redirected ? " after redirects" : "")
        }
        return probe.detail ?? ""
    }

    static let css = """
        *{box-sizing:border-box}body{margin:0;padding:20px 28px;font:13px/1.4 system-ui,-apple-system,"Segoe UI",\
        Roboto,sans-serif;color:#111827;background:#f9fafb}h1{margin:0 0 4px;font-size:22px}h2{font-size:15px;\
        margin:0 0 8px}.meta{color:#6b7280;margin:0 0 12px}.summary{display:flex;gap:10px;margin-bottom:10px}\
        .tile{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:6px 12px}.tile b{font-size:16px;\
        margin-right:4px}.legend{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:8px 12px;\
        margin-bottom:14px}.legend ul{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:4px 18px}\
        .legend h2{display:none}.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;\
        vertical-align:middle}main{display:grid;grid-template-columns:repeat(auto-fill,minmax(1100px,1fr));gap:14px}\
        section.app{overflow-x:auto}\
        section.app,.lower section{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:10px 12px}\
        .slug{color:#6b7280;font-weight:400;font-size:12px;margin-left:6px}.health{float:right;color:#374151;\
        font-weight:400;font-size:12px}table{border-collapse:collapse;width:100%}th{text-align:left;color:#6b7280;\
        font-weight:500;font-size:11px;border-bottom:1px solid #e5e7eb;padding:3px 5px}td{padding:3px 5px;\
        border-bottom:1px solid #f3f4f6;white-space:nowrap;font-size:12px}td.name{font-weight:500}.mono{font-family:ui-monospace,\
        Menlo,Consolas,monospace;font-size:12px}.err{white-space:normal;color:#991b1b;max-width:420px}\
        tr.status-red td.name{color:#b91c1c}tr.status-grey td{color:#6b7280}svg{vertical-align:middle}\
        .lower{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));gap:14px;margin-top:14px}\
        .empty{color:#6b7280}.attention{background:#fff;border:1px solid #e5e7eb;border-left:4px solid #dc2626;\
        border-radius:6px;padding:10px 12px;margin-bottom:14px}.attention ol{margin:0;padding-left:22px}.attention li{\
        margin:2px 0}.attention li.status-amber{color:#374151}.kind{display:inline-block;font-size:11px;color:#6b7280;\
        border:1px solid #e5e7eb;border-radius:4px;padding:0 4px;margin-right:4px}.badge{display:inline-block;\
        font-size:10px;font-weight:400;color:#6b7280;background:#f3f4f6;border-radius:4px;padding:0 4px;margin-left:4px}\
        .bad{color:#b91c1c;font-weight:600}.why{margin:0 0 6px;color:#991b1b}.why.status-amber{color:#92400e}\
        .impact{margin:0 0 6px;color:#991b1b;font-weight:500}details summary{cursor:pointer;color:#991b1b}\
        td.error{white-space:normal;min-width:120px;max-width:240px}td.error .err{max-width:none}
        """
}

fileprivate extension Array {
    /// The elements of `range` that exist.
    subscript(safe range: Range<Int>) -> ArraySlice<Element> {
        let lower = Swift.max(range.lowerBound, startIndex), upper = Swift.min(range.upperBound, endIndex)
        return lower < upper ? self[lower..<upper] : []
    }
}
