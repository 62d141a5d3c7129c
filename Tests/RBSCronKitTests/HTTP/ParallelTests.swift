import Foundation
import Testing

@testable import RBSCronKit

@Suite("CurlTransport fan-out", .timeLimit(.minutes(1)))
struct ParallelTests {
    @Test("300 requests at concurrency 100 all succeed, in input order, within the bound")
    func boundedParallel() async throws {
        let inFlight = TestLocked((now: 0, max: 0))
        // Keep-alive HTTP/1.1: every request waits 200 ms, then echoes its path.
        let server = try RawTCPServer { fd, _ in
            var buffer = Data()
            while let head = RawTCPServer.readHead(fd, buffer: &buffer) {
                inFlight.withLock {
                    $0.now += 1
                    $0.max = max($0.max, $0.now)
                }
                usleep(200_000)
                inFlight.withLock { $0.now -= 1 }
                let path = head.split(separator: " ").dropFirst().first.map(String.init) ?? "?"
                guard RawTCPServer.write(fd, "HTTP/1.1 200 OK\r\nContent-Length: \(path.utf8.count)\r\n\r\n\(path)") else { return }
            }
        }
        let transport = CurlTransport(userAgent: testUserAgent)
        let requests = (0..<300).map { HTTPRequest(url: server.baseURL + "/job/\($0)", timeout: 30) }
        let reported = TestLocked<[Int]>([])
        let results = await transport.sendAll(requests, concurrency: 100) { index, _ in
            reported.withLock { $0.append(index) }
        }
        await server.stop()

        #expect(results.count == 300)
        for (index, result) in results.enumerated() {
            guard case .success(let response) = result else {
                Issue.record("request \(index) failed: \(result)")
                continue
            }
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "/job/\(index)")
        }
        #expect(reported.withLock { $0.sorted() } == Array(0..<300))
        let peakRequests = inFlight.withLock { $0.max }
        #expect(peakRequests <= 100)
        #expect(peakRequests > 1)  // they did run in parallel
        #expect(server.maxOpen <= 100)  // connections, counted on the server side
        #expect(server.accepted <= 300)
    }

    @Test("concurrency 1 runs one request at a time; results stay in input order")
    func serial() async throws {
        let inFlight = TestLocked((now: 0, max: 0))
        let server = try await LoopbackHTTPServer.start { request in
            inFlight.withLock {
                $0.now += 1
                $0.max = max($0.max, $0.now)
            }
            try? await Task.sleep(for: .milliseconds(20))
            inFlight.withLock { $0.now -= 1 }
            return .text(200, request.path)
        }
        let transport = CurlTransport(userAgent: testUserAgent)
        let requests = (0..<8).map { HTTPRequest(url: server.baseURL + "/n/\($0)") }
        let results = await transport.sendAll(requests, concurrency: 1)
        await server.stop()

        let bodies = results.map { (try? $0.get()).map { String(decoding: $0.body, as: UTF8.self) } }
        #expect(bodies == (0..<8).map { "/n/\($0)" })
        #expect(inFlight.withLock { $0.max } == 1)
    }

    @Test("a failure in a batch stays in its own slot")
    func mixedBatch() async throws {
        let server = try await LoopbackHTTPServer.start { _ in .text(200, "ok") }
        let transport = CurlTransport(userAgent: testUserAgent)
        let results = await transport.sendAll(
            [
                HTTPRequest(url: server.baseURL + "/a"),
                HTTPRequest(url: "ftp://127.0.0.1/"),
                HTTPRequest(url: server.baseURL + "/c"),
            ], concurrency: 3)
        await server.stop()

        #expect((try? results[0].get())?.status == 200)
        #expect(results[1].error() == .unsupportedScheme("ftp://127.0.0.1/"))
        #expect((try? results[2].get())?.status == 200)
    }
}
