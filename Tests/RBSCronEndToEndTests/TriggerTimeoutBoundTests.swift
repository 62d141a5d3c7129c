import Foundation
import RBSCronTestSupport
import Testing

/// `trigger --timeout` overrides a job's timeout, so it is bounded like the manifest's.
@Suite("trigger --timeout bound", .timeLimit(.minutes(1)))
struct TriggerTimeoutBoundTests {
    @Test("trigger --timeout is capped at 24h like the manifest's timeouts")
    func timeoutCap() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await rbs.run(["trigger", "camino/daily-dispatcher", "--timeout", "99999999999h", "--dry-run"], timeout: 30)
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("longer than 24h"), "\(outcome.stderr)")
        // With its secret (a dry run of a job that would be denied exits 2).
        let fine = try await rbs.run(["trigger", "camino/daily-dispatcher", "--timeout", "24h", "--dry-run"],
                                     env: ["RBSCRON_SECRET_CAMINO_CRON_SECRET": "cron-secret-for-the-timeout-test-0123"])
        #expect(fine.status == 0, "\(fine.stderr)")
    }
}
