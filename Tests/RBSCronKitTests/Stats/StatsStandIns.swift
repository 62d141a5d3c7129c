import FlyingFox
import FlyingSocks
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Stand-ins for the hosted APIs that `stats --sync` reads. Like LoopbackServers.swift, this file does not
// import RBSCronKit, whose HTTP type names clash with FlyingFox's.

/// What the stand-ins saw: method, path, query and headers of each request.
struct SeenRequest: Sendable {
    var method: String
    var path: String
    var query: [String: String]
    var authorization: String?
    var body: Data
}

/// A FlyingFox server on 127.0.0.1 answering with `respond`, recording each request with its query.
final class StandInServer: Sendable {
    let port: UInt16
    private let server: FlyingFox.HTTPServer
    private let task: Task<Void, Never>
    private let log: TestLocked<[SeenRequest]>

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var requests: [SeenRequest] { log.withLock { $0 } }

    private init(port: UInt16, server: FlyingFox.HTTPServer, task: Task<Void, Never>, log: TestLocked<[SeenRequest]>) {
        self.port = port
        self.server = server
        self.task = task
        self.log = log
    }

    static func start(_ respond: @escaping @Sendable (SeenRequest) async -> (status: Int, body: Data)) async throws -> StandInServer {
        let log = TestLocked<[SeenRequest]>([])
        let handler = ClosureHTTPHandler { request in
            var query: [String: String] = [:]
            for item in request.query { query[item.name] = item.value }
            let seen = SeenRequest(method: request.method.rawValue, path: request.path, query: query,
                                   authorization: request.headers[FlyingFox.HTTPHeader("Authorization")],
                                   body: try await request.bodyData)
            log.withLock { $0.append(seen) }
            let reply = await respond(seen)
            return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(reply.status, phrase: "Stand-in"),
                                          headers: [FlyingFox.HTTPHeader("Content-Type"): "application/json"], body: reply.body)
        }
        let address = try sockaddr_in.inet(ip4: "127.0.0.1", port: 0)
        let server = FlyingFox.HTTPServer(address: address, timeout: 30, logger: .disabled, handler: handler)
        let task = Task<Void, Never> { _ = try? await server.run() }
        try await server.waitUntilListening(timeout: 120)  // bounds a hang; a loaded CI machine can take a while
        guard case .ip4(_, let port) = await server.listeningAddress else {
            task.cancel()
            throw TestServerError.noPort
        }
        return StandInServer(port: port, server: server, task: task, log: log)
    }

    func stop() async {
        await server.stop(timeout: 1)
        task.cancel()
    }
}

/// QStash's `GET /v2/events` over a fixed list of events (JSON objects as QStash sends them), newest first,
/// `pageSize` per page, with an opaque cursor; only `Bearer <token>` is accepted.
enum QStashEventsStandIn {
    /// `eventsJSON` is a JSON array of event objects (Data, so the handler can share it across threads).
    static func respond(eventsJSON: Data, pageSize: Int, token: String, request: SeenRequest) -> (status: Int, body: Data) {
        let events = ((try? JSONSerialization.jsonObject(with: eventsJSON)) as? [[String: Any]]) ?? []
        guard request.method == "GET", request.path == "/v2/events" else {
            return (404, Data(#"{"error":"not found"}"#.utf8))
        }
        guard request.authorization == "Bearer \(token)" else { return (401, Data(#"{"error":"Unauthorized"}"#.utf8)) }
        let from = request.query["fromDate"].flatMap { Int64($0) } ?? 0
        func time(_ event: [String: Any]) -> Int64 { (event["time"] as? NSNumber)?.int64Value ?? 0 }
        let wanted = events.filter { time($0) >= from }.sorted { time($0) > time($1) }
        let offset = request.query["cursor"].flatMap { Int($0.dropFirst("c-".count)) } ?? 0
        let count = min(pageSize, Int(request.query["count"] ?? "") ?? pageSize)
        let page = Array(wanted.dropFirst(offset).prefix(count))
        var object: [String: Any] = ["events": page]
        if offset + page.count < wanted.count { object["cursor"] = "c-\(offset + page.count)" }
        return (200, (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }
}
