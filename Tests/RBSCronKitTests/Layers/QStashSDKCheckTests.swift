import Foundation
import QStashStandIn
import RBSCronTestSupport
import Testing
@testable import RBSCronKit

/// The stand-in is only worth testing against if the official client agrees with it: this drives Upstash's
/// Python SDK (`qstash` on PyPI) through Tests/oracle/qstash_client_check.py against the stand-in started here,
/// then reads what the SDK made with rbscron's own client. Skipped without python3 + qstash, except under
/// CI=true, where it fails.
@Suite("QStash stand-in checked with the official Python SDK")
struct QStashSDKCheckTests {
    static let oracle = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Layers
        .deletingLastPathComponent()  // RBSCronKitTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("oracle")
    static let script = oracle.appendingPathComponent("qstash_client_check.py")
    static let evidenceScript = oracle.appendingPathComponent("qstash_evidence_check.py")

    /// Runs python3 without blocking a cooperative thread (the stand-in answers on those threads).
    static func python(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-sdk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("out")
        var environment = ProcessInfo.processInfo.environment
        environment["QSTASH_URL"] = nil
        // stdout and stderr into one file, interleaved as the SDK wrote them.
        let child = try ChildProcess("/usr/bin/env", ["python3"] + arguments, environment: environment,
                                     stdout: .file(log), stderr: .file(log))
        let status = await child.exit(within: 300) ?? -1
        return (status, String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))
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

    /// The log and dead-letter entries Tests/oracle/qstash_evidence_check.py expects to find.
    static func seedForEvidence(_ standIn: QStashStandIn, base: Int64) {
        let states = ["CREATED", "ACTIVE", "ERROR", "RETRY", "DELIVERED"]
        var logs: [QStashStandIn.LogEntry] = (0..<250).map { i in
            QStashStandIn.LogEntry(time: base + Int64(i) * 1000, messageId: "msg_paged_\(i / 5)", state: states[i % 5],
                                   url: "https://agora.example.test/api/cron/sync", scheduleId: "sdk-paged",
                                   responseStatus: states[i % 5] == "ERROR" ? 500 : nil,
                                   responseBody: states[i % 5] == "ERROR" ? Data("boom".utf8) : nil)
        }
        logs += (0..<30).map { i in
            QStashStandIn.LogEntry(time: base + Int64(i) * 1000 + 500, messageId: "msg_other_\(i)", state: "DELIVERED",
                                   url: "https://agora.example.test/api/cron/other", scheduleId: "sdk-other")
        }
        standIn.seedLogs(logs)
        func dead(_ id: String, _ schedule: String, _ job: String) -> QStashStandIn.DLQEntry {
            QStashStandIn.DLQEntry(dlqId: "dlq_\(id)", messageId: "msg_\(id)", url: "https://agora.example.test/api/cron/\(job)",
                                   createdAt: base + 1000, scheduleId: schedule, maxRetries: 3, responseStatus: 500,
                                   responseBody: Data("boom".utf8), header: ["Authorization": ["Bearer sdk-forwarded"]],
                                   body: Data(#"{"job":"\#(job)"}"#.utf8))
        }
        standIn.seedDLQ([dead("a1", "sdk-a", "a"), dead("a2", "sdk-a", "a"), dead("b1", "sdk-b", "b"), dead("k1", "sdk-keep", "k")])
    }

    @Test(
        "the SDK publishes with deduplication, pages and filters the log, lists, gets and deletes dead letters; rbscron reads what it left",
        .enabled(if: QStashOracle.shouldRun, "python3 with the qstash package is not installed (pip install qstash)")
    )
    func officialSDKEvidence() async throws {
        try #require(QStashOracle.isAvailable, "CI=true but python3 cannot import qstash: pip install qstash")
        let signingKey = "sig_sdkCheckCurrent0123456789"
        let token = "sdk-token-evidence-12345"
        let endpoint = try LoopbackServer(status: 200)
        defer { endpoint.stop() }
        let standIn = try await QStashStandIn.start(token: token, options: .init(signingKey: signingKey))
        Self.seedForEvidence(standIn, base: 1_767_225_600_000)
        let destination = endpoint.baseURL + "/api/cron/backfill"
        let result = try await Self.python([Self.evidenceScript.path, standIn.baseURL, token, destination])
        #expect(result.status == 0, "the SDK disagreed with the stand-in: \(result.output)")
        // qstash-py 3.4.0 prints every log response; the script's verdict is its last line.
        let last = result.output.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], "\(result.output)")
        #expect(seen["deduplicated"] as? Bool == true && seen["unauthorized"] as? Bool == true)
        #expect(seen["log_pages"] as? Int == 3 && seen["log_entries"] as? Int == 250 && seen["dlq_deleted_many"] as? Int == 2)
        let published = try #require(seen["published"] as? String)
        // delete_many went as qstash-py 3.4.0 sends it: ids in a JSON body, none in the query.
        #expect(standIn.requests.contains { $0.method == "DELETE" && $0.path == "/v2/dlq" && $0.query.isEmpty && $0.status == 200 })

        // What the SDK made, read back with rbscron's own clients.
        #expect(await standIn.awaitDeliveries())
        let events = QStashEventsClient(transport: CurlTransport(userAgent: "rbscron-test"), baseURL: standIn.baseURL, token: token)
        let log = try await events.allEvents(filter: QStashLogFilter(messageId: published))
        #expect(log.map(\.state) == ["DELIVERED", "ACTIVE", "CREATED"])
        #expect(log.allSatisfy { $0.labels == ["sdk-backfill"] && $0.maxRetries == 0 && $0.url == destination })
        let paged = try await events.allEvents(filter: QStashLogFilter(scheduleId: "sdk-paged"))
        #expect(paged.count == 250 && events.requestCount == 4)
        let client = QStashClient(baseURL: standIn.baseURL, token: token, transport: CurlTransport(userAgent: "rbscron-test"))
        let left = try await client.dlqMessages()
        #expect(left.map(\.dlqId) == ["dlq_k1"] && left.first?.scheduleId == "sdk-keep" && left.first?.responseBody == "boom")
        // rbscron's publish meets the SDK's deduplication id in the same window.
        let mine = try await client.publish(QStashMessage(destination: destination, deduplicationId: "sdk-fire-1"))
        #expect(mine == QStashPublishResult(messageId: published, deduplicated: true))

        // One delivery reached the endpoint, and the SDK's own Receiver accepts the stand-in's signature on it.
        #expect(endpoint.requests.count == 1)
        let landed = try #require(endpoint.requests.first)
        #expect(landed.header("x-fire") == "sdk" && landed.text == #"{"fire":"2026-01-01T00:00:00Z"}"#)
        let signature = try #require(landed.header("upstash-signature"))
        let verdict = try await QStashOracle.verify(signature: signature, body: landed.text, url: destination,
                                                     current: signingKey, next: "sig_sdkCheckNext0123456789")
        #expect(verdict.status == 0, "the SDK's Receiver rejected the stand-in's signature: \(verdict.output)")
        let tampered = try await QStashOracle.verify(signature: signature, body: landed.text + " ", url: destination,
                                                      current: signingKey, next: "sig_sdkCheckNext0123456789")
        #expect(tampered.status == 1, "a changed body must be rejected")
        await standIn.stop()
    }
}
