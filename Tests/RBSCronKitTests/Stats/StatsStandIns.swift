import Foundation

// Stand-ins for the hosted APIs that `stats --sync` reads, served by LoopbackHTTPServer. Like
// LoopbackServers.swift, this file does not import RBSCronKit, whose HTTP type names clash with FlyingFox's.

extension LoopbackHTTPServer {
    /// A JSON API stand-in: `respond` gives the status and the JSON body of each answer.
    static func jsonStandIn(_ respond: @escaping @Sendable (RecordedRequest) async -> (status: Int, body: Data)) async throws
        -> LoopbackHTTPServer {
        try await start { request in
            let reply = await respond(request)
            return Reply(status: reply.status, headers: [("Content-Type", "application/json")], body: reply.body)
        }
    }
}

/// QStash's `GET /v2/events` over a fixed list of events (JSON objects as QStash sends them), newest first,
/// `pageSize` per page, with an opaque cursor, and `GET /v2/schedules` answering `schedulesJSON`; only
/// `Bearer <token>` is accepted.
enum QStashEventsStandIn {
    /// `eventsJSON` is a JSON array of event objects (Data, so the handler can share it across threads).
    static func respond(eventsJSON: Data, schedulesJSON: Data = Data("[]".utf8), pageSize: Int, token: String,
                        request: RecordedRequest) -> (status: Int, body: Data) {
        let events = ((try? JSONSerialization.jsonObject(with: eventsJSON)) as? [[String: Any]]) ?? []
        guard request.method == "GET", request.path == "/v2/events" || request.path == "/v2/schedules" else {
            return (404, Data(#"{"error":"not found"}"#.utf8))
        }
        guard request.authorization == "Bearer \(token)" else { return (401, Data(#"{"error":"Unauthorized"}"#.utf8)) }
        if request.path == "/v2/schedules" { return (200, schedulesJSON) }
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
