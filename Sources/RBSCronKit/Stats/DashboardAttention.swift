import Foundation

/// One line of the dashboard's "needs attention" panel: something an operator should look at now.
public struct AttentionItem: Sendable, Equatable {
    /// What kind of problem; the order of the cases is the order of equally bad items on the panel.
    public enum Kind: String, Sendable, CaseIterable {
        case appDown = "app_down"
        case keepAlive = "keepalive"
        case jobFailing = "job_failing"
        case breakerOpen = "breaker_open"
        case missedFires = "missed_fires"
        case deadLetters = "dead_letters"
        case appDegraded = "app_degraded"
    }

    public var kind: Kind
    /// Red (worst) or amber.
    public var colour: StatusColour
    /// The app or `APP/JOB` the item is about.
    public var subject: String
    public var text: String
    /// Orders items of the same colour and kind: the larger first (a longer failure streak, more missed fires).
    public var weight: Double

    /// `items` worst first: red before amber, then by kind, then by weight, then by subject.
    public static func ordered(_ items: [AttentionItem]) -> [AttentionItem] {
        let kinds = Dictionary(uniqueKeysWithValues: Kind.allCases.enumerated().map { ($1, $0) })
        return items.sorted { a, b in
            if a.colour.severity != b.colour.severity { return a.colour.severity > b.colour.severity }
            if a.kind != b.kind { return kinds[a.kind, default: 0] < kinds[b.kind, default: 0] }
            if a.weight != b.weight { return a.weight > b.weight }
            return a.subject < b.subject
        }
    }
}

extension Dashboard {
    /// Everything on the page that needs attention, worst first.
    public static func attention(report: StatsReport, facts: DashboardFacts, inventory: Inventory) -> [AttentionItem] {
        var items: [AttentionItem] = []
        for app in report.apps { items += appItems(app, now: report.generatedAt) }
        for job in report.jobs { items += jobItems(job, facts: facts, now: report.generatedAt) }
        for group in facts.deadLetterGroups {
            let held = group.origin == "rbscron" ? "" : " (held by \(group.origin))"
            items.append(AttentionItem(
                kind: .deadLetters, colour: .amber, subject: group.ref.description,
                text: "\(group.count) unresolved dead letter\(group.count == 1 ? "" : "s")\(held), newest "
                    + "\(RelativeTime.text(group.newestAt, now: report.generatedAt)): \(failureText(group.newestError))",
                weight: Double(group.count)))
        }
        items += keepAliveItems(facts, inventory: inventory, apps: Set(report.apps.map(\.app)), now: report.generatedAt)
        return AttentionItem.ordered(items)
    }

    /// A down app (with the apps that lose jobs because of it) or a degraded one.
    static func appItems(_ app: AppStats, now: Date) -> [AttentionItem] {
        switch app.lastStatus {
        case "down"?:
            var text = "down: \(healthReason(app))"
            if let impact = impactText(app) { text += ". " + impact }
            return [AttentionItem(kind: .appDown, colour: .red, subject: app.app, text: text,
                                  weight: Double(app.dependentsAffected.count))]
        case "degraded"?:
            return [AttentionItem(kind: .appDegraded, colour: .amber, subject: app.app,
                                  text: "degraded: \(healthReason(app))", weight: 0)]
        default:
            return []
        }
    }

    /// A failing job, its open circuit breaker and its missed fires.
    static func jobItems(_ job: JobStats, facts: DashboardFacts, now: Date) -> [AttentionItem] {
        var items: [AttentionItem] = []
        let subject = job.ref.description
        if job.failureStreak > 0 {
            var text = "\(job.failureStreak) failed run\(job.failureStreak == 1 ? "" : "s") in a row"
            if let failure = job.lastFailure {
                text += ", latest \(RelativeTime.text(failure.at, now: now)): "
                    + clip(failureText(failure.error, outcome: failure.outcome, httpStatus: failure.httpStatus))
            }
            items.append(AttentionItem(kind: .jobFailing, colour: .red, subject: subject, text: text,
                                       weight: Double(job.failureStreak)))
        }
        if let breaker = facts.breakers[job.ref] {
            items.append(AttentionItem(kind: .breakerOpen, colour: .red, subject: subject,
                                       text: "circuit breaker \(breaker)", weight: Double(job.failureStreak)))
        }
        if let missed = job.missedFires, missed > 0 {
            let last = job.lastMissedFire.map { ", last \(RelativeTime.text($0, now: now))" } ?? ""
            items.append(AttentionItem(kind: .missedFires, colour: job.status == .red ? .red : .amber, subject: subject,
                                       text: "\(missed) of \(job.expectedFires ?? missed) fires missed\(last)",
                                       weight: Double(missed)))
        }
        return items
    }

    /// Projects whose keep-alive is overdue, or whose latest pings failed.
    static func keepAliveItems(_ facts: DashboardFacts, inventory: Inventory, apps: Set<String>, now: Date) -> [AttentionItem] {
        inventory.apps.filter { $0.supabase != nil && apps.contains($0.name) }.compactMap { app in
            guard let ping = facts.keepAlive[app.name] else { return nil }
            let reason = ping.lastError.map { ": \($0)" } ?? ""
            guard let lastOk = ping.lastOkAt else {
                return AttentionItem(kind: .keepAlive, colour: .red, subject: app.name,
                                     text: "keep-alive never succeeded (\(ping.failuresSinceOk) failed ping\(ping.failuresSinceOk == 1 ? "" : "s"))\(reason)",
                                     weight: Double(ping.failuresSinceOk))
            }
            let days = now.timeIntervalSince(lastOk) / 86_400
            let state = KeepaliveStatusReport.state(daysSince: days)
            guard state != .ok || ping.lastAttemptOk == false else { return nil }
            let left = keepAliveDaysLeft(lastOk: lastOk, now: now) ?? 0
            var text = String(format: "last good keep-alive ping %.1f days ago, %.1f days before Supabase pauses the project", days, left)
            if ping.lastAttemptOk == false { text += "; the latest ping failed\(reason)" }
            return AttentionItem(kind: .keepAlive, colour: state == .overdue ? .red : .amber, subject: app.name,
                                 text: text, weight: days)
        }
    }

    /// `text` cut at a word boundary before `limit` characters, with "…" (the job's row has the whole text).
    static func clip(_ text: String, limit: Int = 140) -> String {
        guard text.count > limit else { return text }
        let head = text.prefix(limit)
        let cut = head.lastIndex(of: " ").map { head[..<$0] } ?? head
        return cut.trimmingCharacters(in: .punctuationCharacters.union(.whitespaces)) + " …"
    }

    /// Why the latest health check was not up, in words: `HTTP 503`, `timeout`, `slow (HTTP 200)`.
    static func healthReason(_ app: AppStats) -> String {
        let status = app.lastHTTPStatus.map { "HTTP \($0)" }
        switch app.lastReason {
        case HealthReason.httpStatus.rawValue?: return status ?? "unexpected HTTP status"
        case HealthReason.invalidURL.rawValue?: return "invalid health URL"
        case let reason?: return reason + (status.map { " (\($0))" } ?? "")
        case nil: return status ?? "no reason recorded"
        }
    }

    /// `colectiva down → agora, la-hoja, servilleta lose background jobs`, when some do.
    static func impactText(_ app: AppStats) -> String? {
        guard !app.dependentsAffected.isEmpty else { return nil }
        return "\(app.app) down → \(app.dependentsAffected.map(\.app).joined(separator: ", ")) lose background jobs"
    }

    static func attentionSection(_ items: [AttentionItem]) -> String {
        var s = "<section class=\"attention\" id=\"attention\"><h2>Needs attention <span class=\"slug\">\(items.count) "
            + "item\(items.count == 1 ? "" : "s"), worst first</span></h2>\n"
        guard !items.isEmpty else { return s + "<p class=\"empty\">Nothing needs attention.</p></section>\n" }
        s += "<ol>\n"
        for item in items {
            s += "<li class=\"status-\(item.colour.rawValue)\" data-kind=\"\(item.kind.rawValue)\" data-subject=\"\(escape(item.subject))\">"
                + "\(dot(item.colour))<b>\(escape(item.subject))</b> <span class=\"kind\">\(escape(kindLabel(item.kind)))</span> "
                + "\(escape(item.text))</li>\n"
        }
        return s + "</ol></section>\n"
    }

    static func kindLabel(_ kind: AttentionItem.Kind) -> String {
        switch kind {
        case .appDown: return "app down"
        case .keepAlive: return "keep-alive"
        case .jobFailing: return "failing"
        case .breakerOpen: return "breaker open"
        case .missedFires: return "missed fires"
        case .deadLetters: return "dead letters"
        case .appDegraded: return "app degraded"
        }
    }
}
