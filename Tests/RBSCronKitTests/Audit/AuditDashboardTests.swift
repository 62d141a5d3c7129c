import Foundation
import Testing

@testable import RBSCronKit

@Suite("stats --html shows each endpoint's last audit")
struct AuditDashboardTests {
    typealias F = StatsFixture

    func probe(_ job: String, at: Date, probe: String, status: Int?, verdict: String, severity: String?,
               detail: String? = nil) -> AuditProbeRecord {
        AuditProbeRecord(auditedAt: at, app: job.split(separator: "/").first.map(String.init) ?? "",
                         job: job.split(separator: "/").last.map(String.init) ?? "", method: "POST",
                         url: "https://example.test/api/cron/x", probe: probe, expected: "401 or 403", httpStatus: status,
                         finalURL: nil, verdict: verdict, severity: severity, detail: detail, totalMs: 3)
    }

    @Test("the latest audit per endpoint, its worst probe, escaped; none before any audit")
    func section() throws {
        let store = try F.store()
        let before = try Dashboard.render(store: store, report: try F.stats(store))
        #expect(before.contains("Endpoint audit") && before.contains("No endpoint audited yet"))

        let old = F.now.addingTimeInterval(-2 * F.day), new = F.now.addingTimeInterval(-F.hour)
        try store.recordAuditProbes([
            probe("camino/hourly", at: old, probe: "no_credentials", status: 200, verdict: "let_in", severity: "critical"),
            probe("camino/hourly", at: new, probe: "no_credentials", status: 401, verdict: "refused", severity: "ok"),
            probe("camino/hourly", at: new, probe: "bearer_undefined", status: 200, verdict: "let_in", severity: "critical",
                  detail: "answered 200: <script>x</script>"),
            probe("camino/hourly", at: new, probe: "bearer_null", status: nil, verdict: "skipped", severity: nil),
            probe("colectiva/heartbeat", at: new, probe: "no_credentials", status: 401, verdict: "refused", severity: "ok"),
        ])
        let latest = try store.latestAuditProbes()
        #expect(latest[JobRef(app: "camino", job: "hourly")]?.count == 3)
        let html = try Dashboard.render(store: store, report: try F.stats(store))
        #expect(html.contains(#"data-audit="camino/hourly" data-severity="critical""#))
        #expect(html.contains("critical: bearer_undefined let_in (200)"))
        #expect(html.contains(#"data-audit="colectiva/heartbeat" data-severity="ok""#))
        #expect(html.contains("refused every probe"))
        // The probe's detail quoted the response; the page shows the status only (README: no response excerpt).
        #expect(!html.contains("script"))
    }
}
