import Foundation
import Testing

@testable import RBSCronKit

@Suite("CurlTransport failures", .timeLimit(.minutes(1)))
struct FailureTests {
    @Test("a server that never answers ends in timedOut at the total timeout")
    func neverAnswers() async throws {
        let server = try RawTCPServer { fd, server in
            var buffer = Data()
            _ = RawTCPServer.readHead(fd, buffer: &buffer)
            while !server.isStopping { usleep(20_000) }
        }
        let transport = CurlTransport(userAgent: testUserAgent)
        let result = await transport.send(HTTPRequest(url: server.baseURL + "/hang", timeout: 1))
        await server.stop()

        #expect(result.error() == .timedOut(1))
        #expect(server.accepted == 1)
    }

    @Test("headers trickling in past the total timeout end in timedOut")
    func slowHeaders() async throws {
        let server = try RawTCPServer { fd, server in
            var buffer = Data()
            guard RawTCPServer.readHead(fd, buffer: &buffer) != nil else { return }
            RawTCPServer.write(fd, "HTTP/1.1 200 OK\r\nX-Slow: ")
            while !server.isStopping {
                guard RawTCPServer.write(fd, "a") else { return }
                usleep(100_000)
            }
        }
        let transport = CurlTransport(userAgent: testUserAgent)
        let result = await transport.send(HTTPRequest(url: server.baseURL + "/slow", timeout: 1))
        await server.stop()

        #expect(result.error() == .timedOut(1))
    }

    @Test("a closed port gives connectionRefused naming host and port")
    func connectionRefused() async throws {
        let refusing = try RawTCPServer.refusingPort()
        defer { withExtendedLifetime(refusing) {} }
        let port = refusing.port
        let transport = CurlTransport(userAgent: testUserAgent)
        let result = await transport.send(HTTPRequest(url: "http://127.0.0.1:\(port)/", connectTimeout: 2, timeout: 5))

        let error = try #require(result.error())
        #expect(error == .connectionRefused("127.0.0.1:\(port)"))
        #expect(error.localizedDescription.contains("127.0.0.1:\(port)"))
    }

    @Test("an unresolvable host gives couldNotResolve")
    func unresolvable() async throws {
        let transport = CurlTransport(userAgent: testUserAgent)
        let result = await transport.send(HTTPRequest(url: "http://nonexistent.invalid/", connectTimeout: 5, timeout: 10))

        let error = try #require(result.error())
        #expect(error == .couldNotResolve("nonexistent.invalid"))
        #expect(error.localizedDescription.contains("nonexistent.invalid"))
    }

    @Test(
        "URLs of other schemes are refused before any I/O",
        arguments: ["ftp", "gopher", "dict", "telnet", "ldap", "smtp", "scp", "tftp", "ws", "file-host"])
    func otherSchemesRefused(scheme: String) async throws {
        let listener = try RawTCPServer { _, _ in }
        let url =
            scheme == "file-host"
            ? "file://127.0.0.1:\(listener.port)/etc/passwd" : "\(scheme)://127.0.0.1:\(listener.port)/x"
        let transport = CurlTransport(userAgent: testUserAgent)
        let result = await transport.send(HTTPRequest(url: url))
        try await Task.sleep(for: .milliseconds(100))
        await listener.stop()

        #expect(result.error() == .unsupportedScheme(url))
        #expect(listener.accepted == 0)
    }

    @Test("file:// URLs are refused before any I/O")
    func fileRefused() async throws {
        let transport = CurlTransport(userAgent: testUserAgent)
        let result = await transport.send(HTTPRequest(url: "file:///etc/passwd"))
        let upper = await transport.send(HTTPRequest(url: "FILE:///etc/passwd"))
        #expect(result.error() == .unsupportedScheme("file:///etc/passwd"))
        #expect(upper.error() == .unsupportedScheme("FILE:///etc/passwd"))
    }

    @Test("schemes without an authority are refused too", arguments: ["mailto:ops@example.com", "javascript:alert(1)", "data:text/plain,hi"])
    func opaqueSchemesRefused(url: String) async throws {
        let transport = CurlTransport(userAgent: testUserAgent)
        #expect(await transport.send(HTTPRequest(url: url)).error() == .unsupportedScheme(url))
    }

    @Test(
        "malformed URLs give invalidURL",
        arguments: ["not a url", "/relative/path", "example.com/cron", "localhost:3000/cron", "example.com:8080", "http://", ""])
    func invalidURLs(url: String) async throws {
        let transport = CurlTransport(userAgent: testUserAgent)
        let result = await transport.send(HTTPRequest(url: url))
        #expect(result.error() == .invalidURL(url))
    }

    @Test("cancelling the task aborts the transfer")
    func cancellation() async throws {
        let server = try RawTCPServer { fd, server in
            var buffer = Data()
            _ = RawTCPServer.readHead(fd, buffer: &buffer)
            while !server.isStopping { usleep(20_000) }
        }
        let transport = CurlTransport(userAgent: testUserAgent)
        let task = Task { await transport.send(HTTPRequest(url: server.baseURL + "/hang", timeout: 30)) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = await task.value
        await server.stop()

        guard case .transport(let code, _) = result.error() else {
            Issue.record("expected an aborted transfer")
            return
        }
        #expect(code == 42)  // CURLE_ABORTED_BY_CALLBACK
    }

    @Test("error descriptions are sentences that quote the value and say what to do")
    func errorDescriptions() {
        let cases: [(HTTPError, String)] = [
            (.invalidURL("htp:/x"), "htp:/x"),
            (.unsupportedScheme("ftp://host/"), "ftp://host/"),
            (.redirectRefused("file:///etc/passwd"), "file:///etc/passwd"),
            (.tooManyRedirects(5), "5 times"),
            (.timedOut(1.5), "1.5 seconds"),
            (.timedOut(30), "30 seconds"),
            (.connectionRefused("127.0.0.1:9"), "127.0.0.1:9"),
            (.couldNotResolve("nope.invalid"), "nope.invalid"),
            (.tls("example.com:443: certificate expired"), "certificate expired"),
            (.transport(code: 56, message: "Recv failure"), "Recv failure"),
        ]
        for (error, quoted) in cases {
            let text = error.errorDescription ?? ""
            #expect(text.contains(quoted), "\(error)")
            #expect(text.hasSuffix("."), "\(error)")
            #expect(text.split(separator: ".").count >= 2, "\(error) should say what to do next")
        }
    }
}
