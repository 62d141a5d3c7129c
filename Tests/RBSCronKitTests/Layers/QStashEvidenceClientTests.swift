import Crypto
import Foundation
import QStashStandIn
import RBSCronTestSupport
import Testing
@testable import RBSCronKit

/// A clock a test moves by hand (the stand-in's deduplication window).
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var now: Date
    init(_ start: Date) { now = start }
    func read() -> Date { lock.lock(); defer { lock.unlock() }; return now }
    func advance(_ seconds: TimeInterval) { lock.lock(); now += seconds; lock.unlock() }
}

/// rbscron's QStash evidence clients (log, dead-letter queue, publish) over real HTTP against the loopback stand-in,
/// and the stand-in's own delivery, retries and deduplication.
@Suite("QStash logs, dead letters and publish against the stand-in")
struct QStashEvidenceClientTests {
    static let token = "qstash-evidence-token-0123456789"
    static let secret = "cron-secret-evidence-abcdef"
    static let base: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z
    static let url = "https://colectiva.example.test/api/cron/heartbeat"

    static func transport() -> CurlTransport { CurlTransport(userAgent: "rbscron-test") }

    static func events(_ standIn: QStashStandIn, redactor: Redactor = .none, maxPages: Int = QStashEventsClient.maxPages)
        -> QStashEventsClient {
        QStashEventsClient(transport: transport(), baseURL: standIn.baseURL, token: token, redactor: redactor, maxPages: maxPages)
    }

    static func client(_ standIn: QStashStandIn, token: String = token, redactor: Redactor = .none) -> QStashClient {
        QStashClient(baseURL: standIn.baseURL, token: token, transport: transport(), redactor: redactor)
    }

    /// `count` delivered fires of `schedule`, one a minute from `base`.
    static func delivered(_ count: Int, schedule: String, prefix: String, offset: Int64 = 0) -> [QStashStandIn.Story] {
        (0..<count).map { i in
            QStashStandIn.Story(messageId: "\(prefix)_\(i)", scheduleId: schedule, url: url,
                                createdAt: base + offset + Int64(i) * 60_000, outcome: .delivered())
        }
    }

    // MARK: logs

    @Test("the log is read across pages of 100 from /v2/events, newest first, filtered by schedule; requests counted")
    func logsPaged() async throws {
        let standIn = try await QStashStandIn.start(token: Self.token)
        standIn.seed(Self.delivered(84, schedule: "rbs-colectiva-heartbeat", prefix: "hb")
            + Self.delivered(40, schedule: "rbs-la-tick", prefix: "tick", offset: 7))
        let client = Self.events(standIn)
        let all = try await client.allEvents(filter: QStashLogFilter(scheduleId: "rbs-colectiva-heartbeat"))
        #expect(all.count == 84 * 3)
        #expect(all.allSatisfy { $0.scheduleId == "rbs-colectiva-heartbeat" })
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.time >= $1.time }, "newest first")
        #expect(Set(all.map { "\($0.messageId) \($0.state)" }).count == all.count, "no entry twice across pages")
        #expect(client.requestCount == 3)
        let requests = standIn.requests
        #expect(requests.map(\.path) == ["/v2/events", "/v2/events", "/v2/events"])
        #expect(requests.allSatisfy { $0.query("count") == ["100"] && $0.query("scheduleId") == ["rbs-colectiva-heartbeat"] })
        #expect(requests[0].query("cursor").isEmpty && requests[1].query("cursor").count == 1)
        #expect(client.path == QStashEventsClient.eventsPath)

        // The old entry points still work, on the same counter.
        let since = try await client.allEvents(from: Self.base + 83 * 60_000)
        #expect(Set(since.map(\.messageId)) == ["hb_83"])
        #expect(client.requestCount == 4)
        await standIn.stop()
    }

    @Test("where /v2/events answers 404 the client moves to /v2/logs (key 'logs') and stays there")
    func logsPathFallback() async throws {
        let standIn = try await QStashStandIn.start(token: Self.token, options: .init(logPaths: .logsOnly))
        standIn.seed(Self.delivered(70, schedule: "rbs-colectiva-heartbeat", prefix: "hb"))
        let client = Self.events(standIn)
        let first = try await client.allEvents(filter: QStashLogFilter())
        #expect(first.count == 210)
        #expect(standIn.requests.map(\.path) == ["/v2/events", "/v2/logs", "/v2/logs", "/v2/logs"])
        #expect(standIn.requests.map(\.status) == [404, 200, 200, 200])
        #expect(client.requestCount == 4)
        #expect(client.path == QStashEventsClient.logsPath)
        let copy = client
        _ = try await copy.allEvents(filter: QStashLogFilter(messageId: "hb_3"))
        #expect(standIn.requests.dropFirst(4).map(\.path) == ["/v2/logs"], "a copy keeps to /v2/logs")
        #expect(client.requestCount == 5)
        await standIn.stop()
    }

    @Test("filters: dates inclusive at both ends, labels any-of, url, message id")
    func logFilters() async throws {
        let standIn = try await QStashStandIn.start(token: Self.token)
        var stories = Self.delivered(10, schedule: "rbs-colectiva-heartbeat", prefix: "hb")
        stories[2].labels = ["backfill"]
        stories[3].labels = ["due", "ci"]
        stories[4].url = "https://other.example.test/x"
        standIn.seed(stories)
        let client = Self.events(standIn)
        // Minute 5 created at base+5m (CREATED), ACTIVE +50 ms, DELIVERED +300 ms.
        let window = try await client.allEvents(filter: QStashLogFilter(fromDate: Self.base + 5 * 60_000 + 50,
                                                                         toDate: Self.base + 6 * 60_000))
        #expect(window.map { "\($0.messageId) \($0.state)" } == ["hb_6 CREATED", "hb_5 DELIVERED", "hb_5 ACTIVE"])
        let labelled = try await client.allEvents(filter: QStashLogFilter(labels: ["backfill", "ci"]))
        #expect(Set(labelled.map(\.messageId)) == ["hb_2", "hb_3"])
        #expect(labelled.first { $0.messageId == "hb_3" }?.labels == ["due", "ci"])
        let byURL = try await client.allEvents(filter: QStashLogFilter(url: "https://other.example.test/x"))
        #expect(Set(byURL.map(\.messageId)) == ["hb_4"])
        let one = try await client.allEvents(filter: QStashLogFilter(messageId: "hb_7"))
        #expect(one.map(\.state) == ["DELIVERED", "ACTIVE", "CREATED"])
        await standIn.stop()
    }

    @Test("every state is read, both cancel spellings as CANCELED; response bodies decoded, bounded and redacted")
    func allStates() async throws {
        let standIn = try await QStashStandIn.start(token: Self.token)
        let leak = "stack trace: key=\(Self.secret) " + String(repeating: "x", count: 5000)
        standIn.seed([
            .init(messageId: "m_ok", scheduleId: "s", url: Self.url, createdAt: Self.base, outcome: .delivered()),
            .init(messageId: "m_late", scheduleId: "s", url: Self.url, createdAt: Self.base + 1000,
                  outcome: .deliveredAfterRetries(errors: 2)),
            .init(messageId: "m_fail", scheduleId: "s", url: Self.url, createdAt: Self.base + 2000,
                  outcome: .failed(status: 500, body: leak), maxRetries: 1, labels: ["due"]),
            .init(messageId: "m_fly", scheduleId: "s", url: Self.url, createdAt: Self.base + 3000, outcome: .inFlight),
            .init(messageId: "m_wait", scheduleId: "s", url: Self.url, createdAt: Self.base + 4000, outcome: .retrying()),
            .init(messageId: "m_c1", scheduleId: "s", url: Self.url, createdAt: Self.base + 5000,
                  outcome: .cancelled(spelling: "CANCELLED")),
            .init(messageId: "m_c2", scheduleId: "s", url: Self.url, createdAt: Self.base + 6000,
                  outcome: .cancelled(spelling: "CANCELED")),
            // The secret straddles the cut: redaction comes first, so no fragment of it is left.
            .init(messageId: "m_cut", scheduleId: "s", url: Self.url, createdAt: Self.base + 7000,
                  outcome: .failed(status: 502, body: String(repeating: "y", count: QStashEvent.responseBodyLimit - 8) + Self.secret),
                  maxRetries: 0),
        ])
        let redactor = Redactor(secrets: [Self.secret])
        let events = try await Self.events(standIn, redactor: redactor).allEvents(filter: QStashLogFilter(scheduleId: "s"))
        let states = Set(events.map(\.state))
        #expect(states == ["CREATED", "ACTIVE", "RETRY", "ERROR", "DELIVERED", "FAILED", "CANCEL_REQUESTED", "CANCELED"])
        #expect(Set(events.compactMap(\.logState)) == Set(QStashLogState.allCases).subtracting([.inProgress]))
        #expect(events.allSatisfy { $0.logState != nil })
        #expect(events.filter { $0.logState == .canceled }.map(\.messageId).sorted() == ["m_c1", "m_c2"])
        #expect(QStashLogState(wire: "CANCELLED") == .canceled && QStashLogState(wire: "SOMETHING") == nil)

        let failed = try #require(events.first { $0.messageId == "m_fail" && $0.logState == .failed })
        #expect(failed.responseStatus == 500 && failed.maxRetries == 1 && failed.method == "POST" && failed.labels == ["due"])
        let body = try #require(failed.responseBody)
        #expect(body.hasPrefix("stack trace: key=\(Redactor.placeholder) xxx"))
        #expect(!body.contains(Self.secret))
        #expect(body.count == QStashEvent.responseBodyLimit + 1 && body.hasSuffix("…"))
        let cut = try #require(events.first { $0.messageId == "m_cut" && $0.logState == .failed }?.responseBody)
        #expect(!cut.contains(String(Self.secret.prefix(6))) && cut.hasSuffix("[REDACTE…"))
        let retry = try #require(events.first { $0.messageId == "m_wait" && $0.logState == .retry })
        #expect(retry.nextDeliveryTime.map { $0 > retry.time } == true)
        #expect(events.first { $0.messageId == "m_wait" && $0.logState == .error }?.responseBody == "bad gateway")
        // The dead-letter entry of the failed message is there too, redacted the same way.
        let dlq = try await Self.client(standIn, redactor: redactor).dlqMessages()
        #expect(dlq.map(\.messageId) == ["m_cut", "m_fail"])
        #expect(dlq.allSatisfy { $0.responseBody?.contains(String(Self.secret.prefix(6))) == false })
        #expect(dlq.last?.responseStatus == 500 && dlq.last?.labels == ["due"])
        await standIn.stop()
    }

    @Test("decoding: the 'logs' key, 'label' alone, text that is not base64, an unknown state kept as sent")
    func decoding() throws {
        let json = #"""
        {"logs":[{"time":5,"messageId":"m","state":"PAUSED","label":"one","responseBody":"not base64!"},
                 {"time":4,"messageId":"m","state":"CANCELLED","labels":["a","b"],"label":"a"}]}
        """#
        let page = try JSONDecoder().decode(QStashEventsClient.Page.self, from: Data(json.utf8))
        let entries = try #require(page.logs)
        #expect(entries[0].state == "PAUSED" && entries[0].logState == nil)
        #expect(entries[0].labels == ["one"] && entries[0].responseBody == "not base64!")
        #expect(entries[1].state == "CANCELED" && entries[1].labels == ["a", "b"])
    }

    @Test("a cursor that comes back ends the read; endless new cursors stop at the page bound")
    func boundedPaging() async throws {
        let looping = try LoopbackServer { _ in .json(200, #"{"cursor":"same","events":[{"time":1,"messageId":"m","state":"CREATED"}]}"#) }
        defer { looping.stop() }
        let client = QStashEventsClient(transport: Self.transport(), baseURL: looping.baseURL, token: Self.token)
        let read = try await client.allEvents(filter: QStashLogFilter())
        #expect(read.count == 2 && looping.requests.count == 2 && client.requestCount == 2)

        let counter = Locked(0)
        let endless = try LoopbackServer { _ in
            let n = counter.withLock { value -> Int in value += 1; return value }
            return .json(200, #"{"cursor":"c\#(n)","events":[]}"#)
        }
        defer { endless.stop() }
        let bounded = QStashEventsClient(transport: Self.transport(), baseURL: endless.baseURL, token: Self.token, maxPages: 3)
        await #expect(throws: RemoteHistoryError.tooManyPages(service: "QStash", pages: 3)) {
            _ = try await bounded.allEvents(filter: QStashLogFilter())
        }
        #expect(endless.requests.count == 3)

        let missing = try LoopbackServer { _ in .json(200, #"{"cursor":""}"#) }
        defer { missing.stop() }
        await #expect(throws: RemoteHistoryError.self) {
            _ = try await QStashEventsClient(transport: Self.transport(), baseURL: missing.baseURL, token: Self.token)
                .allEvents(filter: QStashLogFilter())
        }
    }

    @Test("a wrong token gets 401 from every endpoint and no error repeats it")
    func unauthorized() async throws {
        let standIn = try await QStashStandIn.start(token: Self.token)
        let wrong = "wrong-token-abcdefghijkl"
        let events = QStashEventsClient(transport: Self.transport(), baseURL: standIn.baseURL, token: wrong)
        do {
            _ = try await events.allEvents(filter: QStashLogFilter())
            Issue.record("a wrong token was accepted")
        } catch {
            #expect(error == .http(service: "QStash", status: 401, detail: #"{"error":"unauthorized"}"#))
            #expect(!(error.errorDescription ?? "").contains(wrong))
        }
        let client = Self.client(standIn, token: wrong)
        let calls: [@Sendable () async throws -> Void] = [
            { _ = try await client.dlqMessages() },
            { _ = try await client.dlqMessage("dlq_1") },
            { try await client.deleteFromDLQ("dlq_1") },
            { _ = try await client.retryFromDLQ("dlq_1") },
            { _ = try await client.publish(QStashMessage(destination: Self.url, deduplicationId: "d")) },
        ]
        for call in calls {
            do {
                try await call()
                Issue.record("a wrong token was accepted")
            } catch let error as QStashError {
                guard case .unauthorized(401, _) = error else { Issue.record("unexpected \(error)"); continue }
                #expect(!(error.errorDescription ?? "").contains(wrong))
            }
        }
        #expect(standIn.requests.allSatisfy { $0.status == 401 })
        #expect(standIn.requests.count == 6)
        #expect(client.requestCount == 5)
        await standIn.stop()
    }

    // MARK: dead-letter queue

    @Test("DLQ: list filtered by schedules across pages, get, delete (404 after), bulk delete, retry")
    func deadLetters() async throws {
        let endpoint = try LoopbackServer(status: 200)
        defer { endpoint.stop() }
        let standIn = try await QStashStandIn.start(token: Self.token, options: .init(retryDelay: { _ in .milliseconds(50) }))
        var entries: [QStashStandIn.DLQEntry] = (0..<130).map { i in
            .init(dlqId: "dlq_a\(i)", messageId: "msg_a\(i)", url: endpoint.baseURL + "/api/cron/a", createdAt: Self.base + Int64(i),
                  scheduleId: "rbs-colectiva-a", responseStatus: 500, responseBody: Data("boom \(i)".utf8))
        }
        entries.append(.init(dlqId: "dlq_b", messageId: "msg_b", url: endpoint.baseURL + "/api/cron/b", createdAt: Self.base,
                             scheduleId: "rbs-colectiva-b", maxRetries: 1, responseStatus: 404,
                             responseBody: Data([0xff, 0xfe, 0x00]),
                             header: ["Authorization": ["Bearer \(Self.secret)"], "Content-Type": ["application/json"]],
                             body: Data(#"{"job":"b"}"#.utf8), labels: ["due"]))
        entries.append(.init(dlqId: "dlq_c", messageId: "msg_c", url: Self.url, createdAt: Self.base, scheduleId: "someone-else"))
        standIn.seedDLQ(entries)
        let client = Self.client(standIn, redactor: Redactor(secrets: [Self.secret]))

        let listed = try await client.dlqMessages(filter: QStashDLQFilter(scheduleIds: ["rbs-colectiva-a", "rbs-colectiva-b"]))
        #expect(listed.count == 131)
        #expect(Set(listed.map(\.dlqId)).count == 131 && !listed.contains { $0.dlqId == "dlq_c" })
        let lists = standIn.requests.filter { $0.path == "/v2/dlq" }
        #expect(lists.count == 2 && client.requestCount == 2)
        #expect(lists.allSatisfy { $0.query("scheduleId") == ["rbs-colectiva-a", "rbs-colectiva-b"] && $0.query("count") == ["100"] })

        let b = try await client.dlqMessage("dlq_b")
        #expect(b.messageId == "msg_b" && b.scheduleId == "rbs-colectiva-b" && b.responseStatus == 404 && b.maxRetries == 1)
        #expect(b.responseBody == String(decoding: Data([0xff, 0xfe, 0x00]), as: UTF8.self), "responseBodyBase64 decoded")
        #expect(b.header["Authorization"] == ["Bearer \(Redactor.placeholder)"], "forwarded secrets are redacted")
        #expect(b.body == #"{"job":"b"}"# && b.labels == ["due"] && b.createdAt == Self.base)

        try await client.deleteFromDLQ("dlq_a0")
        await #expect(throws: QStashError.notInDLQ(dlqId: "dlq_a0")) { try await client.deleteFromDLQ("dlq_a0") }
        await #expect(throws: QStashError.notInDLQ(dlqId: "dlq_a0")) { _ = try await client.dlqMessage("dlq_a0") }
        let deleted = try await client.deleteFromDLQ(["dlq_a1", "dlq_a2", "dlq_gone"])
        #expect(deleted == 2)
        let before = client.requestCount
        #expect(try await client.deleteFromDLQ([]) == 0)
        #expect(client.requestCount == before, "an empty bulk delete sends nothing (QStash would clear the queue)")

        // Retry: a new message with the same destination, headers and body; the entry leaves the queue.
        let retried = try await client.retryFromDLQ("dlq_b")
        #expect(!retried.deduplicated && retried.messageId != "msg_b")
        #expect(standIn.requests.last?.status == 201)
        await #expect(throws: QStashError.notInDLQ(dlqId: "dlq_b")) { _ = try await client.retryFromDLQ("dlq_b") }
        #expect(await standIn.awaitDeliveries())
        let landed = try #require(endpoint.requests.first)
        #expect(endpoint.requests.count == 1)
        #expect(landed.path == "/api/cron/b" && landed.method == "POST" && landed.text == #"{"job":"b"}"#)
        #expect(landed.header("authorization") == "Bearer \(Self.secret)" && landed.header("content-type") == "application/json")
        let states = try await Self.events(standIn).allEvents(filter: QStashLogFilter(messageId: retried.messageId))
        #expect(states.map(\.state) == ["DELIVERED", "ACTIVE", "CREATED"])
        let left = try await client.dlqMessages()
        #expect(left.count == 128 && !left.contains { $0.dlqId == "dlq_b" })
        await standIn.stop()
    }

    // MARK: publish

    @Test("publish delivers once over HTTP; the same deduplication id within 10 minutes is a 202 with the first id")
    func publishDeduplicated() async throws {
        let endpoint = try LoopbackServer(status: 200)
        defer { endpoint.stop() }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600))
        let standIn = try await QStashStandIn.start(token: Self.token, options: .init(clock: { clock.read() }))
        let client = Self.client(standIn)
        let message = QStashMessage(
            destination: endpoint.baseURL + "/api/cron/heartbeat?source=qstash", body: Data(#"{"fire":"2026-01-01T00:00:00Z"}"#.utf8),
            contentType: "application/json", forwardHeaders: ["Authorization": "Bearer \(Self.secret)"], retries: 2, timeout: 5,
            deduplicationId: "rbs-colectiva-heartbeat@2026-01-01T00:00:00Z", labels: ["rbscron", "due"])
        let first = try await client.publish(message)
        #expect(!first.deduplicated)
        #expect(standIn.requests.last?.status == 200)
        let second = try await client.publish(message)
        #expect(second == QStashPublishResult(messageId: first.messageId, deduplicated: true))
        #expect(standIn.requests.last?.status == 202)
        clock.advance(599)
        #expect(try await client.publish(message).deduplicated)
        #expect(await standIn.awaitDeliveries())
        #expect(endpoint.requests.count == 1, "deduplicated publishes deliver nothing")

        let landed = try #require(endpoint.requests.first)
        #expect(landed.target == "/api/cron/heartbeat?source=qstash" && landed.method == "POST")
        #expect(landed.text == #"{"fire":"2026-01-01T00:00:00Z"}"#)
        #expect(landed.header("authorization") == "Bearer \(Self.secret)")
        #expect(landed.header("content-type") == "application/json")
        #expect(landed.header("upstash-message-id") == first.messageId && landed.header("upstash-retried") == "0")
        #expect(landed.header("upstash-signature") == nil, "no signing key, no signature")
        let sent = try #require(standIn.requests.first { $0.method == "POST" })
        #expect(sent.path.hasPrefix("/v2/publish/http://127.0.0.1:"))

        let log = try await Self.events(standIn).allEvents(filter: QStashLogFilter(messageId: first.messageId))
        #expect(log.map(\.state) == ["DELIVERED", "ACTIVE", "CREATED"])
        #expect(log.allSatisfy { $0.labels == ["rbscron", "due"] && $0.maxRetries == 2 && $0.method == "POST" })
        let labelled = try await Self.events(standIn).allEvents(filter: QStashLogFilter(labels: ["due"]))
        #expect(labelled.count == 3)

        // Past the window the id is new again.
        clock.advance(2)
        let third = try await client.publish(message)
        #expect(!third.deduplicated && third.messageId != first.messageId)
        #expect(await standIn.awaitDeliveries())
        #expect(endpoint.requests.count == 2)
        await standIn.stop()
    }

    @Test("a refused delivery is retried with its backoff, then FAILED and dead-lettered with the endpoint's answer")
    func retriesThenDeadLetter() async throws {
        let endpoint = try LoopbackServer { _ in .json(500, #"{"error":"database down"}"#) }
        defer { endpoint.stop() }
        let delays = Locked<[Int]>([])
        let standIn = try await QStashStandIn.start(token: Self.token, options: .init(retryDelay: { n in
            delays.withLock { $0.append(n) }
            return .milliseconds(50)
        }))
        let client = Self.client(standIn)
        let published = try await client.publish(QStashMessage(destination: endpoint.baseURL + "/api/cron/sync", method: "PUT",
                                                               retries: 2, labels: ["due"]))
        #expect(await standIn.awaitDeliveries())
        #expect(endpoint.requests.map { $0.header("upstash-retried") } == ["0", "1", "2"])
        #expect(endpoint.requests.allSatisfy { $0.method == "PUT" })
        #expect(delays.withLock { $0 } == [1, 2])
        #expect(QStashStandIn.qstashBackoff(1) == .milliseconds(12_182) && QStashStandIn.qstashBackoff(9) == .seconds(86_400))

        let log = try await Self.events(standIn).allEvents(filter: QStashLogFilter(messageId: published.messageId))
        #expect(log.reversed().map(\.state) == ["CREATED", "ACTIVE", "ERROR", "RETRY", "ACTIVE", "ERROR", "RETRY", "ACTIVE",
                                                "ERROR", "FAILED"])
        let errors = log.filter { $0.logState == .error }
        #expect(errors.allSatisfy { $0.responseStatus == 500 && $0.responseBody == #"{"error":"database down"}"# })
        #expect(log.filter { $0.logState == .retry }.allSatisfy { $0.nextDeliveryTime != nil })

        let dead = try await client.dlqMessages(filter: QStashDLQFilter(labels: ["due"]))
        #expect(dead.count == 1)
        #expect(dead.first?.messageId == published.messageId && dead.first?.responseStatus == 500)
        #expect(dead.first?.responseBody == #"{"error":"database down"}"# && dead.first?.method == "PUT")
        #expect(dead.first?.maxRetries == 2)
        await standIn.stop()
    }

    @Test("with a signing key every delivery carries an Upstash-Signature over its URL and body")
    func signedDelivery() async throws {
        let endpoint = try LoopbackServer(status: 204)
        defer { endpoint.stop() }
        let key = "sig_standinCurrent0123456789"
        let standIn = try await QStashStandIn.start(token: Self.token, options: .init(signingKey: key))
        let destination = endpoint.baseURL + "/api/cron/signed"
        let body = Data(#"{"n":1,"note":"ñ"}"#.utf8)
        _ = try await Self.client(standIn).publish(QStashMessage(destination: destination, body: body, contentType: "application/json"))
        #expect(await standIn.awaitDeliveries())
        let token = try #require(endpoint.requests.first?.header("upstash-signature"))
        let claims = try Self.verify(token, key: key)
        #expect(claims["iss"] as? String == "Upstash" && claims["sub"] as? String == destination)
        #expect(claims["body"] as? String == QStashSigner.bodyHash(body))
        let iat = try #require(claims["iat"] as? Int)
        #expect(claims["nbf"] as? Int == iat && claims["exp"] as? Int == iat + 300)
        #expect((claims["jti"] as? String)?.hasPrefix("jwt_") == true)
        #expect(throws: (any Error).self) { try Self.verify(token, key: "sig_someOtherKey000000000") }
        await standIn.stop()
    }

    /// The claims of an HS256 JWT whose signature `key` made; throws otherwise.
    static func verify(_ token: String, key: String) throws -> [String: Any] {
        struct Invalid: Error {}
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let signature = base64URLDecode(parts[2]), let payload = base64URLDecode(parts[1]),
              HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Data((parts[0] + "." + parts[1]).utf8),
                                                     using: SymmetricKey(data: Data(key.utf8))),
              let claims = try JSONSerialization.jsonObject(with: payload) as? [String: Any] else { throw Invalid() }
        return claims
    }

    @Test("a message rbscron cannot send safely is refused before any request", arguments: [
        QStashMessage(destination: "/api/cron/x"),
        QStashMessage(destination: "ftp://host/x?key=\(QStashEvidenceClientTests.secret)"),
        QStashMessage(destination: "https://a.test/x", method: "GET X"),
        QStashMessage(destination: "https://a.test/x", forwardHeaders: ["Bad Name": "v"]),
        QStashMessage(destination: "https://a.test/x", forwardHeaders: ["X-Ok": "v\r\nInjected: 1"]),
        QStashMessage(destination: "https://a.test/x", retries: -1),
        QStashMessage(destination: "https://a.test/x", timeout: 0),
        QStashMessage(destination: "https://a.test/x", deduplicationId: ""),
        QStashMessage(destination: "https://a.test/x", labels: ["a,b"]),
    ])
    func refusedMessages(message: QStashMessage) async throws {
        let transport = NoRequestTransport()
        let client = QStashClient(baseURL: "http://127.0.0.1:9", token: Self.token, transport: transport,
                                  redactor: Redactor(secrets: [Self.secret]))
        do {
            _ = try await client.publish(message)
            Issue.record("published \(message)")
        } catch {
            guard case .invalidMessage(let reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(!reason.contains("Injected"), "a header's value is never echoed")
            #expect(!reason.contains(Self.secret), "a known secret in the destination is hidden")
        }
        #expect(transport.counter.count == 0 && client.requestCount == 0)
    }

    @Test("publish sends QStash's headers: method, retries, timeout, labels, deduplication id, forwarded headers")
    func publishHeaders() async throws {
        let server = try LoopbackServer { _ in .json(202, #"{"messageId":"msg_first"}"#) }
        defer { server.stop() }
        let client = QStashClient(baseURL: server.baseURL, token: Self.token, transport: Self.transport())
        let result = try await client.publish(QStashMessage(
            destination: "https://colectiva.example.test/api/cron/x?a=1", method: "GET", body: Data("raw".utf8),
            forwardHeaders: ["X-Two": "2", "Authorization": "Bearer s"], retries: 0, timeout: 15, deduplicationId: "fire-1",
            labels: ["a", "b"]))
        #expect(result == QStashPublishResult(messageId: "msg_first", deduplicated: true), "202 means deduplicated")
        let sent = try #require(server.requests.first)
        #expect(sent.method == "POST" && sent.target == "/v2/publish/https://colectiva.example.test/api/cron/x?a=1")
        #expect(sent.header("upstash-method") == "GET" && sent.header("upstash-retries") == "0")
        #expect(sent.header("upstash-timeout") == "15s" && sent.header("upstash-deduplication-id") == "fire-1")
        #expect(sent.header("upstash-label") == "a,b" && sent.header("upstash-forward-x-two") == "2")
        #expect(sent.header("upstash-forward-authorization") == "Bearer s")
        #expect(sent.header("content-type") == "application/octet-stream" && sent.text == "raw")
        #expect(sent.authorization == "Bearer \(Self.token)")
    }

    @Test("the stand-in filters and pages 10,000 seeded entries by schedule, state and time")
    func manyEntries() async throws {
        let standIn = try await QStashStandIn.start(token: Self.token)
        let schedules = (0..<25).map { "rbs-app-job\($0)" }
        var entries: [QStashStandIn.LogEntry] = []
        for i in 0..<10_000 {
            entries.append(.init(time: Self.base + Int64(i) * 1000, messageId: "m\(i / 4)", state: i % 4 == 3 ? "DELIVERED" : "ACTIVE",
                                 url: Self.url, scheduleId: schedules[(i / 4) % schedules.count]))
        }
        standIn.seedLogs(entries.shuffled())
        #expect(standIn.logs.map(\.time) == entries.map(\.time), "kept in time order whatever the seeding order")
        let client = Self.events(standIn)
        let one = try await client.allEvents(filter: QStashLogFilter(scheduleId: "rbs-app-job7"))
        #expect(one.count == 400 && client.requestCount == 4)
        let window = try await client.allEvents(filter: QStashLogFilter(fromDate: Self.base + 1_000_000, toDate: Self.base + 1_099_000))
        #expect(window.count == 100 && window.first?.time == Self.base + 1_099_000 && window.last?.time == Self.base + 1_000_000)
        let all = try await client.allEvents(filter: QStashLogFilter())
        #expect(all.count == 10_000 && Set(all.map { $0.time }).count == 10_000)
        await standIn.stop()
    }
}
