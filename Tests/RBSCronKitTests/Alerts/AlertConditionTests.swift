import Foundation
import Testing

@testable import RBSCronKit

/// Each condition source against evidence written straight into the store (the stats fixture's inventory).
@Suite("alert conditions: each source judges its kind from the inventory's evidence")
struct AlertConditionTests {
    typealias F = StatsFixture
    let hour = StatsFixture.hour, day = StatsFixture.day

    func context(_ store: InventoryStore, policy: AlertPolicy = AlertPolicy(), plans: [LayerPlan]? = nil,
                 now: Date = StatsFixture.now) throws -> AlertContext {
        AlertContext(inventory: try store.inventory(), store: store, now: now, policy: policy,
                     stats: try StatsEngine.report(store: store, query: StatsQuery(since: policy.window, now: now)),
                     redactor: Redactor(secrets: ["hidden-secret-value"]), layerPlans: plans)
    }

    func conditions(_ source: any AlertConditionSource, _ context: AlertContext) throws -> [AlertCondition] {
        guard case .judged(let conditions) = try source.judge(context) else {
            Issue.record("\(source.kind) was not judged")
            return []
        }
        return conditions
    }

    @Test("job_failing: the streak against the threshold; since is the streak's first failure; errors redacted")
    func jobFailing() throws {
        let store = try F.store()
        try F.insert([
            .init(startedAt: F.now.addingTimeInterval(-4 * hour)),
            .init(startedAt: F.now.addingTimeInterval(-3 * hour), outcome: "http_error", httpStatus: 502, error: "bad gateway"),
            .init(startedAt: F.now.addingTimeInterval(-2 * hour), outcome: "timeout",
                  error: "took too long with hidden-secret-value\nsecond line"),
        ], into: store)
        let found = try conditions(JobFailingSource(), context(store))
        #expect(found.map(\.key) == ["job_failing:camino/hourly"])
        let condition = try #require(found.first)
        #expect(condition.summary == "camino/hourly failed 2 runs in a row")
        #expect(condition.since == F.now.addingTimeInterval(-3 * hour))
        #expect(condition.detail == "timeout: took too long with [REDACTED] second line")
        #expect(condition.severity == .warning && condition.layer == .vercel)
        #expect(try conditions(JobFailingSource(), context(store, policy: AlertPolicy(failures: 3))).isEmpty)
    }

    @Test("success_rate: off by default; below the threshold over enough runs opens; a job's own rate wins")
    func successRate() throws {
        let store = try F.store()
        let outcomes = ["ok", "http_error", "ok", "timeout", "ok", "http_error", "ok", "http_error", "ok", "ok"]
        try F.insert(outcomes.enumerated().map { i, outcome in
            .init(startedAt: F.now.addingTimeInterval(Double(i - 10) * hour), outcome: outcome)
        }, into: store)
        #expect(try conditions(SuccessRateSource(), context(store)).isEmpty, "no threshold, no condition")
        let found = try conditions(SuccessRateSource(), context(store, policy: AlertPolicy(minSuccessRate: 0.9)))
        #expect(found.map(\.summary) == ["camino/hourly succeeded in 60% of its 10 runs over 1d (alert below 90%)"])
        #expect(try conditions(SuccessRateSource(), context(store, policy: AlertPolicy(minSuccessRate: 0.5))).isEmpty)
        #expect(try conditions(SuccessRateSource(), context(store, policy: AlertPolicy(minSuccessRate: 0.9, minRuns: 11))).isEmpty)
        var inventory = try store.inventory()
        inventory.jobs[0].alert = JobAlertPolicy(successRate: 0.65)
        _ = try store.replaceInventory(with: inventory, now: F.now)
        #expect(try conditions(SuccessRateSource(), context(store)).count == 1)
    }

    @Test("missed_fire: only the latest judgeable fire counts, and only for a job whose fires are observed")
    func missedFire() throws {
        let store = try F.store()
        // Due runs for the hourly fires from 02:00 to 10:00; 11:00 (judgeable: older than 15 minutes) is missed.
        try F.insert((2...10).map { h in
            let fire = Date(timeIntervalSince1970: 1_775_779_200 + Double(h) * 3600)  // 2026-04-10T00:00Z + h
            return .init(source: "due", scheduledFor: fire, startedAt: fire.addingTimeInterval(30))
        }, into: store)
        let found = try conditions(MissedFireSource(), context(store))
        #expect(found.map(\.key) == ["missed_fire:camino/hourly"])
        let condition = try #require(found.first)
        #expect(condition.since == Timestamp.parse("2026-04-10T11:00:00Z"))
        #expect(condition.summary.hasPrefix("camino/hourly did not run its vercel fire of 2026-04-10T11:00:00Z"))
        // The 11:00 fire ran (late, within the tolerance): the latest is covered, earlier misses do not count.
        try F.insert([.init(source: "due", startedAt: Timestamp.parse("2026-04-10T11:05:00Z") ?? F.now)], into: store)
        #expect(try conditions(MissedFireSource(), context(store)).isEmpty)
        // A job never fired by due mode nor synced is unobserved: never judged missed.
        #expect(try context(store).stats.job("camino/sync")?.observation == .unobserved)
        // The one function: its answer for the job's stats directly.
        let report = try context(store, now: F.now.addingTimeInterval(2 * hour)).stats
        let stats = try #require(report.job("camino/hourly"))
        let job = try #require(try store.inventory().job(JobRef(app: "camino", job: "hourly")))
        #expect(MissedFireEvidence.latestMiss(of: job, stats: stats, report: report)?.fire == Timestamp.parse("2026-04-10T13:00:00Z"))
    }

    @Test("endpoint_open: critical when the latest audit let a caller in; not judged before any audit; cleared by the next")
    func endpointOpen() throws {
        let store = try F.store()
        guard case .notJudged = try EndpointOpenSource().judge(try context(store)) else {
            Issue.record("judged without any audit")
            return
        }
        func probe(_ at: Date, _ name: String, status: Int, severity: String, detail: String?) -> AuditProbeRecord {
            AuditProbeRecord(auditedAt: at, app: "camino", job: "hourly", method: "POST", url: "https://camino.example.test/api/cron/hourly",
                             probe: name, expected: "401 or 403", httpStatus: status, finalURL: nil,
                             verdict: severity == "ok" ? "denied" : "let in", severity: severity, detail: detail, totalMs: 12)
        }
        let first = F.now.addingTimeInterval(-2 * hour)
        try store.recordAuditProbes([
            probe(first, "no_credentials", status: 200, severity: "critical", detail: "answered 200 with hidden-secret-value"),
            probe(first, "bearer_undefined", status: 200, severity: "critical", detail: nil),
            probe(first, "wrong_bearer", status: 401, severity: "ok", detail: nil),
        ])
        let found = try conditions(EndpointOpenSource(), context(store))
        #expect(found.map(\.key) == ["endpoint_open:camino/hourly"])
        #expect(found.first?.severity == .critical && found.first?.since == first)
        #expect(found.first?.summary == "camino/hourly's endpoint let a caller without its secret in: no_credentials, bearer_undefined (HTTP 200)")
        #expect(found.first?.detail?.contains("hidden-secret-value") == false)
        #expect(found.first?.lookCloser == "rbscron audit --job camino/hourly")
        // The next audit finds it closed: the condition goes.
        let second = F.now.addingTimeInterval(-hour)
        try store.recordAuditProbes([probe(second, "no_credentials", status: 401, severity: "ok", detail: nil),
                                     probe(second, "bearer_undefined", status: 401, severity: "ok", detail: nil)])
        #expect(try conditions(EndpointOpenSource(), context(store)).isEmpty)
    }

    @Test("app_down: the latest check decides; since is the first of the current run of down checks")
    func appDown() throws {
        let store = try F.store()
        try F.insertHealth("camino", at: F.now.addingTimeInterval(-3 * hour), status: "up", totalMs: 90, into: store)
        try F.insertHealth("camino", at: F.now.addingTimeInterval(-2 * hour), status: "down", totalMs: nil, into: store)
        try F.insertHealth("camino", at: F.now.addingTimeInterval(-1 * hour), status: "down", totalMs: nil, into: store)
        try F.insertHealth("colectiva", at: F.now.addingTimeInterval(-1 * hour), status: "degraded", totalMs: 2900, into: store)
        let found = try conditions(AppDownSource(), context(store))
        #expect(found.map(\.key) == ["app_down:camino"])
        #expect(found.first?.since == F.now.addingTimeInterval(-2 * hour))
        #expect(found.first?.severity == .critical && found.first?.lookCloser == "rbscron health-check --app camino")
        #expect(found.first?.detail == "HEAD https://camino.example.test/: the request failed (no reason recorded)")
        let refused = HealthCheckRecord(app: "camino", checkedAt: F.now, status: .down, method: "GET", httpStatus: 503,
                                        reason: HealthReason.httpStatus.rawValue)
        let app = try #require(try store.inventory().app(named: "camino"))
        #expect(AppDownSource.describe(refused, app: app) == "GET https://camino.example.test/ answered HTTP 503 (expected 200)")
        try F.insertHealth("camino", at: F.now, status: "up", totalMs: 80, into: store)
        #expect(try conditions(AppDownSource(), context(store)).isEmpty)
    }

    @Test("keepalive: 5 days without a ping warns, past 6 is critical, never pinged says nothing")
    func keepalive() throws {
        let store = try F.store()
        #expect(try conditions(KeepaliveSource(), context(store)).isEmpty, "never pinged: unknown, not an alert")
        try F.insertPing("camino", at: F.now.addingTimeInterval(-5.5 * day), ok: true, into: store)
        let warn = try conditions(KeepaliveSource(), context(store))
        #expect(warn.map(\.key) == ["keepalive:camino"] && warn.first?.severity == .warning)
        #expect(warn.first?.since == F.now.addingTimeInterval(-0.5 * day))
        #expect(warn.first?.summary.hasPrefix("camino's Supabase project has had no keep-alive for 5.5 days") == true)
        let overdue = try conditions(KeepaliveSource(), context(store, now: F.now.addingTimeInterval(day)))
        #expect(overdue.first?.severity == .critical)
        try F.insertPing("camino", at: F.now, ok: true, into: store)
        #expect(try conditions(KeepaliveSource(), context(store)).isEmpty)
    }

    @Test("breaker_open: the breaker's threshold of failed runs; open, then half-open after the cool-down")
    func breakerOpen() throws {
        let store = try F.store()
        try F.insert((1...5).map { i in
            .init(startedAt: F.now.addingTimeInterval(Double(i) * 60 - 600), outcome: "http_error", httpStatus: 500)
        }, into: store)
        let open = try conditions(BreakerOpenSource(), context(store))
        #expect(open.map(\.key) == ["breaker_open:camino/hourly"])
        #expect(open.first?.summary.contains("circuit breaker is open until") == true)
        let later = try conditions(BreakerOpenSource(), context(store, now: F.now.addingTimeInterval(hour)))
        #expect(later.first?.summary.contains("half-open") == true)
        #expect(try conditions(BreakerOpenSource(), context(store, policy: AlertPolicy(breakerThreshold: 6))).isEmpty)
        #expect(try BreakerOpenSource().judge(context(store, policy: AlertPolicy(breakerThreshold: 0))) ==
                .notJudged("the circuit breaker is off (--breaker-threshold 0)"))
    }

    @Test("drift: one condition per schedule that differs; not judged without the layers' plans")
    func drift() throws {
        let store = try F.store()
        #expect(try DriftSource().judge(context(store)) == .notJudged("the layers are read only with --refresh"))
        let plan = LayerPlan(layer: .qstash, app: nil, items: [
            PlanItem(id: "rbs-colectiva-heartbeat", job: "colectiva/heartbeat", action: .update, schedule: "*/30 * * * *",
                     target: nil, changes: [FieldChange(field: "cron", from: "0 * * * *", to: "*/30 * * * *")]),
            PlanItem(id: "rbs-colectiva-gone", job: nil, action: .delete, schedule: nil, target: nil),
            PlanItem(id: "rbs-colectiva-ok", job: "colectiva/ok", action: .unchanged, schedule: nil, target: nil),
        ])
        let found = try conditions(DriftSource(), context(store, plans: [plan]))
        #expect(found.map(\.key) == ["drift:qstash:rbs-colectiva-heartbeat", "drift:qstash:rbs-colectiva-gone"])
        #expect(found.first?.summary == "qstash's schedule rbs-colectiva-heartbeat differs from the inventory (cron)")
        #expect(found.first?.app == "colectiva" && found.first?.job == JobRef(app: "colectiva", job: "heartbeat"))
        #expect(try conditions(DriftSource(), context(store, plans: [])).isEmpty)
    }

    @Test("a source that fails is not judged (its incidents stay); the others still count")
    func failingSource() throws {
        struct Broken: AlertConditionSource {
            var kind: AlertKind { .drift }
            func judge(_ context: AlertContext) throws -> AlertJudgement { throw StoreError.database("disk hidden-secret-value gone") }
        }
        let store = try F.store()
        try F.insertHealth("camino", at: F.now, status: "down", totalMs: nil, into: store)
        let evaluation = AlertEvaluation.run([Broken(), AppDownSource()], try context(store))
        #expect(evaluation.judged == [.appDown])
        #expect(evaluation.sources.first?.note == "inventory database error: disk [REDACTED] gone")
        #expect(evaluation.conditions.map(\.key) == ["app_down:camino"])
    }

    @Test("silences and maintenance windows: who they cover, and when a window is open")
    func silencing() throws {
        let incident = AlertIncident(id: 1, key: "job_failing:camino/hourly", kind: .jobFailing, severity: .warning, app: "camino",
                                     job: JobRef(app: "camino", job: "hourly"), layer: .vercel, summary: "", detail: nil,
                                     lookCloser: "", since: F.now, openedAt: F.now, lastSeenAt: F.now, resolvedAt: nil)
        let app = AlertSilence(id: 1, app: "camino", job: nil, reason: "", createdAt: F.now, expiresAt: F.now.addingTimeInterval(60))
        let otherJob = AlertSilence(id: 2, app: "camino", job: "sync", reason: "", createdAt: F.now, expiresAt: F.now.addingTimeInterval(60))
        #expect(app.covers(app: "camino", job: incident.job) && !otherJob.covers(app: "camino", job: incident.job))
        #expect(AlertSilencing(silences: [otherJob], windows: [], now: F.now).reason(for: incident) == nil)
        #expect(AlertSilencing(silences: [app], windows: [], now: F.now.addingTimeInterval(60)).reason(for: incident) == nil,
                "an expired silence holds nothing")
        // Sundays 03:00 in Mexico City for 2 hours; 2026-04-12 is a Sunday, 03:00 CST = 09:00 UTC.
        let window = MaintenanceWindow(name: "deploys", cron: "0 3 * * 0", timezone: "America/Mexico_City", durationMs: 7_200_000,
                                       jobs: [JobRef(app: "camino", job: "hourly")])
        let sunday = Timestamp.parse("2026-04-12T10:30:00Z") ?? F.now
        #expect(window.openWindow(at: sunday)?.end == Timestamp.parse("2026-04-12T11:00:00Z"))
        #expect(window.openWindow(at: sunday.addingTimeInterval(3600)) == nil)
        #expect(window.nextStart(after: F.now) == Timestamp.parse("2026-04-12T09:00:00Z"))
        #expect(window.covers(app: "camino", job: incident.job) && !window.covers(app: "colectiva", job: nil))
        #expect(MaintenanceWindow(name: "all", cron: "* * * * *", durationMs: 60_000).covers(app: nil, job: nil))
        #expect(AlertSilencing(silences: [], windows: [window], now: sunday).reason(for: incident)
                == "maintenance window deploys until 2026-04-12T11:00:00Z")
    }

    @Test("routes take incidents by app, layer and severity")
    func routeLimits() {
        let incident = AlertIncident(id: 1, key: "app_down:camino", kind: .appDown, severity: .critical, app: "camino", job: nil,
                                     layer: nil, summary: "", detail: nil, lookCloser: "", since: F.now, openedAt: F.now,
                                     lastSeenAt: F.now, resolvedAt: nil)
        func route(apps: [String] = [], layers: [Layer] = [], severities: [AlertSeverity] = []) -> AlertRoute {
            AlertRoute(name: "r", kind: .webhook, apps: apps, layers: layers, severities: severities, createdAt: F.now)
        }
        #expect(route().takes(incident))
        #expect(route(apps: ["camino"]).takes(incident) && !route(apps: ["baul"]).takes(incident))
        #expect(!route(layers: [.vercel]).takes(incident), "an incident without a layer passes no layer limit")
        #expect(route(severities: [.critical]).takes(incident) && !route(severities: [.warning]).takes(incident))
        #expect(AlertRoute.secretKey(for: "ops-slack") == "ALERT_ROUTE_OPS_SLACK")
    }
}
