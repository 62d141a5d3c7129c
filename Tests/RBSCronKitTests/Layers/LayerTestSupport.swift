import Foundation
import QStashStandIn
@testable import RBSCronKit

/// A small inventory with QStash jobs in two apps whose names share a prefix (`la`, `la-hoja`).
enum LayerFixtures {
    static let colectiva = App(name: "colectiva", displayName: "Colectiva", baseURL: "https://colectiva.example.test/",
                               platform: .firebase)
    static let la = App(name: "la", displayName: "La", baseURL: "https://la.example.test", platform: .vercel)
    static let laHoja = App(name: "la-hoja", displayName: "La Hoja", baseURL: "https://la-hoja.example.test", platform: .vercel)

    static let jobs: [Job] = [
        Job(app: "colectiva", name: "daily-brain", path: "/api/cron/daily-brain", layer: .qstash, schedule: "0 11 * * *",
            auth: .qstash, timeoutMs: 30_000, retries: 3),
        Job(app: "colectiva", name: "heartbeat", path: "/api/cron/ecosystem-heartbeat", layer: .qstash, schedule: "*/30 * * * *",
            auth: .qstash, timeoutMs: 30_000, retries: 3),
        Job(app: "colectiva", name: "local-morning", path: "/api/cron/morning", method: .GET, layer: .qstash,
            schedule: "0 8 * * 1-5", timezone: "America/Mexico_City", auth: .cronSecret, timeoutMs: 1_500, retries: 0),
        Job(app: "colectiva", name: "switched-off", path: "/api/cron/off", layer: .qstash, schedule: "0 1 * * *", auth: .qstash,
            enabled: false),
        Job(app: "colectiva", name: "on-vercel", path: "/api/cron/v", method: .GET, layer: .vercel, schedule: "0 6 * * *"),
        Job(app: "la", name: "tick", path: "/api/tick", layer: .qstash, schedule: "0 * * * *", auth: .qstash),
        Job(app: "la-hoja", name: "dispatcher", path: "/api/cron/dispatcher", layer: .qstash, schedule: "*/15 * * * *", auth: .qstash),
    ]

    static var inventory: Inventory { Inventory(apps: [colectiva, la, laHoja], jobs: jobs) }

    static let token = "qstash-token-0123456789"
    static let cronSecret = "cron-secret-abcdefghijkl"

    static var secrets: StaticSecrets {
        StaticSecrets(["global": [SecretKeys.qstashToken: token, SecretKeys.cronSecret: cronSecret]])
    }

    static func sync(_ standIn: QStashStandIn, inventory: Inventory = inventory,
                     secrets: any SecretProvider = secrets) throws -> QStashSync {
        try QStashSync(inventory: inventory, secrets: secrets, transport: CurlTransport(userAgent: "rbscron-test"),
                   baseURL: standIn.baseURL)
    }
}

/// Counts requests and never sends them: proves a code path made none.
struct NoRequestTransport: HTTPTransport {
    let counter = Counter()
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        var count: Int { lock.lock(); defer { lock.unlock() }; return value }
        func increment() { lock.lock(); value += 1; lock.unlock() }
    }

    func send(_ request: RBSCronKit.HTTPRequest) async -> Result<RBSCronKit.HTTPResponse, HTTPError> {
        counter.increment()
        return .failure(.transport(code: -1, message: "no request expected"))
    }
}
