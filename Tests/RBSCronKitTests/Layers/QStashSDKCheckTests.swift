import Foundation
import QStashStandIn
import Testing
@testable import RBSCronKit

/// The stand-in is only worth testing against if the official client agrees with it: this drives Upstash's
/// Python SDK (`qstash` on PyPI) through Tests/oracle/qstash_client_check.py against the stand-in started here,
/// then reads what the SDK made with rbscron's own client. Skipped without python3 + qstash, except under
/// CI=true, where it fails.
@Suite("QStash stand-in checked with the official Python SDK")
struct QStashSDKCheckTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Layers
        .deletingLastPathComponent()  // RBSCronKitTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("oracle/qstash_client_check.py")

    /// Runs python3 without blocking a cooperative thread (the stand-in answers on those threads).
    static func python(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-sdk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("out")
        try Data().write(to: log)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.standardOutput = handle
        process.standardError = handle
        var environment = ProcessInfo.processInfo.environment
        environment["QSTASH_URL"] = nil
        process.environment = environment
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        try handle.close()
        return (status, String(decoding: try Data(contentsOf: log), as: UTF8.self))
    }

    @Test(
        "the SDK creates, lists, gets, pauses, resumes, upserts and deletes through the stand-in; 401 and 404 as the SDK expects",
        .enabled(if: QStashOracle.shouldRun, "python3 with the qstash package is not installed (pip install qstash)")
    )
    func officialSDK() async throws {
        try #require(QStashOracle.isAvailable, "CI=true but python3 cannot import qstash: pip install qstash")
        let standIn = try await QStashStandIn.start(token: "sdk-token-12345")
        let destination = "https://colectiva.example.test/api/cron/daily-brain"
        let result = try await Self.python([Self.script.path, standIn.baseURL, "sdk-token-12345", destination])
        #expect(result.status == 0, "the SDK disagreed with the stand-in: \(result.output)")
        #expect(result.output.contains("\"unauthorized\": true"))

        // What the SDK made, read back by rbscron's client: same fields.
        let client = QStashClient(baseURL: standIn.baseURL, token: "sdk-token-12345", transport: CurlTransport(userAgent: "rbscron-test"))
        let made = try await client.get("sdk-made")
        #expect(made.destination == destination)
        #expect(made.cron == "0 10 * * *")
        #expect(made.method == "GET" && made.retries == 2 && made.timeout == 30)
        #expect(made.header == ["Authorization": ["Bearer sdk-forwarded-value"]])
        // And what rbscron makes, the SDK reads back (the same path for both directions).
        try await client.upsert(QStashScheduleSpec(scheduleId: "rbs-colectiva-x", destination: destination, cron: "CRON_TZ=UTC 0 1 * * *",
                                                   method: "POST", retries: 1, timeout: 5, forwardHeaders: ["X-Test": "yes"]))
        let readBack = try await Self.python(["-c", """
            import sys
            from qstash import QStash
            s = QStash(sys.argv[2], base_url=sys.argv[1], retry=False).schedule.get("rbs-colectiva-x")
            assert (s.cron, s.method, s.retries, s.timeout, s.headers, s.destination) == \
                ("CRON_TZ=UTC 0 1 * * *", "POST", 1, 5, {"X-Test": ["yes"]}, sys.argv[3]), s
            print("ok")
            """, standIn.baseURL, "sdk-token-12345", destination])
        #expect(readBack.status == 0 && readBack.output.contains("ok"), "\(readBack.output)")
        await standIn.stop()
    }
}
