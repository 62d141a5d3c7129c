import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// One family of loopback servers for both test targets: a threaded HTTP/1.1 server on 127.0.0.1 whose every
// answer is chosen by a closure, and which can also misbehave (answer nothing, answer late) for the fault tests.
// Threads, not Swift tasks: a server must keep answering while the tests beside it hold the cooperative pool.

/// A request as the server read it.
public struct LoopbackRequest: Sendable {
    public var method: String
    /// The request target: path and query, as sent.
    public var target: String
    /// Header names lowercased; the last value of a repeated header.
    public var headers: [String: String]
    public var body: Data
    /// The request head as received (request line and header lines), for tests that look at raw bytes.
    public var head: String

    /// The path without the query.
    public var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }

    /// The query's items (the last value of a repeated name), percent-decoded.
    public var query: [String: String] {
        var items: [String: String] = [:]
        for item in URLComponents(string: target)?.queryItems ?? [] { items[item.name] = item.value ?? "" }
        return items
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
    public var authorization: String? { headers["authorization"] }
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// What the server answers.
public struct LoopbackReply: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: Data
    /// Wait this long before answering.
    public var delayMs: Int
    /// Never answer: hold the connection open until the client or `stop()` closes it.
    public var silent: Bool

    public init(status: Int, headers: [(String, String)] = [], body: Data = Data(), delayMs: Int = 0, silent: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delayMs = delayMs
        self.silent = silent
    }

    public static func text(_ status: Int, _ text: String, headers: [(String, String)] = [], delayMs: Int = 0) -> LoopbackReply {
        LoopbackReply(status: status, headers: headers, body: Data(text.utf8), delayMs: delayMs)
    }

    public static func json(_ status: Int, _ json: String, delayMs: Int = 0) -> LoopbackReply {
        LoopbackReply(status: status, headers: [("Content-Type", "application/json")], body: Data(json.utf8), delayMs: delayMs)
    }

    /// Reads the request and never answers.
    public static let silence = LoopbackReply(status: 0, silent: true)
}

/// A listening TCP socket on 127.0.0.1 with a port chosen by the kernel.
public enum LoopbackListener {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A bound socket; `listening: false` binds without listening, so connections to the port are refused
    /// while the port stays taken (no other test can grab it).
    public static func open(backlog: Int32 = 128, listening: Bool = true) throws -> (fd: Int32, port: UInt16) {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket(): \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, !listening || listen(fd, backlog) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "bind/listen on 127.0.0.1: \(reason)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }
}

/// A threaded HTTP/1.1 server on 127.0.0.1: keep-alive, request bodies read by Content-Length, HEAD answered
/// without a body, every answer from `respond`. It records every request; `stop()` closes the listener and shuts
/// every open connection down.
public final class LoopbackServer: @unchecked Sendable {
    public let port: UInt16
    private let listener: Int32
    private let respond: @Sendable (LoopbackRequest) -> LoopbackReply
    private let lock = NSLock()
    private var log: [LoopbackRequest] = []
    private var clients: Set<Int32> = []
    private var inFlight = 0
    private var maxInFlight = 0
    private var stopping = false

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var requests: [LoopbackRequest] { locked { log } }
    public var paths: [String] { requests.map(\.path) }
    /// The most requests that were being answered at the same moment.
    public var peakInFlight: Int { locked { maxInFlight } }

    public init(_ respond: @escaping @Sendable (LoopbackRequest) -> LoopbackReply) throws {
        self.respond = respond
        (listener, port) = try LoopbackListener.open()
        Thread { [self] in acceptLoop() }.start()
    }

    /// Answers every request with `status` and `body` (a small JSON body by default).
    public convenience init(status: Int, body: String? = nil, delayMs: Int = 0) throws {
        let text = body ?? #"{"success":\#(status < 400),"message":"handled"}"#
        try self.init { _ in .json(status, text, delayMs: delayMs) }
    }

    deinit { stop() }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    public func stop() {
        locked {
            if !stopping {
                stopping = true
                for client in clients { shutdown(client, Int32(SHUT_RDWR)) }
            }
        }
    }

    private var isStopping: Bool { locked { stopping } }

    private func acceptLoop() {
        while !isStopping {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            let accepted = locked { () -> Bool in
                guard !stopping else { return false }
                clients.insert(client)
                return true
            }
            guard accepted else { close(client); break }
            Thread { [self] in
                serve(client)
                locked { _ = clients.remove(client) }
                close(client)
            }.start()
        }
        close(listener)
    }

    private func serve(_ fd: Int32) {
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let terminator = Data("\r\n\r\n".utf8)
        while !isStopping {
            while buffer.range(of: terminator) == nil {
                let count = recv(fd, &chunk, chunk.count, 0)
                guard count > 0 else { return }
                buffer.append(contentsOf: chunk[0..<count])
            }
            guard let end = buffer.range(of: terminator) else { return }
            let head = String(decoding: buffer[buffer.startIndex..<end.lowerBound], as: UTF8.self)
            buffer.removeSubrange(buffer.startIndex..<end.upperBound)
            let lines = head.components(separatedBy: "\r\n")
            let parts = (lines.first ?? "").split(separator: " ").map(String.init)
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "") ?? 0
            while buffer.count < length {
                let count = recv(fd, &chunk, chunk.count, 0)
                guard count > 0 else { return }
                buffer.append(contentsOf: chunk[0..<count])
            }
            let request = LoopbackRequest(method: parts.first ?? "", target: parts.count > 1 ? parts[1] : "",
                                          headers: headers, body: Data(buffer.prefix(length)), head: head)
            buffer.removeFirst(min(length, buffer.count))
            locked {
                log.append(request)
                inFlight += 1
                maxInFlight = max(maxInFlight, inFlight)
            }
            let reply = respond(request)
            if reply.silent {
                // Hold the connection: read (and drop) whatever comes until the peer or stop() closes it.
                while recv(fd, &chunk, chunk.count, 0) > 0 {}
                locked { inFlight -= 1 }
                return
            }
            if reply.delayMs > 0 { usleep(useconds_t(reply.delayMs) * 1000) }
            locked { inFlight -= 1 }
            var response = "HTTP/1.1 \(reply.status) Loopback\r\n"
            for (name, value) in reply.headers { response += "\(name): \(value)\r\n" }
            response += "Content-Length: \(reply.body.count)\r\n\r\n"
            var bytes = Array(response.utf8)
            if request.method != "HEAD" { bytes += reply.body }
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard sent > 0 else { return }
                offset += sent
            }
        }
    }
}
