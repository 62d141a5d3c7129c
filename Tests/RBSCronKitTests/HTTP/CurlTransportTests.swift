import Foundation
import Testing

@testable import RBSCronKit

@Suite("CurlTransport basics", .timeLimit(.minutes(1)))
struct CurlTransportTests {
    @Test("GET returns status, headers, body and the caller's User-Agent")
    func getWithBody() async throws {
        let server = try await LoopbackHTTPServer.start { _ in
            .text(200, "hello cron", headers: [("X-Job", "daily-digest"), ("Content-Type", "text/plain")])
        }
        let transport = CurlTransport(userAgent: testUserAgent)
        let result = await transport.send(HTTPRequest(url: server.baseURL + "/api/cron/digest?x=1"))
        await server.stop()

        let response = try #require(result.response())
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "hello cron")
        #expect(response.bodyBytes == 10)
        #expect(!response.truncated)
        #expect(response.header("x-job") == "daily-digest")
        #expect(response.header("CONTENT-TYPE") == "text/plain")
        #expect(response.redirects == 0)
        #expect(response.finalURL == server.baseURL + "/api/cron/digest?x=1")
        let seen = try #require(server.requests.first)
        #expect(seen.method == "GET")
        #expect(seen.path == "/api/cron/digest")
        #expect(seen.header("user-agent") == testUserAgent)
    }

    @Test("HEAD is sent as HEAD and returns no body")
    func head() async throws {
        let server = try await LoopbackHTTPServer.start { request in
            Reply(status: request.method == "HEAD" ? 204 : 500, headers: [("X-Method", request.method)])
        }
        let transport = CurlTransport(userAgent: testUserAgent)
        let result = await transport.send(HTTPRequest(method: "HEAD", url: server.baseURL + "/health"))
        await server.stop()

        let response = try #require(result.response())
        #expect(response.status == 204)
        #expect(response.header("X-Method") == "HEAD")
        #expect(response.body.isEmpty)
        #expect(server.requests.map(\.method) == ["HEAD"])
    }

    @Test("POST sends its body and headers; the server's echo comes back")
    func postEcho() async throws {
        let server = try await LoopbackHTTPServer.start { request in
            Reply(status: 201, headers: [("Content-Type", request.header("content-type") ?? "none")], body: request.body)
        }
        let transport = CurlTransport(userAgent: testUserAgent)
        // Over 1 KiB, where curl would otherwise wait for 100-continue.
        let payload = Data(("{\"task\":\"cleanup\",\"pad\":\"" + String(repeating: "x", count: 3000) + "\"}").utf8)
        let result = await transport.send(
            HTTPRequest(
                method: "POST", url: server.baseURL + "/api/cron/cleanup",
                headers: [HTTPHeader("Content-Type", "application/json")], body: payload))
        await server.stop()

        let response = try #require(result.response())
        #expect(response.status == 201)
        #expect(response.body == payload)
        #expect(response.header("content-type") == "application/json")
        let seen = try #require(server.requests.first)
        #expect(seen.method == "POST")
        #expect(seen.body == payload)
        #expect(seen.header("expect") == nil)
    }

    @Test("POST without a body sends Content-Length 0; PUT and DELETE keep their method")
    func otherMethods() async throws {
        let server = try await LoopbackHTTPServer.start { request in
            .text(200, "\(request.method) \(request.header("content-length") ?? "-") \(request.body.count)")
        }
        let transport = CurlTransport(userAgent: testUserAgent)
        let post = await transport.send(HTTPRequest(method: "POST", url: server.baseURL + "/a"))
        let put = await transport.send(HTTPRequest(method: "PUT", url: server.baseURL + "/b", body: Data("abc".utf8)))
        let delete = await transport.send(HTTPRequest(method: "DELETE", url: server.baseURL + "/c"))
        await server.stop()

        #expect(post.response().map { String(decoding: $0.body, as: UTF8.self) } == "POST 0 0")
        #expect(put.response().map { String(decoding: $0.body, as: UTF8.self) } == "PUT 3 3")
        #expect(delete.response().map { String(decoding: $0.body, as: UTF8.self) }?.hasPrefix("DELETE") == true)
    }

    @Test("4xx and 5xx statuses are responses, not errors", arguments: [400, 401, 404, 429, 500, 503])
    func errorStatuses(status: Int) async throws {
        let server = try await LoopbackHTTPServer.start { _ in
            .text(status, "status \(status)", headers: [("Retry-After", "7")])
        }
        let transport = CurlTransport(userAgent: testUserAgent)
        let result = await transport.send(HTTPRequest(url: server.baseURL + "/fail"))
        await server.stop()

        let response = try #require(result.response())
        #expect(response.status == status)
        #expect(String(decoding: response.body, as: UTF8.self) == "status \(status)")
        #expect(response.header("retry-after") == "7")
    }

    @Test("a body over the cap is truncated to the cap, drained and counted")
    func bodyCap() async throws {
        let big = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let server = try await LoopbackHTTPServer.start { _ in Reply(status: 200, body: big) }
        let transport = CurlTransport(userAgent: testUserAgent)
        let defaultCap = await transport.send(HTTPRequest(url: server.baseURL + "/big"))
        let tinyCap = await transport.send(HTTPRequest(url: server.baseURL + "/big", maxBodyBytes: 10))
        let roomy = await transport.send(HTTPRequest(url: server.baseURL + "/big", maxBodyBytes: 1_000_000))
        await server.stop()

        let first = try #require(defaultCap.response())
        #expect(first.body.count == 65_536)
        #expect(first.body == big.prefix(65_536))
        #expect(first.bodyBytes == 200_000)
        #expect(first.truncated)
        let second = try #require(tinyCap.response())
        #expect(second.body == big.prefix(10))
        #expect(second.bodyBytes == 200_000)
        #expect(second.truncated)
        let third = try #require(roomy.response())
        #expect(third.body == big)
        #expect(!third.truncated)
    }

    @Test("timings are non-negative and ordered")
    func timingsOrdered() async throws {
        let server = try await LoopbackHTTPServer.start { _ in
            try? await Task.sleep(for: .milliseconds(50))
            return .text(200, "ok")
        }
        let transport = CurlTransport(userAgent: testUserAgent)
        let result = await transport.send(HTTPRequest(url: server.baseURL + "/slowish"))
        await server.stop()

        let timings = try #require(result.response()).timings
        #expect(timings.dnsMs >= 0)
        #expect(timings.dnsMs <= timings.connectMs)
        #expect(timings.connectMs <= timings.tlsMs)
        #expect(timings.tlsMs <= timings.firstByteMs)
        #expect(timings.firstByteMs <= timings.totalMs)
        // The server held the first byte back for 50 ms.
        #expect(timings.firstByteMs >= 50)
        #expect(timings.tlsMs == timings.connectMs)  // plain HTTP: no TLS phase
    }

    @Test("header values with line breaks and bad methods are refused before any I/O")
    func headerInjectionRefused() async throws {
        let listener = try RawTCPServer { _, _ in }
        let transport = CurlTransport(userAgent: testUserAgent)
        let injected = await transport.send(
            HTTPRequest(url: listener.baseURL + "/", headers: [HTTPHeader("X-Test", "a\r\nAuthorization: Bearer evil")]))
        let badMethod = await transport.send(HTTPRequest(method: "GET /x HTTP/1.1\r\n", url: listener.baseURL + "/"))
        try await Task.sleep(for: .milliseconds(100))
        await listener.stop()

        guard case .transport(let code, let message) = injected.error() else {
            Issue.record("expected a transport error")
            return
        }
        #expect(code == 43)  // CURLE_BAD_FUNCTION_ARGUMENT
        #expect(message.contains("X-Test"))
        #expect(!message.contains("evil"))
        if case .transport = badMethod.error() {} else { Issue.record("bad method accepted") }
        #expect(listener.accepted == 0)
    }

    @Test("dropping the transport stops its curl thread and frees the multi handle")
    func threadEndsWithTransport() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .text(200, "ok") }
        weak var executor: CurlMultiExecutor?
        do {
            let transport = CurlTransport(userAgent: testUserAgent)
            executor = transport.executor
            #expect(await transport.send(HTTPRequest(url: server.baseURL + "/")).response()?.status == 200)
        }
        // The thread holds the executor until its loop ends, so nil means the thread is done.
        for _ in 0..<200 where executor != nil {
            try await Task.sleep(for: .milliseconds(10))
        }
        await server.stop()
        #expect(executor == nil)
    }
}
