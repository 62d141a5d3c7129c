import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A scripted HTTP/1.1 server for the health and keep-alive tests, on `RawTCPServer`: keep-alive
/// connections, request bodies read by Content-Length, every request recorded and answered by `respond`
/// (after an optional delay), HEAD answered without a body. Counts requests in flight on the server side.
final class HealthStubServer: Sendable {
    struct Seen: Sendable {
        var method: String
        var path: String
        /// Header names lowercased.
        var headers: [String: String]
        var body: String
    }

    struct Answer: Sendable {
        var status: Int
        var delayMs: Int = 0
        var body: String = "ok"
    }

    private let raw: RawTCPServer
    private let log: TestLocked<[Seen]>
    private let flight: TestLocked<(now: Int, max: Int)>

    var baseURL: String { raw.baseURL }
    var requests: [Seen] { log.withLock { $0 } }
    /// The most requests the server was handling at once.
    var maxInFlight: Int { flight.withLock { $0.max } }

    init(_ respond: @escaping @Sendable (Seen) -> Answer) throws {
        let log = TestLocked<[Seen]>([])
        let flight = TestLocked((now: 0, max: 0))
        self.log = log
        self.flight = flight
        raw = try RawTCPServer { fd, server in
            var buffer = Data()
            while !server.isStopping, let head = RawTCPServer.readHead(fd, buffer: &buffer) {
                let lines = head.components(separatedBy: "\r\n")
                let parts = (lines.first ?? "").split(separator: " ")
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let length = Int(headers["content-length"] ?? "") ?? 0
                var chunk = [UInt8](repeating: 0, count: 4096)
                while buffer.count < length {
                    let count = recv(fd, &chunk, chunk.count, 0)
                    guard count > 0 else { return }
                    buffer.append(contentsOf: chunk[0..<count])
                }
                let body = String(decoding: buffer.prefix(length), as: UTF8.self)
                buffer.removeFirst(min(length, buffer.count))
                let seen = Seen(method: parts.first.map(String.init) ?? "", path: parts.dropFirst().first.map(String.init) ?? "",
                                headers: headers, body: body)
                log.withLock { $0.append(seen) }
                flight.withLock {
                    $0.now += 1
                    $0.max = max($0.max, $0.now)
                }
                let answer = respond(seen)
                if answer.delayMs > 0 { usleep(useconds_t(answer.delayMs * 1000)) }
                flight.withLock { $0.now -= 1 }
                let payload = seen.method == "HEAD" ? "" : answer.body
                let response = "HTTP/1.1 \(answer.status) Stub\r\nContent-Length: \(answer.body.utf8.count)\r\n\r\n\(payload)"
                guard RawTCPServer.write(fd, response) else { return }
            }
        }
    }

    func stop() async { await raw.stop() }
}
