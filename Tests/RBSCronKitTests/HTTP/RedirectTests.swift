import Foundation
import Testing

@testable import RBSCronKit

@Suite("CurlTransport redirects", .timeLimit(.minutes(1)))
struct RedirectTests {
    static let credentialHeaders = [
        HTTPHeader("Authorization", "Bearer cron-secret-value"),
        HTTPHeader("apikey", "service-role-key"),
        HTTPHeader("Upstash-Signature", "jwt.jwt.jwt"),
        HTTPHeader("Cookie", "session=abc"),
        HTTPHeader("X-Request-Id", "run-42"),
    ]

    @Test("a redirect to another port drops the credential headers and keeps the others")
    func crossOriginStripsCredentials() async throws {
        let target = try await LoopbackHTTPServer.start { _ in .text(200, "landed") }
        let origin = try await LoopbackHTTPServer.start { _ in .redirect(302, to: target.baseURL + "/landing") }
        let transport = CurlTransport(userAgent: testUserAgent)
        let result = await transport.send(
            HTTPRequest(url: origin.baseURL + "/start", headers: Self.credentialHeaders + [HTTPHeader("Host", "app.example")]))
        await origin.stop()
        await target.stop()

        let response = try #require(result.response())
        #expect(response.status == 200)
        #expect(response.redirects == 1)
        #expect(origin.requests.first?.header("host") == "app.example")
        #expect(target.requests.first?.header("host") == "127.0.0.1:\(target.port)")
        #expect(response.finalURL == target.baseURL + "/landing")
        let first = try #require(origin.requests.first)
        #expect(first.header("authorization") == "Bearer cron-secret-value")
        #expect(first.header("apikey") == "service-role-key")
        let landed = try #require(target.requests.first)
        #expect(landed.header("authorization") == nil)
        #expect(landed.header("apikey") == nil)
        #expect(landed.header("upstash-signature") == nil)
        #expect(landed.header("cookie") == nil)
        #expect(landed.header("x-request-id") == "run-42")
    }

    @Test("another host name for the same machine is another origin too")
    func otherHostName() async throws {
        let landing = try await LoopbackHTTPServer.start { _ in .text(200, "landed") }
        let redirector = try await LoopbackHTTPServer.start { _ in
            .redirect(301, to: "http://localhost:\(landing.port)/landing")
        }
        let transport = CurlTransport(userAgent: testUserAgent)
        // 127.0.0.1 → localhost: the same machine under another host name, so credentials stay behind.
        let result = await transport.send(HTTPRequest(url: redirector.baseURL + "/start", headers: Self.credentialHeaders))
        await redirector.stop()
        await landing.stop()

        let response = try #require(result.response())
        #expect(response.status == 200)
        #expect(response.finalURL.hasPrefix("http://localhost:"))
        let landed = try #require(landing.requests.first)
        #expect(landed.header("authorization") == nil)
        #expect(landed.header("apikey") == nil)
        #expect(landed.header("x-request-id") == "run-42")
    }

    @Test("a same-origin redirect keeps the credential headers")
    func sameOriginKeepsCredentials() async throws {
        let server = try await LoopbackHTTPServer.start { request in
            request.path == "/start" ? .redirect(308, to: "/landing") : .text(200, "landed")
        }
        let transport = CurlTransport(userAgent: testUserAgent)
        let result = await transport.send(HTTPRequest(url: server.baseURL + "/start", headers: Self.credentialHeaders))
        await server.stop()

        let response = try #require(result.response())
        #expect(response.status == 200)
        #expect(response.redirects == 1)
        #expect(server.requests.map(\.path) == ["/start", "/landing"])
        let landed = try #require(server.requests.last)
        #expect(landed.header("authorization") == "Bearer cron-secret-value")
        #expect(landed.header("apikey") == "service-role-key")
        #expect(landed.header("upstash-signature") == "jwt.jwt.jwt")
    }

    @Test("the credential header set is configurable")
    func configurableCredentialSet() async throws {
        let target = try await LoopbackHTTPServer.start { _ in .text(200, "landed") }
        let origin = try await LoopbackHTTPServer.start { _ in .redirect(302, to: target.baseURL + "/landing") }
        let transport = CurlTransport(userAgent: testUserAgent)
        let request = HTTPRequest(
            url: origin.baseURL + "/start",
            headers: [HTTPHeader("X-Vercel-Secret", "s3"), HTTPHeader("Authorization", "Bearer t")],
            credentialHeaders: ["X-Vercel-Secret"])
        _ = try #require(await transport.send(request).response())
        await origin.stop()
        await target.stop()

        let landed = try #require(target.requests.first)
        #expect(landed.header("x-vercel-secret") == nil)
        #expect(landed.header("authorization") == "Bearer t")
    }

    @Test(
        "after POST, 301/302/303 become GET without a body; 307/308 keep method and body",
        arguments: [(301, "GET"), (302, "GET"), (303, "GET"), (307, "POST"), (308, "POST")])
    func methodAfterRedirect(status: Int, expected: String) async throws {
        let server = try await LoopbackHTTPServer.start { request in
            request.path == "/form" ? .redirect(status, to: "/done") : .text(200, "done")
        }
        let transport = CurlTransport(userAgent: testUserAgent)
        let body = Data("payload=1".utf8)
        let result = await transport.send(
            HTTPRequest(
                method: "POST", url: server.baseURL + "/form",
                headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")], body: body))
        await server.stop()

        let response = try #require(result.response())
        #expect(response.status == 200)
        let second = try #require(server.requests.last)
        #expect(second.path == "/done")
        #expect(second.method == expected)
        if expected == "GET" {
            #expect(second.body.isEmpty)
            #expect(second.header("content-type") == nil)
        } else {
            #expect(second.body == body)
            #expect(second.header("content-type") == "application/x-www-form-urlencoded")
        }
    }

    @Test("a redirect loop ends with tooManyRedirects after the limit")
    func redirectLoop() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .redirect(302, to: "/again") }
        let transport = CurlTransport(userAgent: testUserAgent)
        let defaultLimit = await transport.send(HTTPRequest(url: server.baseURL + "/again"))
        let hitsWithDefault = server.requests.count
        let limitTwo = await transport.send(HTTPRequest(url: server.baseURL + "/again", maxRedirects: 2))
        let hitsTotal = server.requests.count
        await server.stop()

        #expect(defaultLimit.error() == .tooManyRedirects(5))
        #expect(hitsWithDefault == 6)  // the first request and five redirects
        #expect(limitTwo.error() == .tooManyRedirects(2))
        #expect(hitsTotal - hitsWithDefault == 3)
    }

    @Test("maxRedirects 0 returns the 3xx response as it is")
    func noFollow() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .redirect(301, to: "/elsewhere") }
        let transport = CurlTransport(userAgent: testUserAgent)
        let result = await transport.send(HTTPRequest(url: server.baseURL + "/old", maxRedirects: 0))
        await server.stop()

        let response = try #require(result.response())
        #expect(response.status == 301)
        #expect(response.header("location") == "/elsewhere")
        #expect(server.requests.count == 1)
    }

    @Test("a redirect to a non-http(s) URL is refused and never fetched")
    func redirectToOtherSchemeRefused() async throws {
        let ftpListener = try RawTCPServer { _, _ in }
        let server = try await LoopbackHTTPServer.start { request in
            switch request.path {
            case "/file": return .redirect(302, to: "file:///etc/passwd")
            case "/ftp": return .redirect(301, to: "ftp://127.0.0.1:\(ftpListener.port)/pub")
            default: return .redirect(307, to: "gopher://127.0.0.1:\(ftpListener.port)/1")
            }
        }
        let transport = CurlTransport(userAgent: testUserAgent)
        let file = await transport.send(HTTPRequest(url: server.baseURL + "/file"))
        let ftp = await transport.send(HTTPRequest(url: server.baseURL + "/ftp"))
        let gopher = await transport.send(HTTPRequest(url: server.baseURL + "/gopher"))
        try await Task.sleep(for: .milliseconds(100))
        await server.stop()
        await ftpListener.stop()

        guard case .redirectRefused(let fileTarget) = file.error() else {
            Issue.record("file: redirect was not refused")
            return
        }
        #expect(fileTarget.hasPrefix("file:"))
        guard case .redirectRefused(let ftpTarget) = ftp.error() else {
            Issue.record("ftp: redirect was not refused")
            return
        }
        #expect(ftpTarget.hasPrefix("ftp://127.0.0.1"))
        if case .redirectRefused = gopher.error() {} else { Issue.record("gopher: redirect was not refused") }
        #expect(ftpListener.accepted == 0)
    }
}
