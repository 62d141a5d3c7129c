import Crypto
import Foundation
import RBSCronTestSupport
import Testing

@testable import RBSCronKit

/// The endpoints an audit meets in the wild, served on loopback, and the secrets that guard them.
enum AuditFixture {
    static let cronSecret = "audit-cron-secret-7Qm2xV9pLr4TnB8w"
    static let serviceRole = "audit-service-role-kZ3yH6cN1fW0jR5u"
    static let anonKey = "audit-anon-key-public-Pq8sT2vX4zB6dF"
    static let signingKey = "sig_auditCurrent5Yh8Kd2Lm9Qw3Rt"
    static let nextSigningKey = "sig_auditNext7Gh2Jk4Lp6Zx8Cv1Bn"

    /// Every value no probe may carry.
    static let realSecrets = [cronSecret, serviceRole, signingKey, nextSigningKey]

    static var environment: [String: String] {
        var env: [String: String] = [:]
        for app in ["strict", "open", "undefined", "signed", "unconfigured", "redirect", "postonly"] {
            let scope = app.uppercased()
            env["RBSCRON_SECRET_\(scope)_CRON_SECRET"] = cronSecret
        }
        env["RBSCRON_SECRET_STRICT_SUPABASE_SERVICE_ROLE_KEY"] = serviceRole
        env["RBSCRON_SECRET_STRICT_SUPABASE_ANON_KEY"] = anonKey
        env["RBSCRON_SECRET_SIGNED_QSTASH_CURRENT_SIGNING_KEY"] = signingKey
        env["RBSCRON_SECRET_SIGNED_QSTASH_NEXT_SIGNING_KEY"] = nextSigningKey
        return env
    }

    /// (a) a constant-time bearer check, (b) anything goes, (c) the `!==` template with its secret unset,
    /// (e) a 500 when unconfigured, (f) a redirect to an open endpoint elsewhere, (g) a route with only a POST handler.
    static func server(openElsewhere: String) throws -> LoopbackServer {
        try LoopbackServer { request in
            let auth = request.authorization ?? ""
            switch request.path {
            case "/api/cron/strict":
                return ConstantTime.equals(auth, "Bearer \(cronSecret)") ? .json(200, #"{"ran":true}"#) : .json(401, #"{"error":"unauthorized"}"#)
            case "/api/cron/edge":
                return ConstantTime.equals(auth, "Bearer \(serviceRole)") ? .json(200, #"{"ran":true}"#) : .json(401, #"{"error":"unauthorized"}"#)
            case "/api/cron/open":
                return .json(200, #"{"ran":true}"#)
            case "/api/cron/undefined":
                // `if (authHeader !== `Bearer ${process.env.CRON_SECRET}`)` with CRON_SECRET unset on the deployment.
                return auth == "Bearer undefined" ? .json(200, #"{"ran":true}"#) : .json(401, #"{"error":"unauthorized"}"#)
            case "/api/cron/unconfigured":
                return .json(500, #"{"error":"CRON_SECRET is not configured"}"#)
            case "/api/cron/redirect":
                return LoopbackReply(status: 307, headers: [("Location", openElsewhere + "/api/cron/open")])
            case "/api/cron/post-only":
                guard request.method == "POST" else { return .text(405, "Method Not Allowed") }
                return ConstantTime.equals(auth, "Bearer \(cronSecret)") ? .json(200, #"{"ran":true}"#) : .json(401, #"{"error":"unauthorized"}"#)
            default:
                return .text(404, "not found")
            }
        }
    }

    static func inventory(base: String, signedBase: String) -> Inventory {
        func app(_ name: String, _ url: String = base) -> App {
            App(name: name, displayName: name.capitalized, baseURL: url, platform: .vercel)
        }
        func job(_ app: String, _ name: String, _ path: String, layer: Layer = .manual, schedule: String? = nil,
                 auth: AuthKind = .cronSecret, method: HTTPMethod = .POST) -> Job {
            Job(app: app, name: name, path: path, method: method, layer: layer, schedule: schedule, auth: auth, timeoutMs: 10_000)
        }
        return Inventory(
            apps: [app("strict"), app("open"), app("undefined"), app("signed", signedBase), app("unconfigured"),
                   app("redirect"), app("postonly")],
            jobs: [
                job("strict", "job", "/api/cron/strict"),
                job("strict", "edge", "/api/cron/edge", auth: .serviceRole),
                job("open", "job", "/api/cron/open", method: .GET),
                job("undefined", "job", "/api/cron/undefined"),
                job("signed", "job", "/api/cron/signed", layer: .qstash, schedule: "*/15 * * * *", auth: .qstash),
                job("unconfigured", "job", "/api/cron/unconfigured"),
                job("redirect", "job", "/api/cron/redirect"),
                job("postonly", "dispatcher", "/api/cron/post-only", layer: .vercel, schedule: "0 14 * * *"),
            ])
    }

    static func workspace(_ store: InventoryStore, environment: [String: String] = AuditFixture.environment) -> Workspace {
        Workspace(store: store, environment: environment, transport: { CurlTransport(userAgent: RBSCronVersion.userAgent) })
    }

    /// True when `token` is an HS256 JWT whose signature verifies with `key`.
    static func signed(_ token: String, with key: String) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let mac = base64URLDecode(parts[2]) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data((parts[0] + "." + parts[1]).utf8),
                                                      using: SymmetricKey(data: Data(key.utf8)))
    }
}

/// Upstash's own `Receiver` behind a loopback port (Tests/oracle/qstash_receiver_server.py), for the audit of a QStash
/// endpoint: the endpoint under test is the SDK itself.
final class ReceiverServer: @unchecked Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("oracle/qstash_receiver_server.py")

    private var process: ChildProcess?
    let folder: URL
    private(set) var port = 0

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The requests it received: method, path and headers (names lowercased).
    var requests: [(method: String, path: String, headers: [String: String])] {
        let text = (try? String(contentsOf: folder.appendingPathComponent("requests.jsonl"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return (object["method"] as? String ?? "", object["path"] as? String ?? "",
                    object["headers"] as? [String: String] ?? [:])
        }
    }

    init(current: String, next: String) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-receiver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let portFile = folder.appendingPathComponent("port")
        // Its stdin is a pipe this object holds: the server exits when it is closed.
        let process = try ChildProcess("/usr/bin/env", ["python3", Self.script.path, portFile.path,
                                                        folder.appendingPathComponent("requests.jsonl").path, current, next],
                                       stdin: .pipe)
        self.process = process
        var port: Int?
        for _ in 0..<200 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let value = Int(text) { port = value; break }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let port else {
            stop()
            throw ReceiverServerFailure(description: "the qstash Receiver server did not start (is the qstash package installed?)")
        }
        self.port = port
    }

    func stop() {
        try? process?.input?.close()
        process?.terminate()
        process?.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}

struct ReceiverServerFailure: Error, CustomStringConvertible {
    var description: String
}
