import Foundation
import RBSCronTestSupport
import Testing

/// What a new operator types wrong, and how the tables and colours behave on a terminal and in a pipe.
@Suite struct CommandLineTests {
    @Test(arguments: [(["trigerr"], "Did you mean 'trigger'?"), (["help", "trigerr"], "Did you mean 'trigger'?"),
                      (["schedule", "nxt"], "Did you mean 'next'?"), (["lst", "jobs"], "Did you mean 'list'?"),
                      (["alert", "route", "ad", "x"], "Did you mean 'add'?")])
    func aMistypedCommandGetsTheClosestOne(arguments: [String], suggestion: String) async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await rbs.run(arguments)
        #expect(outcome.status == 64, "\(arguments): \(outcome.stderr)")
        #expect(outcome.stderr.contains(suggestion), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }

    @Test func aWordFarFromEveryCommandListsThem() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await rbs.run(["xyzzyplugh"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("Its commands: list, import,") && !outcome.stderr.contains("Did you mean"))
    }

    @Test("a single-valued option given twice is refused, not silently the last", arguments: [
        ["list", "jobs", "--app", "camino", "--app", "baul"], ["stats", "--app=camino", "--app", "baul"],
        ["list", "jobs", "--layer", "qstash", "--layer", "vercel"],
    ])
    func repeatedOptionsAreRefused(arguments: [String]) async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await rbs.run(arguments)
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("is given 2 times"))
    }

    @Test("plan and apply list the three layers they take; list's help names the values once")
    func layerValuesAreTheRealOnes() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let manual = try await rbs.run(["schedule", "plan", "--layer", "manual"])
        #expect(manual.status == 64)
        #expect(manual.stderr.contains("one of 'qstash', 'vercel' or 'pg_cron'"), "\(manual.stderr)")
        let help = try await rbs.run(["schedule", "plan", "--help"])
        #expect(!help.stdout.contains("fanout"), "plan --help offers fanout: \(help.stdout)")
        let list = try await rbs.run(["list", "jobs", "--help"])
        let layerLines = list.stdout.split(separator: "\n").filter { $0.contains("pg_cron") }
        #expect(list.stdout.components(separatedBy: "fanout").count == 2, "the values appear once: \(layerLines)")
    }

    @Test("keepalive takes --app like every other command (--project still works); secret get without --reveal shows its own usage")
    func consistentOptions() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let app = try await rbs.run(["keepalive", "--sql", "--app", "baul"])
        let project = try await rbs.run(["keepalive", "--sql", "--project", "baul"])
        #expect(app.status == 0 && project.status == 0, "\(app.stderr) \(project.stderr)")
        #expect(app.stdout.contains("keep_alive") && project.stdout.contains("keep_alive"))
        #expect(try await rbs.run(["keepalive", "--sql", "--app", "baul", "--project", "baul"]).status == 64)
        let get = try await rbs.run(["secret", "get", "camino", "CRON_SECRET"])
        #expect(get.status == 64)
        #expect(get.stderr.contains("Usage: rbscron secret get") && get.stderr.contains("--reveal"))
    }

    /// Runs `rbscron ARGS` on a pseudo-terminal `columns` wide (util-linux's script); returns what it showed.
    static func onTerminal(_ rbs: RBSCronProcess, columns: Int, _ arguments: [String], env: [String: String] = [:]) async throws -> String {
        func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let command = "stty cols \(columns); " + ([RBSCronProcess.binary.path, "--db", rbs.db] + arguments).map(quoted).joined(separator: " ")
        let outcome = try await runTool("/usr/bin/script", ["-qec", command, "/dev/null"], stdin: Data(),
                                        environment: rbs.environment.merging(env) { _, new in new })
        return outcome.text.replacingOccurrences(of: "\r\n", with: "\n")
    }

    static func widest(_ text: String) -> Int {
        text.split(separator: "\n").map { Output.visible(String($0)) }.max() ?? 0
    }

    @Test("at 80 columns every table fits; piped, a table keeps its full width; -o wide and --no-headers",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs util-linux's script for a terminal"))
    func tablesFitTheTerminal() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        for arguments in [["list", "jobs"], ["list", "jobs", "--app", "camino"], ["list", "apps"], ["schedule", "timeline"],
                          ["schedule", "check"], ["stats"], ["list", "schedules"]] {
            let shown = try await Self.onTerminal(rbs, columns: 80, ["--no-color"] + arguments)
            #expect(Self.widest(shown) <= 80, "\(arguments): \(Self.widest(shown)) columns:\n\(shown.prefix(1500))")
        }
        let piped = try await rbs.run(["list", "jobs"])
        #expect(Self.widest(piped.stdout) > 120, "piped output keeps every column")
        #expect(piped.stdout.hasPrefix("JOB ") && piped.stdout.contains("TRIGGERED BY") && piped.stdout.contains("AUTH"))
        let wide = try await Self.onTerminal(rbs, columns: 80, ["--no-color", "list", "jobs", "-o", "wide"])
        #expect(wide.contains("TRIGGERED BY") && Self.widest(wide) > 120)
        let narrow = try await Self.onTerminal(rbs, columns: 80, ["--no-color", "list", "jobs"])
        #expect(narrow.contains("left out: AUTH") && narrow.contains("wide shows all"))
        let noHeaders = try await rbs.run(["list", "jobs", "--no-headers"])
        #expect(noHeaders.stdout.hasPrefix("camino/daily-dispatcher"))
    }

    @Test("--color always|never|auto, NO_COLOR and CLICOLOR_FORCE")
    func colourChoices() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let escape = "\u{1B}["
        #expect(try await rbs.run(["list", "apps"]).stdout.contains(escape) == false, "piped: no colour")
        #expect(try await rbs.run(["--color", "always", "list", "apps"]).stdout.contains(escape))
        #expect(try await rbs.run(["list", "apps"], env: ["CLICOLOR_FORCE": "1"]).stdout.contains(escape))
        #expect(try await rbs.run(["list", "apps"], env: ["CLICOLOR_FORCE": "0"]).stdout.contains(escape) == false)
        #expect(try await rbs.run(["list", "apps"], env: ["CLICOLOR_FORCE": "1", "NO_COLOR": "1"]).stdout.contains(escape) == false)
        #expect(try await rbs.run(["--color", "never", "list", "apps"], env: ["CLICOLOR_FORCE": "1"]).stdout.contains(escape) == false)
        #expect(try await rbs.run(["--no-color", "--color", "always", "list", "apps"]).status == 64)
        #expect(try await rbs.run(["--color", "sometimes", "list", "apps"]).status == 64)
    }
}

/// Visible width of terminal text: escape sequences do not count.
enum Output {
    static func visible(_ text: String) -> Int {
        var count = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape { if scalar.properties.isAlphabetic { inEscape = false } } else if scalar == "\u{1B}" { inEscape = true } else { count += 1 }
        }
        return count
    }
}

/// `trigger`'s human output: a summary line; on a terminal the rows are shown live, not again as a table.
@Suite struct TriggerOutputTests {
    static let manifest = """
        version: 1
        apps:
          - name: shop
            display_name: Shop
            base_url: BASE
            platform: vercel
            jobs:
              - {name: a, path: /api/cron/a, layer: vercel, schedule: "0 * * * *", auth: none}
              - {name: b, path: /api/cron/b, layer: vercel, schedule: "0 9 * * *", auth: none}
              - {name: c, path: /api/cron/c, layer: fanout, triggered_by: shop/b, order: 1, auth: none}
        """

    @Test("piped: the table and a summary line; a terminal: live lines and the summary, no table; a group uses the same columns",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs util-linux's script for a terminal"))
    func summaryAndNoRepeatedRows() async throws {
        let server = try LoopbackServer(status: 200)
        defer { server.stop() }
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let file = rbs.home.appendingPathComponent("shop.yaml")
        try Self.manifest.replacingOccurrences(of: "BASE", with: server.baseURL).write(to: file, atomically: true, encoding: .utf8)
        #expect(try await rbs.run(["import", file.path, "--yes"]).status == 0)
        let piped = try await rbs.run(["trigger", "shop/a", "shop/b"])
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout.contains("JOB") && piped.stdout.contains("OUTCOME"))
        #expect(piped.stdout.hasSuffix("2 runs: 2 ok (") || piped.stdout.contains("\n2 runs: 2 ok ("), "\(piped.stdout)")
        let terminal = try await CommandLineTests.onTerminal(rbs, columns: 100, ["--no-color", "trigger", "shop/a", "shop/b"])
        #expect(terminal.contains("✓ shop/a ok HTTP 200") && terminal.contains("2 runs: 2 ok"), "\(terminal)")
        #expect(!terminal.contains("OUTCOME"), "the rows are not repeated as a table on a terminal:\n\(terminal)")
        // list jobs: each job's last run and next fire (relative on a terminal).
        let listed = try #require(try await rbs.json(["list", "jobs", "--json"]) as? [[String: Any]])
        let a = try #require(listed.first { $0["address"] as? String == "shop/a" })
        #expect(a["last_outcome"] as? String == "ok" && a["last_run_at"] is String && a["next_fire_at"] is String)
        let c = try #require(listed.first { $0["address"] as? String == "shop/c" })
        #expect(c["last_run_at"] is NSNull && c["next_fire_at"] is String, "a fan-out child fires with its parent")
        let table = try await CommandLineTests.onTerminal(rbs, columns: 200, ["--no-color", "list", "jobs"])
        #expect(table.contains("NEXT FIRE") && table.contains("LAST RUN") && (table.contains("just now ok") || table.contains("ago ok")) && table.contains("in "), "\(table)")
        let group = try await rbs.run(["trigger", "--group", "shop/b"])
        #expect(group.stdout.contains("JOB") && group.stdout.contains("OUTCOME") && !group.stdout.contains("TASK"))
        #expect(group.stdout.contains("1/1 succeeded"))
    }

    @Test("relative times beside RFC 3339 on a terminal, not in a pipe",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs util-linux's script for a terminal"))
    func relativeTimes() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let terminal = try await CommandLineTests.onTerminal(rbs, columns: 200, ["--no-color", "stats"])
        #expect(terminal.contains("(7 d ago)") && terminal.contains("(just now)"), "\(terminal.suffix(400))")
        let piped = try await rbs.run(["stats"])
        #expect(!piped.stdout.contains(" ago)"))
    }
}

/// Every job-level JSON object carries `address` (APP/JOB) beside the keys it always had.
@Suite struct JSONAddressTests {
    @Test func listJobsStatsAndDryRunsCarryTheAddress() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let jobs = try #require(try await rbs.json(["list", "jobs", "--app", "camino", "--json"]) as? [[String: Any]])
        for job in jobs {
            #expect(job["address"] as? String == "\(job["app"] as? String ?? "")/\(job["name"] as? String ?? "")")
        }
        let stats = try #require(try await rbs.json(["stats", "--app", "camino", "--json"]) as? [String: Any])
        for job in try #require(stats["jobs"] as? [[String: Any]]) {
            #expect(job["address"] as? String == "\(job["app"] as? String ?? "")/\(job["job"] as? String ?? "")", "the bare job name stays")
        }
        let dry = try await rbs.run(["trigger", "camino/daily-dispatcher", "--dry-run", "--json"])
        let requests = try #require(try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [[String: Any]])
        #expect(requests.first?["address"] as? String == "camino/daily-dispatcher" && requests.first?["job"] as? String == "camino/daily-dispatcher")
        let plan = try #require(try await rbs.json(["schedule", "plan", "--layer", "pg_cron", "--app", "camino", "--json"]) as? [String: Any])
        for item in try #require(plan["items"] as? [[String: Any]]) { #expect(item["address"] as? String == item["job"] as? String) }
    }

    /// ArgumentParser derives a missing command name from the type's name at run time, on every start (and every Tab
    /// of a completion); an explicit one costs nothing (bench/README.md, start-up).
    @Test func everyCommandNamesItselfExplicitly() throws {
        let folder = RBSCronProcess.repositoryRoot.appendingPathComponent("Sources/rbscron")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".swift") {
            let lines = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated() where line.contains("static let configuration = CommandConfiguration(") {
                #expect(lines[index + 1].contains("commandName:"), "\(name):\(index + 1): a CommandConfiguration without commandName")
            }
        }
    }
}
