import FlyingFox
import FlyingSocks
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Test servers bound to 127.0.0.1 on a port the kernel picks; each test starts and stops its own.
// This file deliberately does not import RBSCronKit, whose HTTPRequest/HTTPResponse/HTTPHeader
// names clash with FlyingFox's.

/// A value behind a lock, for counters shared with server threads.
final class TestLocked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// What a FlyingFox-served request looked like on the server side.
struct RecordedRequest: Sendable {
    var method: String
    var path: String
    /// The query string's items (the last value of a repeated name).
    var query: [String: String]
    /// Header names lowercased, in arrival order.
    var headers: [(name: String, value: String)]
    var body: Data

    func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.last { $0.name == wanted }?.value
    }

    var authorization: String? { header("authorization") }
}

/// What a FlyingFox route answers.
struct Reply: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: Data = Data()

    static func text(_ status: Int, _ text: String, headers: [(String, String)] = []) -> Reply {
        Reply(status: status, headers: headers, body: Data(text.utf8))
    }

    static func redirect(_ status: Int, to location: String) -> Reply {
        Reply(status: status, headers: [("Location", location)])
    }
}

/// A well-behaved HTTP/1.1 server (FlyingFox) that records every request it receives.
final class LoopbackHTTPServer: Sendable {
    let port: UInt16
    private let server: FlyingFox.HTTPServer
    private let task: Task<Void, Never>
    private let log: TestLocked<[RecordedRequest]>

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var requests: [RecordedRequest] { log.withLock { $0 } }

    private init(port: UInt16, server: FlyingFox.HTTPServer, task: Task<Void, Never>, log: TestLocked<[RecordedRequest]>) {
        self.port = port
        self.server = server
        self.task = task
        self.log = log
    }

    static func start(_ respond: @escaping @Sendable (RecordedRequest) async -> Reply) async throws -> LoopbackHTTPServer {
        let log = TestLocked<[RecordedRequest]>([])
        let handler = ClosureHTTPHandler { request in
            var headers: [(name: String, value: String)] = []
            for (name, value) in request.headers { headers.append((name.rawValue.lowercased(), value)) }
            var query: [String: String] = [:]
            for item in request.query { query[item.name] = item.value }
            let recorded = RecordedRequest(method: request.method.rawValue, path: request.path, query: query,
                                           headers: headers, body: try await request.bodyData)
            log.withLock { $0.append(recorded) }
            let reply = await respond(recorded)
            var replyHeaders = HTTPHeaders()
            for (name, value) in reply.headers { replyHeaders.addValue(value, for: FlyingFox.HTTPHeader(name)) }
            return FlyingFox.HTTPResponse(
                statusCode: HTTPStatusCode(reply.status, phrase: "Test"), headers: replyHeaders, body: reply.body)
        }
        let address = try sockaddr_in.inet(ip4: "127.0.0.1", port: 0)
        let server = FlyingFox.HTTPServer(address: address, timeout: 30, logger: .disabled, handler: handler)
        let task = Task<Void, Never> { _ = try? await server.run() }
        try await server.waitUntilListening(timeout: 120)  // bounds a hang; a loaded CI machine can take a while
        guard case .ip4(_, let port) = await server.listeningAddress else {
            task.cancel()
            throw TestServerError.noPort
        }
        return LoopbackHTTPServer(port: port, server: server, task: task, log: log)
    }

    func stop() async {
        await server.stop(timeout: 1)
        task.cancel()
    }
}

enum TestServerError: Error { case noPort, socket(String) }

/// A raw POSIX TCP server for misbehaviour FlyingFox cannot produce (silence, trickling headers)
/// and for counting connections exactly. One thread per connection runs `handler`; the server
/// closes the socket after the handler returns, and `stop()` shuts every socket down.
final class RawTCPServer: Sendable {
    private struct State {
        var accepted = 0
        var open: Set<Int32> = []
        var maxOpen = 0
        var stopping = false
        var acceptLoopDone = false
    }

    let port: UInt16
    private let listener: Int32
    private let state = TestLocked(State())

    var baseURL: String { "http://127.0.0.1:\(port)" }
    /// Connections accepted so far.
    var accepted: Int { state.withLock { $0.accepted } }
    /// The most connections open at the same time.
    var maxOpen: Int { state.withLock { $0.maxOpen } }
    var isStopping: Bool { state.withLock { $0.stopping } }

    init(handler: @escaping @Sendable (Int32, RawTCPServer) -> Void) throws {
        let (fd, port) = try Self.listen()
        listener = fd
        self.port = port
        let thread = Thread { [self] in self.acceptLoop(handler) }
        thread.start()
    }

    /// Binds 127.0.0.1:0 and returns the socket and its port.
    static func listen() throws -> (Int32, UInt16) {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw TestServerError.socket("socket: \(errno)") }
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 256) == 0 else {
            close(fd)
            throw TestServerError.socket("bind/listen: \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    /// A port on 127.0.0.1 that refuses connections for as long as the returned value lives: a socket bound to
    /// it that never listens. (Binding, closing and handing out the number let a server started meanwhile by a
    /// parallel test take the port, and the "refused" connection then reached it.)
    static func refusingPort() throws -> RefusingPort {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw TestServerError.socket("socket: \(errno)") }
        // No SO_REUSEADDR: no other socket may bind this port while it is held.
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw TestServerError.socket("bind: \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return RefusingPort(fd: fd, port: UInt16(bigEndian: address.sin_port))
    }

    private func acceptLoop(_ handler: @escaping @Sendable (Int32, RawTCPServer) -> Void) {
        while !isStopping {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            let admitted = state.withLock { state -> Bool in
                guard !state.stopping else { return false }
                state.accepted += 1
                state.open.insert(client)
                state.maxOpen = max(state.maxOpen, state.open.count)
                return true
            }
            guard admitted else {
                close(client)
                break
            }
            let worker = Thread { [self] in
                handler(client, self)
                state.withLock { _ = $0.open.remove(client) }
                close(client)
            }
            worker.start()
        }
        close(listener)
        state.withLock { $0.acceptLoopDone = true }
    }

    /// Stops accepting, wakes every handler blocked on its socket, and waits for the accept loop.
    func stop() async {
        state.withLock { state in
            state.stopping = true
            for fd in state.open { shutdown(fd, Int32(SHUT_RDWR)) }
        }
        for _ in 0..<200 where !state.withLock({ $0.acceptLoopDone }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    // MARK: helpers for handlers

    /// Reads one request head (up to the blank line), keeping any extra bytes in `buffer`.
    static func readHead(_ fd: Int32, buffer: inout Data) -> String? {
        let terminator = Data("\r\n\r\n".utf8)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let range = buffer.range(of: terminator) {
                let head = String(decoding: buffer[buffer.startIndex..<range.lowerBound], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex..<range.upperBound)
                return head
            }
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    /// Writes all of `text`; false once the peer is gone.
    @discardableResult
    static func write(_ fd: Int32, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
}

/// A bound, never listening socket: connections to `port` are refused until it is released.
final class RefusingPort: Sendable {
    let port: UInt16
    private let fd: Int32

    init(fd: Int32, port: UInt16) {
        self.fd = fd
        self.port = port
    }

    deinit { close(fd) }
}
