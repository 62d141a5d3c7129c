import Foundation
import RBSCronTestSupport
import Testing

/// The one secrets policy, through the built binary: a CI run whose secrets all come from `RBSCRON_SECRET_*`
/// variables needs no master key, whatever the inventory holds sealed; a value that is only sealed needs the key,
/// and says so.
@Suite("secrets from the environment only: no master key needed", .timeLimit(.minutes(2)))
struct EnvironmentSecretsTests {
    static let token = "sbp_env0123456789abcdef0123456789abcdef"
    static let qstashToken = "env-qstash-token-0123456789abcdef"
    static let anonKey = "env-anon-key-0123456789abcdef01234"
    static let masterKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

    static let rows = """
        [{"runid": 11, "jobname": "rbs-demo-sync", "status": "succeeded", "return_message": "1 row",
          "start_ms": \(Int64(Date().timeIntervalSince1970 * 1000) - 3_600_000),
          "end_ms": \(Int64(Date().timeIntervalSince1970 * 1000) - 3_599_000)}]
        """

    static func manifest(_ base: String) -> String {
        """
        version: 1
        apps:
          - name: demo
            display_name: Demo
            base_url: \(base)
            platform: vercel
            supabase: {url: \(base), project_ref: demoref}
            jobs:
              - {name: sync, path: /api/cron/sync, layer: pg_cron, schedule: "0 */6 * * *", auth: cron_secret}
              - {name: signed, path: /api/cron/signed, layer: qstash, schedule: "*/30 * * * *", auth: qstash}
              - {name: keep-alive-ping, sql: "SELECT keep_alive()", layer: pg_cron, schedule: "0 12 */3 * *", auth: none}
        """
    }

    @Test("stats --sync, keepalive and list schedules --remote run on environment secrets with sealed secrets and no key")
    func environmentOnly() async throws {
        let server = try LoopbackServer { request in
            switch request.path {
            case "/v2/events":
                return request.authorization == "Bearer \(Self.qstashToken)" ? .json(200, #"{"events": [], "cursor": ""}"#)
                    : .json(401, #"{"error": "no"}"#)
            case "/v2/schedules":
                return request.authorization == "Bearer \(Self.qstashToken)" ? .json(200, "[]") : .json(401, #"{"error": "no"}"#)
            case "/v1/projects/demoref/database/query":
                guard request.authorization == "Bearer \(Self.token)" else { return .json(401, #"{"message": "no"}"#) }
                return .json(201, request.text.contains("job_run_details d JOIN") ? Self.rows : "[]")
            case "/rest/v1/rpc/keep_alive":
                return request.header("apikey") == Self.anonKey ? LoopbackReply(status: 204) : .text(401, "no")
            default:
                return .text(404, "no")
            }
        }
        defer { server.stop() }
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let file = rbs.home.appendingPathComponent("demo.yaml")
        try Data(Self.manifest(server.baseURL).utf8).write(to: file)
        #expect(try await rbs.run(["import", file.path, "--yes"]).status == 0)
        // The inventory holds a sealed secret; its key came from the environment, so no key file exists afterwards.
        let sealed = try await rbs.run(["secret", "set", "demo", "CRON_SECRET"], stdin: "sealed-cron-secret-0123456789",
                                       env: ["RBSCRON_MASTER_KEY": Self.masterKey])
        #expect(sealed.status == 0, "\(sealed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: rbs.home.appendingPathComponent("config/rbscron/master.key").path))

        let env = ["RBSCRON_SECRET_GLOBAL_SUPABASE_ACCESS_TOKEN": Self.token, "RBSCRON_SECRET_GLOBAL_QSTASH_TOKEN": Self.qstashToken,
                   "RBSCRON_SECRET_DEMO_SUPABASE_ANON_KEY": Self.anonKey, "SUPABASE_API_URL": server.baseURL,
                   "QSTASH_URL": server.baseURL]
        let synced = try await rbs.run(["stats", "--sync", "--app", "demo", "--json"], env: env)
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(synced.stderr.contains("synced qstash: 0 events") && synced.stderr.contains("synced pg_cron (demoref): 1 rows, 1 new"))
        let kept = try await rbs.run(["keepalive", "--project", "demo", "--json"], env: env)
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(kept.stdout.contains(#""outcome" : "ok""#))
        let listed = try await rbs.run(["list", "schedules", "--remote", "--layer", "pg_cron", "--app", "demo", "--json"], env: env)
        #expect(listed.status == 0, "\(listed.stderr)")
        for outcome in [synced, kept, listed] {
            for secret in [Self.token, Self.qstashToken, Self.anonKey] {
                #expect(!outcome.stdout.contains(secret) && !outcome.stderr.contains(secret))
            }
        }

        // A value that is only sealed needs the key: without it the job is refused with a sentence that says so.
        let needsKey = try await rbs.run(["trigger", "demo/sync", "--dry-run"], env: env)
        #expect(needsKey.status == 1)
        #expect(needsKey.stderr.contains("RBSCRON_MASTER_KEY"))
        let withKey = try await rbs.run(["trigger", "demo/sync", "--dry-run"],
                                        env: env.merging(["RBSCRON_MASTER_KEY": Self.masterKey]) { _, new in new })
        #expect(withKey.status == 0 && withKey.stdout.contains("# secret: inventory demo/CRON_SECRET"))
    }
}
