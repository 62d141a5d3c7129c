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
        return html(report: report, facts: facts, inventory: inventory)
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
    static func fireStrip(_ fires: [FireAccount], limit: Int = 48) -> String {
        guard !fires.isEmpty else { return "<span class=\"mono\">–</span>" }
        let shown = fires.suffix(limit)
        var rects = ""
        for (i, fire) in shown.enumerated() {
            let colour = fire.state.colour
            let faint = fire.state == .unobserved || fire.state == .paused || (fire.state == .pending && fire.calledAt == nil)
            rects += "<rect x=\"\(i * 5)\" y=\"0\" width=\"4\" height=\"14\" fill=\"\(colours[colour] ?? "")\""
                + (faint ? " fill-opacity=\"0.35\"" : "")
                + " data-state=\"\(fire.state.rawValue)\"><title>\(escape(Timestamp.rfc3339(fire.at))): \(escape(fire.reasonWithoutDetail ?? fire.reason))</title></rect>"
        }
        let width = shown.count * 5
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
            \(escape(Timestamp.rfc3339(report.since))) · heat strip and sparkline: last 7 days</p>
            </header>

            """
        page += summary(report)
        page += legendHTML()
        page += "<main>\n"
        let jobsByApp = Dictionary(grouping: report.jobs, by: \.app)
        for app in report.apps where jobsByApp[app.app] != nil || report.jobs.isEmpty {
            page += appSection(app, jobs: jobsByApp[app.app] ?? [], facts: facts)
        }
        page += "</main>\n<div class=\"lower\">\n"
        page += failuresSection(facts)
        page += deadLettersSection(facts)
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

    static func appSection(_ app: AppStats, jobs: [JobStats], facts: DashboardFacts) -> String {
        var s = """
            <section class="app" data-app="\(escape(app.app))">
            <h2>\(dot(app.status))\(escape(app.displayName)) <span class="slug">\(escape(app.app))</span>
            <span class="health">uptime \(percent(app.uptime)) · p95 \(ms(app.p95LatencyMs)) · \(app.checks) checks</span></h2>
            <table>
            <thead><tr><th></th><th>job</th><th>layer</th><th>schedule</th><th>runs</th><th>success</th>\
            <th>p95</th><th>streak</th><th>missed</th><th>fires</th><th>7 days</th><th>latency</th></tr></thead>
            <tbody>

            """
        for job in jobs {
            let missed = job.missedFires.map(String.init) ?? job.observation.rawValue
            s += """
                <tr class="job status-\(job.status.rawValue)" data-job="\(escape(job.ref.description))" \
                data-status="\(job.status.rawValue)" title="\(escape(job.description))">\
                <td>\(dot(job.status))</td><td class="name">\(escape(job.job))</td><td>\(escape(job.layer.rawValue))</td>\
                <td class="mono">\(escape(job.schedule ?? "–"))</td><td>\(job.runs)</td><td>\(percent(job.successRate))</td>\
                <td>\(ms(job.p95Ms))</td><td>\(job.failureStreak)</td><td>\(escape(missed))</td>\
                <td>\(fireStrip(job.fires))</td><td>\(heatStrip(facts.buckets[job.ref]))</td><td>\(sparkline(facts.buckets[job.ref]))</td></tr>

                """
        }
        return s + "</tbody></table></section>\n"
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

    /// Mean duration per six-hour bucket as a line; gaps where a bucket had no timed run.
    static func sparkline(_ buckets: [RunBucket]?) -> String {
        let width = 120.0, height = 22.0
        let values = (buckets ?? []).map(\.meanMs)
        let present = values.compactMap { $0 }
        guard let top = present.max(), let bottom = present.min() else {
            return "<svg class=\"spark\" width=\"120\" height=\"22\" viewBox=\"0 0 120 22\"><line x1=\"0\" y1=\"21\" x2=\"120\" y2=\"21\" stroke=\"#e5e7eb\"/></svg>"
        }
        let span = max(top - bottom, 1)
        let step = width / Double(max(DashboardFacts.bucketCount - 1, 1))
        var segments: [[String]] = [[]]
        for (i, value) in values.enumerated() {
            guard let value else {
                if !(segments.last?.isEmpty ?? true) { segments.append([]) }
                continue
            }
            let x = Double(i) * step, y = height - 2 - (value - bottom) / span * (height - 4)
            segments[segments.count - 1].append(String(format: "%.1f,%.1f", x, y))
        }
        let lines = segments.filter { !$0.isEmpty }.map { points -> String in
            if points.count == 1 {
                let xy = points[0].split(separator: ",")
                return "<circle cx=\"\(xy[0])\" cy=\"\(xy[xy.count - 1])\" r=\"1.5\" fill=\"#2563eb\"/>"
            }
            return "<polyline fill=\"none\" stroke=\"#2563eb\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>"
        }.joined()
        return "<svg class=\"spark\" width=\"120\" height=\"22\" viewBox=\"0 0 120 22\" role=\"img\" aria-label=\"latency\"><title>\(ms(bottom)) – \(ms(top))</title>\(lines)</svg>"
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

    static func deadLettersSection(_ facts: DashboardFacts) -> String {
        var s = "<section class=\"dead\"><h2>Dead letters <span class=\"slug\">\(facts.unresolvedDeadLetters) unresolved</span></h2>\n"
        guard !facts.deadLetters.isEmpty else { return s + "<p class=\"empty\">No unresolved dead letter.</p></section>\n" }
        s += "<table><thead><tr><th>since</th><th>job</th><th>attempts</th><th>replays</th><th>last error</th></tr></thead><tbody>\n"
        for d in facts.deadLetters {
            s += "<tr><td class=\"mono\">\(escape(Timestamp.rfc3339(d.createdAt)))</td><td>\(escape(d.app))/\(escape(d.job))"
                + (d.origin == "rbscron" ? "" : " <span class=\"slug\">held by \(escape(d.origin))</span>") + "</td>"
                + "<td>\(d.attempts)</td><td>\(d.replayCount)</td><td class=\"err\">\(escape(failureText(d.lastError)))</td></tr>\n"
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
        s += "<table><thead><tr><th></th><th>app</th><th>project</th><th>last ok ping</th><th>days left</th></tr></thead><tbody>\n"
        for app in projects {
            let ping = facts.keepAlive[app.name]
            let left = keepAliveDaysLeft(lastOk: ping?.lastOkAt, now: now)
            let colour: StatusColour = left.map { $0 >= 3 ? .green : $0 >= 1 ? .amber : .red } ?? .grey
            let bar = left.map { days in
                "<svg width=\"70\" height=\"8\" viewBox=\"0 0 70 8\"><rect width=\"70\" height=\"8\" rx=\"2\" fill=\"#e5e7eb\"/>"
                    + "<rect width=\"\(Int(days * 10))\" height=\"8\" rx=\"2\" fill=\"\(colours[colour] ?? "")\"/></svg> "
                    + String(format: "%.1f", days)
            } ?? "never pinged"
            s += "<tr class=\"status-\(colour.rawValue)\" data-app=\"\(escape(app.name))\"><td>\(dot(colour))</td>"
                + "<td>\(escape(app.displayName))</td><td class=\"mono\">\(escape(app.supabase?.projectRef ?? "–"))</td>"
                + "<td class=\"mono\">\(ping?.lastOkAt.map { escape(Timestamp.rfc3339($0)) } ?? "–")</td><td>\(bar)</td></tr>\n"
        }
        return s + "</tbody></table></section>\n"
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
        section.app,.lower section{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:10px 12px}\
        .slug{color:#6b7280;font-weight:400;font-size:12px;margin-left:6px}.health{float:right;color:#374151;\
        font-weight:400;font-size:12px}table{border-collapse:collapse;width:100%}th{text-align:left;color:#6b7280;\
        font-weight:500;font-size:11px;border-bottom:1px solid #e5e7eb;padding:3px 6px}td{padding:3px 6px;\
        border-bottom:1px solid #f3f4f6;white-space:nowrap}td.name{font-weight:500}.mono{font-family:ui-monospace,\
        Menlo,Consolas,monospace;font-size:12px}.err{white-space:normal;color:#991b1b;max-width:420px}\
        tr.status-red td.name{color:#b91c1c}tr.status-grey td{color:#6b7280}svg{vertical-align:middle}\
        .lower{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));gap:14px;margin-top:14px}\
        .empty{color:#6b7280}
        """
}

fileprivate extension Array {
    /// The elements of `range` that exist.
    subscript(safe range: Range<Int>) -> ArraySlice<Element> {
        let lower = Swift.max(range.lowerBound, startIndex), upper = Swift.min(range.upperBound, endIndex)
        return lower < upper ? self[lower..<upper] : []
    }
}
