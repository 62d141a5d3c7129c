import Foundation

// A loopback stand-in for the three Vercel surfaces rbscron reads, with the shapes Vercel's own clients read:
// `GET /v9/projects/{idOrName}` (the project and its `crons`), `GET /api/logs/request-logs` (the request log behind
// `vercel logs`, paged by `page` while `hasMoreRows`) and `GET /v1/schedules` (Vercel Schedules, paged by `cursor`).
// Every request must carry `Authorization: Bearer <token>`; the data is scripted by the test.

/// One project the stand-in knows.
public struct VercelStandInProject: Sendable {
    public var id: String
    public var name: String
    /// The owner: the request log's `ownerId` must be this (or `team`).
    public var accountId: String
    /// The team whose `teamId` may be passed; nil for a personal project (then any `teamId` is refused with 404).
    public var team: String?
    /// The project's `crons` object as raw JSON, or nil for a project that never deployed crons.
    public var cronsJSON: String?

    public init(id: String, name: String, accountId: String, team: String? = nil, cronsJSON: String?) {
        self.id = id
        self.name = name
        self.accountId = accountId
        self.team = team
        self.cronsJSON = cronsJSON
    }

    /// `crons` with `definitions` of (path, schedule); `disabledAt` set when `disabledAtMs` is.
    public static func crons(enabledAtMs: Int64, disabledAtMs: Int64? = nil, deploymentId: String = "dpl_current",
                             definitions: [(path: String, schedule: String)]) -> String {
        let items = definitions.map { #"{"host": "app.example.com", "path": "\#($0.path)", "schedule": "\#($0.schedule)"}"# }
        return #"{"enabledAt": \#(enabledAtMs), "disabledAt": \#(disabledAtMs.map(String.init) ?? "null"), "#
            + #""updatedAt": \#(enabledAtMs), "deploymentId": "\#(deploymentId)", "definitions": [\#(items.joined(separator: ", "))]}"#
    }
}

/// One request of a project's request log.
public struct VercelStandInRow: Sendable {
    public var requestId: String
    public var timestampMs: Int64
    public var method: String
    public var path: String
    public var status: Int?
    public var environment: String
    public var deploymentId: String

    public init(requestId: String, timestampMs: Int64, method: String = "GET", path: String, status: Int?,
                environment: String = "production", deploymentId: String = "dpl_current") {
        self.requestId = requestId
        self.timestampMs = timestampMs
        self.method = method
        self.path = path
        self.status = status
        self.environment = environment
        self.deploymentId = deploymentId
    }

    /// The row as Vercel's request log writes it: the timestamp as an ISO 8601 string.
    var json: [String: Any] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var row: [String: Any] = [
            "requestId": requestId, "timestamp": formatter.string(from: Date(timeIntervalSince1970: Double(timestampMs) / 1000)),
            "deploymentId": deploymentId, "requestMethod": method, "requestPath": path, "environment": environment,
            "branch": "main", "domain": "app.example.com", "cache": "MISS", "traceId": "t-\(requestId)",
            "logs": [["level": "info", "message": "handled", "messageTruncated": false]], "events": [["source": "serverless"]],
        ]
        if let status { row["statusCode"] = status }
        return row
    }
}

/// One schedule of Vercel Schedules.
public struct VercelStandInSchedule: Sendable {
    public var name: String
    public var state: String
    public var createdAtMs: Int64
    public var cron: String
    /// `path` (with `path`), `function` (with `function`) or `queue`.
    public var targetType: String
    public var target: String
    public var jitter: Int?

    public init(name: String, state: String = "active", createdAtMs: Int64, cron: String, targetType: String = "path",
                target: String, jitter: Int? = nil) {
        self.name = name
        self.state = state
        self.createdAtMs = createdAtMs
        self.cron = cron
        self.targetType = targetType
        self.target = target
        self.jitter = jitter
    }

    var json: [String: Any] {
        var object: [String: Any] = [
            "scheduleId": "sch_\(name)", "ownerId": "team_x", "projectId": "prj_x", "trackId": "production", "name": name,
            "namespace": "default", "expression": ["type": "cron", "cron": cron], "timezone": "UTC",
            "target": targetType == "path" ? ["type": "path", "path": target] : ["type": targetType, targetType: target],
            "state": state, "source": "static", "createdAt": createdAtMs, "updatedAt": createdAtMs,
        ]
        if let jitter { object["jitter"] = jitter }
        return object
    }
}

/// The stand-in: a ``LoopbackServer`` answering Vercel's three endpoints from scripted data.
public final class VercelStandIn: @unchecked Sendable {
    public let token: String
    private let lock = NSLock()
    private var projects: [VercelStandInProject] = []
    private var rows: [String: [VercelStandInRow]] = [:]
    private var schedules: [String: [VercelStandInSchedule]] = [:]
    private var overrides: [String: (status: Int, body: String)] = [:]
    private var logPageSize = 3
    private var schedulePageSize = 2
    private var server: LoopbackServer!

    public var baseURL: String { server.baseURL }
    public var requests: [LoopbackRequest] { server.requests }

    /// The environment that points rbscron's Vercel reader at this stand-in.
    public var environment: [String: String] {
        ["VERCEL_API_URL": baseURL, "VERCEL_LOGS_URL": baseURL, "VERCEL_SCHEDULE_BASE_URL": baseURL]
    }

    public init(token: String) throws {
        self.token = token
        server = try LoopbackServer { [unowned self] request in self.answer(request) }
    }

    deinit { server?.stop() }

    public func stop() { server.stop() }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    public func add(_ project: VercelStandInProject, rows: [VercelStandInRow] = [], schedules: [VercelStandInSchedule] = []) {
        locked {
            projects.append(project)
            self.rows[project.id] = rows
            self.schedules[project.id] = schedules
        }
    }

    /// Rows and schedules per page (the request log serves newest first).
    public func paging(logRows: Int, schedules: Int) {
        locked {
            logPageSize = max(1, logRows)
            schedulePageSize = max(1, schedules)
        }
    }

    /// Answer every request whose path starts with `pathPrefix` with `status` and `body` instead, whatever its token.
    public func override(_ pathPrefix: String, status: Int, body: String) {
        locked { overrides[pathPrefix] = (status, body) }
    }

    // MARK: - Answers

    private func answer(_ request: LoopbackRequest) -> LoopbackReply {
        guard request.method == "GET" else { return .json(405, #"{"error": {"code": "method_not_allowed"}}"#) }
        // A scripted answer stands in for Vercel whatever the token (an echo of a wrong token, say).
        if let override = locked({ overrides.first { request.path.hasPrefix($0.key) }?.value }) {
            return .json(override.status, override.body)
        }
        guard request.authorization == "Bearer \(token)" else {
            return .json(403, #"{"error": {"code": "forbidden", "message": "Not authorized", "invalidToken": true}}"#)
        }
        if request.path.hasPrefix("/v9/projects/") { return project(request) }
        if request.path == "/api/logs/request-logs" { return requestLog(request) }
        if request.path == "/v1/schedules" { return scheduleList(request) }
        return .json(404, #"{"error": {"code": "not_found", "message": "The page could not be found"}}"#)
    }

    private func find(_ idOrName: String, team: String?) -> VercelStandInProject? {
        locked { projects.first { ($0.id == idOrName || $0.name == idOrName) && (team == nil || team == $0.team) } }
    }

    private func project(_ request: LoopbackRequest) -> LoopbackReply {
        let idOrName = String(request.path.dropFirst("/v9/projects/".count))
        guard let project = find(idOrName, team: request.query["teamId"]) else {
            return .json(404, #"{"error": {"code": "not_found", "message": "Project not found"}}"#)
        }
        let crons = project.cronsJSON ?? "null"
        return .json(200, #"{"id": "\#(project.id)", "name": "\#(project.name)", "accountId": "\#(project.accountId)", "#
            + #""framework": "nextjs", "nodeVersion": "22.x", "crons": \#(crons), "createdAt": 1700000000000}"#)
    }

    private func requestLog(_ request: LoopbackRequest) -> LoopbackReply {
        let q = request.query
        guard let id = q["projectId"], let owner = q["ownerId"], let start = q["startDate"].flatMap({ Int64($0) }),
              let end = q["endDate"].flatMap({ Int64($0) }), let page = q["page"].flatMap({ Int($0) }), page >= 0 else {
            return .json(400, #"{"error": {"code": "bad_request", "message": "missing or invalid query"}}"#)
        }
        guard let project = locked({ projects.first { $0.id == id } }) else {
            return .json(404, #"{"error": {"code": "not_found", "message": "Project not found"}}"#)
        }
        guard owner == project.accountId || owner == project.team else {
            return .json(403, #"{"error": {"code": "forbidden", "message": "You do not have access to this project"}}"#)
        }
        let (all, size) = locked { (rows[id] ?? [], logPageSize) }
        let window = all.filter { $0.timestampMs >= start && $0.timestampMs <= end }.sorted { $0.timestampMs > $1.timestampMs }
        let slice = window.dropFirst(page * size).prefix(size)
        let more = window.count > (page + 1) * size
        return json(["rows": slice.map(\.json), "hasMoreRows": more])
    }

    private func scheduleList(_ request: LoopbackRequest) -> LoopbackReply {
        let q = request.query
        guard let id = q["projectId"], let project = locked({ projects.first { $0.id == id } }) else {
            return .json(404, #"{"error": {"message": "project not found"}}"#)
        }
        if let team = q["teamId"], team != project.team {
            return .json(403, #"{"error": {"message": "not a member of this team"}}"#)
        }
        let namespace = q["namespace"] ?? "default"
        let (all, pageSize) = locked { (schedules[id] ?? [], schedulePageSize) }
        let inNamespace = namespace == "default" ? all : []
        let limit = min(q["limit"].flatMap { Int($0) } ?? pageSize, pageSize)
        let offset = q["cursor"].flatMap { Int($0) } ?? 0
        let slice = inNamespace.dropFirst(offset).prefix(limit)
        let next = offset + slice.count < inNamespace.count ? String(offset + slice.count) : nil
        return json(["data": slice.map(\.json), "cursor": next as Any? ?? NSNull()])
    }

    private func json(_ object: [String: Any]) -> LoopbackReply {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return .json(500, #"{"error": {"message": "stand-in could not encode its answer"}}"#)
        }
        return LoopbackReply(status: 200, headers: [("Content-Type", "application/json")], body: data)
    }
}

/// The scripted project of the Vercel tests: app `web` on project `web-app` (`prj_web`, team `team_rbs`) with four
/// crons around `anchor` (a whole hour in the past): `ok` delivered on time, `late` delivered 7 minutes late,
/// `broken` answered 500, `silent` never called; plus calls that are no fires (a preview call, a HEAD, a POST, an
/// unknown path). A second project `paused-app` has crons disabled.
public enum VercelScript {
    public static let project = "web-app"
    public static let projectID = "prj_web"
    public static let team = "team_rbs"
    public static let pausedProject = "paused-app"

    public static func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// The fire of every cron: the last whole hour at least an hour before `now`.
    public static func anchor(now: Date) -> Date {
        let hour = (now.timeIntervalSince1970 / 3_600).rounded(.down) * 3_600
        return Date(timeIntervalSince1970: hour - 3_600)
    }

    public static let definitions: [(path: String, schedule: String)] = [
        ("/api/cron/ok", "0 * * * *"), ("/api/cron/late", "0 * * * *"), ("/api/cron/broken", "0 * * * *"),
        ("/api/cron/silent", "0 * * * *"),
    ]

    public static func rows(anchor: Date) -> [VercelStandInRow] {
        let t = ms(anchor)
        return [
            VercelStandInRow(requestId: "req-ok", timestampMs: t + 2_000, path: "/api/cron/ok", status: 200),
            VercelStandInRow(requestId: "req-late", timestampMs: t + 7 * 60_000, path: "/api/cron/late", status: 200),
            VercelStandInRow(requestId: "req-broken", timestampMs: t + 1_500, path: "/api/cron/broken", status: 500),
            VercelStandInRow(requestId: "req-preview", timestampMs: t + 3_000, path: "/api/cron/silent", status: 200,
                             environment: "preview"),
            VercelStandInRow(requestId: "req-head", timestampMs: t + 4_000, method: "HEAD", path: "/api/cron/silent", status: 200),
            VercelStandInRow(requestId: "req-post", timestampMs: t + 5_000, method: "POST", path: "/api/cron/silent", status: 405),
            VercelStandInRow(requestId: "req-home", timestampMs: t + 6_000, path: "/", status: 200),
        ]
    }

    public static func schedules(anchor: Date) -> [VercelStandInSchedule] {
        let created = ms(anchor) - 86_400_000
        return [
            VercelStandInSchedule(name: "ok", createdAtMs: created, cron: "0 * * * *", target: "/api/cron/ok", jitter: 5),
            VercelStandInSchedule(name: "late", state: "inactive", createdAtMs: created, cron: "0 * * * *", target: "/api/cron/late"),
            VercelStandInSchedule(name: "broken", createdAtMs: created, cron: "0 * * * *", targetType: "function",
                                  target: "api/broken"),
        ]
    }

    /// Loads both projects into `standIn`: crons enabled a week before `anchor` on `web-app`, disabled on `paused-app`.
    public static func load(into standIn: VercelStandIn, anchor: Date) {
        let enabled = ms(anchor) - 7 * 86_400_000
        standIn.add(VercelStandInProject(id: projectID, name: project, accountId: team, team: team,
                                         cronsJSON: VercelStandInProject.crons(enabledAtMs: enabled, definitions: definitions)),
                    rows: rows(anchor: anchor), schedules: schedules(anchor: anchor))
        standIn.add(VercelStandInProject(id: "prj_paused", name: pausedProject, accountId: "user_1",
                                         cronsJSON: VercelStandInProject.crons(enabledAtMs: enabled, disabledAtMs: ms(anchor) - 3_600_000,
                                                                               definitions: [("/api/cron/ok", "0 * * * *")])),
                    rows: [VercelStandInRow(requestId: "req-paused", timestampMs: ms(anchor) + 1_000, path: "/api/cron/ok",
                                            status: 200)])
    }

    /// The manifest of the scripted apps: `web` (all four crons, project `web-app` of team `team_rbs`), `paused`
    /// (project `paused-app`) and `blind` (no vercel_project).
    public static func manifest(baseURL: String, plan: String = "pro") -> String {
        let jobs = definitions.map { d in
            "      - {name: \(d.path.split(separator: "/").last ?? ""), path: \(d.path), method: GET, layer: vercel, schedule: \"\(d.schedule)\"}"
        }.joined(separator: "\n")
        return """
            version: 1
            apps:
              - name: web
                display_name: Web
                base_url: \(baseURL)
                platform: vercel
                vercel_plan: \(plan)
                vercel_project: \(project)
                vercel_team: \(team)
                jobs:
            \(jobs)
              - name: paused
                display_name: Paused
                base_url: \(baseURL)
                platform: vercel
                vercel_plan: pro
                vercel_project: \(pausedProject)
                jobs:
                  - {name: ok, path: /api/cron/ok, method: GET, layer: vercel, schedule: "0 * * * *"}
              - name: blind
                display_name: Blind
                base_url: \(baseURL)
                platform: vercel
                jobs:
                  - {name: ok, path: /api/cron/ok, method: GET, layer: vercel, schedule: "0 * * * *"}

            """
    }
}
