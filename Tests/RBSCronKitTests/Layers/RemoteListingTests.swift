import Foundation
import Testing
@testable import RBSCronKit

/// `list schedules --remote` for pg_cron and vercel, without a database: attribution, masking, the vercel.json
/// listing, and the pg_cron listing's error paths against a loopback Management API stand-in.
@Suite("list schedules --remote: pg_cron and vercel")
struct RemoteListingTests {
    static let token = "sbp_listing_unit_token_0123456789"
    static let apps = ["camino", "la", "la-hoja", "baul"]
    static let jobs = [
        Job(app: "camino", name: "keep-alive-ping", path: nil, sql: "SELECT keep_alive()", layer: .pgCron,
            schedule: "0 12 */3 * *", auth: .none),
    ]

    func attribute(_ name: String?, projectApps: [String] = ["camino"]) -> (job: String?, managed: Bool) {
        PgCronRemote.attribute(jobname: name, projectApps: projectApps, allApps: Self.apps, jobs: Self.jobs)
    }

    @Test("pg_cron names: rbs-<app>-<job> and its .N entries are rbscron's, the seed's keep-alive names too, the rest foreign")
    func attribution() {
        #expect(attribute("rbs-camino-sync") == ("camino/sync", true))
        #expect(attribute("rbs-camino-voice-outbound.2") == ("camino/voice-outbound", true))
        #expect(attribute("rbs-camino-voice-outbound.13") == ("camino/voice-outbound", true))
        // Not an entry suffix: .1, .x, .+2 stay part of the name.
        #expect(attribute("rbs-camino-job.1") == ("camino/job.1", true))
        #expect(attribute("rbs-camino-job.x") == ("camino/job.x", true))
        #expect(attribute("rbs-camino-job.+2") == ("camino/job.+2", true))
        // The longest app that fits: la-hoja's job, not la's.
        #expect(attribute("rbs-la-hoja-digest") == ("la-hoja/digest", true))
        #expect(attribute("rbs-la-digest") == ("la/digest", true))
        #expect(attribute("rbs-unknown-app-x") == (nil, true))
        #expect(attribute("keep-alive-ping") == ("camino/keep-alive-ping", true))
        #expect(attribute("keep-alive-ping", projectApps: ["baul"]) == (nil, true))
        #expect(attribute("cleanup-cron-history") == (nil, true))
        #expect(attribute("nightly-vacuum") == (nil, false))
        #expect(attribute("RBS-camino-sync") == (nil, false))
        #expect(attribute(nil) == (nil, false))
        #expect(attribute("") == (nil, false))
    }

    @Test("a long command is cut after redaction: a secret across the cut never shows in part")
    func longCommandCutAfterRedaction() {
        let secret = "stored-secret-value-0123456789-abcdefghij"
        let cut = PgCronRemote.maxCommandCharacters
        let command = String(repeating: "x", count: cut - 10) + secret + String(repeating: "y", count: 100)
        let listed = PgCronRemote.jobs(from: [PgCronJobRow(jobid: 1, jobname: "long", schedule: "* * * * *", command: command)],
                                       projectApps: [], allApps: Self.apps, jobs: Self.jobs, only: nil,
                                       redactor: Redactor(secrets: [secret]))
        let shown = listed.first?.command ?? ""
        #expect(!shown.contains(String(secret.prefix(8))), "no part of the secret before the cut")
        #expect(shown.hasSuffix("…") && shown.contains(Redactor.placeholder))
    }

    @Test("literal credentials in a command are masked; the rest of the command stays")
    func inlineCredentials() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.abcDEF_123-xyz"
        let command = """
            SELECT net.http_post(url := 'https://a.test/api', headers := '{"Authorization": "Bearer abc123DEF456ghi", \
            "apikey": "\(jwt)", "x": "sb_secret_0123456789abcdef"}'::jsonb); -- sbp_0123456789abcdef0123
            """
        let masked = InlineCredentials.mask(command)
        #expect(!masked.contains("abc123DEF456ghi") && !masked.contains(jwt) && !masked.contains("eyJ"))
        #expect(!masked.contains("sb_secret_0123") && !masked.contains("sbp_0123"))
        #expect(masked.contains("\"Authorization\": \"Bearer [REDACTED]\""))
        #expect(masked.hasPrefix("SELECT net.http_post(url := 'https://a.test/api'"))
        // A header built from the vault, and rbscron's own invoker call, are left alone.
        let vault = "'Bearer ' || (SELECT decrypted_secret FROM vault.decrypted_secrets WHERE name = 'x')"
        #expect(InlineCredentials.mask(vault) == vault)
        let invoker = "/* rbscron:camino */ SELECT rbscron.invoke_cron_endpoint('/api/cron/x', 'POST', 10000)"
        #expect(InlineCredentials.mask(invoker) == invoker)
    }

    // MARK: pg_cron listing errors

    static let inventory = Inventory(
        apps: [
            App(name: "camino", displayName: "Camino", baseURL: "https://camino.example.test", platform: .vercel,
                supabase: SupabaseProject(url: "https://abcd.supabase.co", projectRef: "abcd")),
            App(name: "baul", displayName: "Baúl", baseURL: "https://baul.example.test", platform: .vercel,
                supabase: SupabaseProject(url: "https://efgh.supabase.co", projectRef: "efgh")),
            App(name: "agora", displayName: "Ágora", baseURL: "https://agora.example.test", platform: .vercel),
        ],
        jobs: jobs + [Job(app: "agora", name: "digest", path: "/api/cron/digest", layer: .pgCron, schedule: "0 6 * * *")])

    /// The Management API answering cron.job rows for `abcd` and 500 for `efgh`.
    static func standIn() async throws -> LoopbackHTTPServer {
        try await LoopbackHTTPServer.jsonStandIn { request in
            guard request.authorization == "Bearer \(Self.token)" else { return (401, Data(#"{"message":"Unauthorized"}"#.utf8)) }
            switch request.path {
            case "/v1/projects/abcd/database/query" where String(decoding: request.body, as: UTF8.self).contains("pg_extension"):
                return (201, Data(#"[{"extversion": "1.4"}]"#.utf8))
            case "/v1/projects/abcd/database/query":
                let rows = """
                    [{"jobid": 7, "jobname": "rbs-camino-sync", "schedule": "0 * * * *", "command": "SELECT 1", "active": true,
                      "database": "postgres", "username": "postgres", "last_runid": "41", "last_status": "succeeded",
                      "last_start_ms": 1775815200000, "last_end_ms": 1775815200250},
                     {"jobid": 3, "jobname": null, "schedule": "*/5 * * * *", "command": "SELECT \(Self.token)", "active": false,
                      "database": "postgres", "username": "postgres", "last_runid": null, "last_status": null,
                      "last_start_ms": null, "last_end_ms": null}]
                    """
                return (201, Data(rows.utf8))
            case "/v1/projects/efgh/database/query":
                return (500, Data(#"{"message":"upstream \#(Self.token) failed"}"#.utf8))
            default:
                return (404, Data(#"{"message":"not found"}"#.utf8))
            }
        }
    }

    @Test("no SUPABASE_ACCESS_TOKEN: every project refused with a sentence naming the secret, and no request is made")
    func missingToken() async throws {
        let server = try await Self.standIn()
        defer { Task { await server.stop() } }
        let report = try await PgCronRemote.list(inventory: Self.inventory, app: nil, transport: CurlTransport(userAgent: "t"),
                                                 baseURL: server.baseURL, secrets: StaticSecrets())
        #expect(report.failures.map(\.projectRef) == ["abcd", "efgh"])
        for project in report.projects {
            let error = try #require(project.error)
            #expect(error.contains("SUPABASE_ACCESS_TOKEN"))
            #expect(error.contains("rbscron secret set global SUPABASE_ACCESS_TOKEN"))
            #expect(project.jobs.isEmpty)
        }
        #expect(server.requests.isEmpty)
    }

    @Test("an HTTP error of one project is reported beside the project that was read; the token never shows")
    func httpErrorBesideSuccess() async throws {
        let server = try await Self.standIn()
        defer { Task { await server.stop() } }
        let secrets = StaticSecrets([SecretKeys.globalScope: [SecretKeys.supabaseAccessToken: Self.token]])
        let report = try await PgCronRemote.list(inventory: Self.inventory, app: nil, transport: CurlTransport(userAgent: "t"),
                                                 baseURL: server.baseURL, secrets: secrets)
        #expect(report.projects.map(\.projectRef) == ["abcd", "efgh"])
        let read = report.projects[0]
        #expect(read.error == nil)
        #expect(read.jobs.map(\.jobid) == [7, 3])
        #expect(read.jobs[0].job == "camino/sync")
        #expect(read.jobs[0].lastRun == PgCronRemoteJob.LastRun(
            runid: 41, status: "succeeded", startTime: Date(timeIntervalSince1970: 1_775_815_200),
            endTime: Date(timeIntervalSince1970: 1_775_815_200.25)))
        #expect(read.jobs[1].isForeign && !read.jobs[1].active && read.jobs[1].lastRun == nil)
        #expect(read.jobs[1].command == "SELECT \(Redactor.placeholder)")
        let failed = try #require(report.projects[1].error)
        #expect(failed.contains("HTTP 500"))
        #expect(report.appsWithoutProjectRef == ["agora"])
        let json = try ReportJSON.encode(report)
        #expect(!json.contains(Self.token))
        #expect(json.contains("\"error\" : null"))
        #expect(json.contains("\"start_time\" : \"2026-04-10T10:00:00Z\""))
    }

    @Test("--app: only that app's project; an app without a project ref, or none at all, is an error before any request")
    func appSelection() async throws {
        let server = try await Self.standIn()
        defer { Task { await server.stop() } }
        let secrets = StaticSecrets([SecretKeys.globalScope: [SecretKeys.supabaseAccessToken: Self.token]])
        let transport = CurlTransport(userAgent: "t")
        let camino = try await PgCronRemote.list(inventory: Self.inventory, app: "camino", transport: transport,
                                                 baseURL: server.baseURL, secrets: secrets)
        #expect(camino.projects.map(\.projectRef) == ["abcd"])
        #expect(camino.appsWithoutProjectRef.isEmpty)
        await #expect(throws: PgCronRemoteError.noProjectRef(app: "agora")) {
            _ = try await PgCronRemote.list(inventory: Self.inventory, app: "agora", transport: transport,
                                            baseURL: server.baseURL, secrets: secrets)
        }
        let bare = Inventory(apps: [Self.inventory.apps[2]], jobs: [])
        await #expect(throws: PgCronRemoteError.noProjects) {
            _ = try await PgCronRemote.list(inventory: bare, app: nil, transport: transport, baseURL: server.baseURL, secrets: secrets)
        }
        // The jobs, then the pg_cron release.
        #expect(server.requests.map(\.path) == ["/v1/projects/abcd/database/query", "/v1/projects/abcd/database/query"])
        let lastBody = String(decoding: server.requests.last?.body ?? Data(), as: UTF8.self)
        #expect(lastBody.contains("extname = 'pg_cron'"))
    }

    @Test("the project's pg_cron release is read and compared with the inventory's: a warning names both and the fix")
    func pgCronRelease() async throws {
        let server = try await Self.standIn()
        defer { Task { await server.stop() } }
        let secrets = StaticSecrets([SecretKeys.globalScope: [SecretKeys.supabaseAccessToken: Self.token]])
        let transport = CurlTransport(userAgent: "t")
        let report = try await PgCronRemote.list(inventory: Self.inventory, app: "camino", transport: transport,
                                                 baseURL: server.baseURL, secrets: secrets)
        let project = try #require(report.projects.first)
        #expect(project.pgCronVersion == "1.4" && project.recordedPgCronVersion == .supabase)
        #expect(report.versionWarnings == [
            "project abcd (camino) runs pg_cron 1.4, but the inventory records 1.6: schedules are checked against 1.6 "
                + "(`N seconds` needs 1.5, `$` needs 1.6); record `supabase: {pg_cron_version: \"1.4\"}` for camino "
                + "(rbscron export, edit, rbscron import)",
        ])
        let json = try ReportJSON.encode(report)
        #expect(json.contains("\"pg_cron_version\" : \"1.4\"") && json.contains("\"recorded_pg_cron_version\" : \"1.6\""))

        var recorded = Self.inventory
        recorded.apps[0].supabase?.pgCronVersion = .debian
        let agreed = try await PgCronRemote.list(inventory: recorded, app: "camino", transport: transport,
                                                 baseURL: server.baseURL, secrets: secrets)
        #expect(agreed.versionWarnings.isEmpty && agreed.projects.first?.recordedPgCronVersion == .debian)
    }

    // MARK: vercel

    static let baul = App(name: "baul", displayName: "Baúl", baseURL: "https://baul.example.test", platform: .vercel)
    static let vercelJobs = [
        Job(app: "baul", name: "generate-routes", path: "/api/cron/generate-routes", method: .GET, layer: .vercel, schedule: "0 12 * * 1-5"),
        Job(app: "baul", name: "routes-weekend", path: "/api/cron/generate-routes", method: .GET, layer: .vercel, schedule: "0 14 * * 0,6"),
        Job(app: "baul", name: "referral-shares", path: "/api/cron/referral-shares", method: .GET, layer: .vercel,
            schedule: "0 8 1 * *", enabled: false),
        Job(app: "baul", name: "moved", path: "/api/cron/moved", layer: .qstash, schedule: "0 0 * * *"),
        Job(app: "other", name: "retired", path: "/api/cron/retired", method: .GET, layer: .vercel, schedule: "0 0 * * *"),
    ]

    @Test("vercel.json crons matched by path to the app's vercel jobs (same schedule first); the rest foreign")
    func vercelListing() throws {
        let text = """
            {"framework": "sveltekit", "crons": [
              {"path": "/api/cron/generate-routes", "schedule": "0 14 * * 0,6"},
              {"path": "/api/cron/generate-routes", "schedule": "0 12 * * 1-5"},
              {"path": "/api/cron/referral-shares", "schedule": "0 9 1 * *"},
              {"path": "/api/cron/moved", "schedule": "0 0 * * *"},
              {"path": "/api/cron/retired", "schedule": "0 0 * * *"}
            ]}
            """
        let report = try VercelCrons.remote(app: Self.baul, jobs: Self.vercelJobs, text: text, file: "v.json")
        #expect(report.crons.map(\.job) == ["baul/routes-weekend", "baul/generate-routes", "baul/referral-shares", nil, nil])
        #expect(report.crons.map(\.schedule) == ["0 14 * * 0,6", "0 12 * * 1-5", "0 9 1 * *", "0 0 * * *", "0 0 * * *"])
        let json = try ReportJSON.encode(report)
        #expect(json.contains("\"layer\" : \"vercel\""))
        #expect(json.contains("\"file\" : \"v.json\""))
        #expect(json.contains("\"job\" : null"))
        // No crons key: nothing scheduled, not an error.
        #expect(try VercelCrons.remote(app: Self.baul, jobs: Self.vercelJobs, text: "{}", file: "v.json").crons.isEmpty)
        #expect(throws: VercelJSONError.notAnObject(file: "v.json")) {
            try VercelCrons.remote(app: Self.baul, jobs: Self.vercelJobs, text: "[]", file: "v.json")
        }
    }

    @Test("vercel: the file is the layer, so a missing one is an error that says how to pass it")
    func vercelMissingFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-none-\(UUID().uuidString)/vercel.json").path
        #expect(throws: VercelJSONError.missing(file: path)) {
            try VercelCrons.remote(app: Self.baul, jobs: Self.vercelJobs, path: path)
        }
        #expect(VercelJSONError.missing(file: path).errorDescription?.contains("--vercel-json") == true)
    }
}
