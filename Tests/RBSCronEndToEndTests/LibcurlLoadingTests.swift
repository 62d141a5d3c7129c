import Foundation
import RBSCronTestSupport
import Testing

/// libcurl is loaded on a command's first request, not at start-up (CCurlShim): the commands that send nothing start
/// without it, and a machine without it gets one clear error from the commands that need it, before anything is
/// sent or recorded.
@Suite("libcurl loaded on first use", .timeLimit(.minutes(2)))
struct LibcurlLoadingTests {
    /// The libraries the dynamic loader opened for one run (glibc's `LD_DEBUG=files` writes them to stderr).
    static func loadsLibcurl(_ outcome: Outcome) -> Bool {
        outcome.stderr.split(separator: "\n").contains { $0.contains("file=libcurl") }
    }

    #if os(Linux)
        @Test("list, stats, export, schedule check and Tab completion start without libcurl; health-check loads it")
        func onlyWhatSendsLoadsLibcurl() async throws {
            let server = try HealthCommandTests.server()
            defer { server.stop() }
            let rbs = try RBSCronProcess()
            defer { rbs.cleanup() }
            try await HealthCommandTests.setUp(rbs, server: server, hubPath: "/ok")
            let trace = ["LD_DEBUG": "files"]

            for arguments in [["list", "jobs", "--json"], ["stats", "--json"], ["export"], ["schedule", "check"],
                              ["trigger", "hub/heartbeat", "--dry-run"]] {
                let outcome = try await rbs.run(arguments, env: trace)
                #expect(outcome.status == 0 || outcome.status == 2, "\(arguments): \(outcome.stderr.suffix(400))")
                #expect(outcome.stderr.contains("file=libsqlite3"), "LD_DEBUG=files traced nothing for \(arguments)")
                #expect(!Self.loadsLibcurl(outcome), "\(arguments) loaded libcurl")
            }
            let tab = try await rbs.run(["---completion", "list", "jobs", "--", "--app", "5", "0",
                                         "rbscron", "--db", rbs.db, "list", "jobs", "--app", ""], env: trace, useDB: false)
            #expect(tab.stdout.contains("hub"))
            #expect(!Self.loadsLibcurl(tab))

            let checked = try await rbs.run(["health-check"], env: trace)
            #expect(checked.status == 0, "stderr: \(checked.stderr.suffix(400))")
            #expect(checked.stdout.contains("3 apps: 3 up, 0 degraded, 0 down"))
            #expect(Self.loadsLibcurl(checked), "health-check sent requests without loading libcurl?")
        }
    #endif

    @Test("no libcurl: health-check, trigger and keepalive say why and what to do, exit 1, and record nothing")
    func missingLibcurlIsOneClearError() async throws {
        let server = try HealthCommandTests.server()
        defer { server.stop() }
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        try await HealthCommandTests.setUp(rbs, server: server, hubPath: "/ok")
        let missing = ["RBSCRON_LIBCURL": rbs.home.appendingPathComponent("no-such-libcurl.so.4").path]

        for arguments in [["health-check"], ["trigger", "hub/heartbeat"], ["keepalive"]] {
            let outcome = try await rbs.run(arguments, env: missing)
            #expect(outcome.status == 1, "\(arguments): \(outcome.status) \(outcome.stderr)")
            #expect(outcome.stdout.isEmpty, "\(arguments) printed \(outcome.stdout)")
            #expect(outcome.stderr.contains("libcurl, which rbscron sends every request with, could not be loaded"))
            #expect(outcome.stderr.contains("no-such-libcurl.so.4 (from RBSCRON_LIBCURL)"))
            #expect(outcome.stderr.contains("Nothing was sent."))
            #expect(outcome.stderr.contains("apt-get install libcurl4"))
        }
        #expect(server.requests.isEmpty, "requests reached the server: \(server.requests.map(\.path))")
        let history = try #require(try await rbs.json(["stats", "--json"]) as? [String: Any])
        let apps = try #require(history["apps"] as? [[String: Any]])
        #expect(apps.allSatisfy { ($0["checks"] as? Int) == 0 }, "health checks were recorded: \(apps)")
        let jobs = try #require(history["jobs"] as? [[String: Any]])
        #expect(jobs.allSatisfy { ($0["runs"] as? Int) == 0 }, "runs were recorded: \(jobs.map { ($0["address"], $0["runs"]) })")

        // A dry run sends nothing and so does not need libcurl; commands that only read the inventory neither.
        let dry = try await rbs.run(["trigger", "hub/heartbeat", "--dry-run"], env: missing)
        #expect(dry.stderr.contains("libcurl") == false, "\(dry.stderr)")
        #expect(try await rbs.run(["list", "jobs"], env: missing).status == 0)

        // A library that is not libcurl is named as such.
        let sqlite = try await rbs.run(["health-check"], env: ["RBSCRON_LIBCURL": "libsqlite3.so.0"])
        #expect(sqlite.status == 1)
        #expect(sqlite.stderr.contains("libsqlite3.so.0 (from RBSCRON_LIBCURL) has no function curl_global_init"), "\(sqlite.stderr)")
    }
}
