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

    @Test("no libcurl: health-check, trigger, keepalive and alert check say why and what to do, exit 1, and record nothing")
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
        #expect(dry.status == 0 || dry.status == 2, "\(dry.status) \(dry.stderr)")  // 2: it would be denied (no secret)
        #expect(dry.stdout.contains("POST \(server.baseURL)/api/cron/heartbeat"), "\(dry.stdout)")
        #expect(dry.stderr.contains("libcurl") == false, "\(dry.stderr)")
        #expect(try await rbs.run(["list", "jobs"], env: missing).status == 0)

        // alert check stops before it judges or records: an app down stays without an incident until libcurl is back.
        let downServer = try LoopbackServer { _ in .text(503, "down") }
        defer { downServer.stop() }
        try await HealthCommandTests.setUp(rbs, server: downServer, hubPath: "/ok")
        #expect(try await rbs.run(["health-check", "--app", "hub"]).status == 2)
        let blind = try await rbs.run(["alert", "check"], env: missing)
        #expect(blind.status == 1 && blind.stderr.contains("could not be loaded"), "\(blind.status) \(blind.stderr)")
        func openIncidents() async throws -> Int {
            let listed = try #require(try await rbs.json(["alert", "list", "--json"]) as? [String: Any])
            return try #require(listed["open"] as? [Any]).count
        }
        #expect(try await openIncidents() == 0)
        let seeing = try await rbs.run(["alert", "check"])
        #expect(seeing.status == 2, "\(seeing.status) \(seeing.stderr)")
        #expect(try await openIncidents() >= 1, "the down app opens an incident once libcurl is there")

        // A library that is not libcurl is named as such.
        let sqlite = try await rbs.run(["health-check"], env: ["RBSCRON_LIBCURL": "libsqlite3.so.0"])
        #expect(sqlite.status == 1)
        #expect(sqlite.stderr.contains("libsqlite3.so.0 (from RBSCRON_LIBCURL) has no function curl_global_init"), "\(sqlite.stderr)")
    }

    /// A libcurl older than 7.85.0 (it lacks CURLOPT_PROTOCOLS_STR) is refused when loaded, not misreported later as
    /// a failed transfer of every job. The stand-in exports the functions rbscron looks up and says it is 7.81.0.
    @Test("a libcurl older than 7.85.0 is refused by name and version")
    func anOldLibcurlIsRefused() async throws {
        guard let compiler = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else {
            try #require(ProcessInfo.processInfo.environment["CI"] != "true", "no C compiler to build the old-libcurl stand-in")
            return
        }
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let functions = ["global_init", "easy_strerror", "url", "url_cleanup", "url_set", "url_get", "free", "easy_init",
                         "easy_cleanup", "easy_setopt", "easy_getinfo", "slist_append", "slist_free_all", "multi_init",
                         "multi_cleanup", "multi_add_handle", "multi_remove_handle", "multi_perform", "multi_poll",
                         "multi_wakeup", "multi_setopt", "multi_info_read"]
        let source = """
            struct info { int age; const char *version; unsigned int version_num; };
            static struct info old = {10, "7.81.0", 0x075100};
            void *curl_version_info(int which) { (void)which; return &old; }
            """ + functions.map { "void curl_\($0)(void) {}" }.joined(separator: "\n") + "\n"
        let c = rbs.home.appendingPathComponent("oldcurl.c")
        let library = rbs.home.appendingPathComponent("libcurl-old.so")
        try Data(source.utf8).write(to: c)
        let built = try await runTool(compiler, ["-shared", "-fPIC", "-o", library.path, c.path])
        try #require(built.status == 0, "\(built.errorText)")

        let outcome = try await rbs.run(["health-check"], env: ["RBSCRON_LIBCURL": library.path])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("libcurl-old.so (from RBSCRON_LIBCURL) is libcurl 7.81.0; rbscron needs 7.85.0 or later"),
                "\(outcome.stderr)")
    }
}
