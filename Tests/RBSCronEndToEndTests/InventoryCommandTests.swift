import Foundation
import RBSCronTestSupport
import Testing

/// `list`, `import` and `export` through the built binary.
@Suite struct InventoryCommandTests {
    @Test func aNewInventoryListsEveryJobOfTheEcosystemAndIs0600() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let jobs = try #require(try await rbs.json(["list", "jobs", "--json"]) as? [[String: Any]])
        #expect(jobs.count == 69)
        let required = ["app", "name", "path", "method", "layer", "schedule", "timezone", "auth", "triggered_by", "enabled"]
        for job in jobs {
            #expect(Set(job.keys).isSuperset(of: required), "job keys: \(job.keys.sorted())")
        }
        let voice = jobs.first { $0["name"] as? String == "voice-outbound" }
        #expect(voice?["layer"] as? String == "pg_cron")
        #expect(voice?["timezone"] as? String == "America/Mexico_City")
        let mode = try FileManager.default.attributesOfItem(atPath: rbs.db)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func jsonKeysAreSortedSnakeCase() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let out = try await rbs.run(["list", "apps", "--json"]).stdout
        #expect(out.contains("\"base_url\" : \"https://ecosystem.redbroomsoftware.com\""))
        #expect(!out.contains("baseURL"))
        let apps = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])
        #expect(apps.count == 11)
        #expect(Set(apps[0].keys).isSuperset(of: ["name", "base_url", "platform", "active"]))
    }

    @Test func filtersByAppAndLayer() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let qstash = try #require(try await rbs.json(["list", "jobs", "--layer", "qstash", "--json"]) as? [[String: Any]])
        #expect(qstash.count == 16)  // Colectiva's 15 and Caracol's stamp queue
        let camino = try #require(try await rbs.json(["list", "jobs", "--app", "camino", "--json"]) as? [[String: Any]])
        #expect(camino.count == 23)
        let table = try await rbs.run(["list", "jobs", "--app", "baul"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("baul/generate-routes") && !table.stdout.contains("camino/"))
    }

    @Test func anUnknownAppIsAnErrorWithASuggestion() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await rbs.run(["list", "jobs", "--app", "camno"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("no app named 'camno'"))
        #expect(outcome.stderr.contains("Did you mean 'camino'?"))
        #expect(outcome.stdout.isEmpty)
    }

    @Test func usageErrorsExit64() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        #expect(try await rbs.run(["list", "jobs", "--layer", "cloud"]).status == 64)
        #expect(try await rbs.run(["list", "planets"]).status == 64)
    }

    @Test func exportThenImportIntoAnotherFileGivesTheSameInventory() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let exported = try await rbs.run(["export"])
        #expect(exported.status == 0)
        let file = rbs.home.appendingPathComponent("export.yaml")
        try Data(exported.stdout.utf8).write(to: file)
        let other = rbs.home.appendingPathComponent("other.sqlite").path
        let imported = try await rbs.run(["--db", other, "import", file.path, "--yes"], useDB: false)
        #expect(imported.status == 0, "\(imported.stderr)")
        for what in ["jobs", "apps"] {
            let a = try await rbs.run(["list", what, "--json"]).stdout
            let b = try await rbs.run(["--db", other, "list", what, "--json"], useDB: false).stdout
            #expect(a == b && !a.isEmpty)
        }
    }

    @Test func aBadManifestFailsWithFileLineAndFieldAndChangesNothing() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        // What a refused import must leave as it was: the inventory as exported, and the job listing without its next
        // fires (those follow the clock, and a quarter hour may turn while the imports run).
        func listing() async throws -> String {
            try await rbs.run(["list", "jobs", "--json"]).stdout.split(separator: "\n")
                .filter { !$0.contains("\"next_fire_at\"") }.joined(separator: "\n")
        }
        let before = try await listing()
        let exportedBefore = try await rbs.run(["export"]).stdout
        let manifest = """
            version: 1
            apps:
              - name: shop
                display_name: Shop
                base_url: https://shop.example.com
                platform: vercel
                jobs:
                  - name: nightly
                    path: /api/cron/nightly
                    layer: vercel
                    schedule: "0 3 * *"
                  - name: hourly
                    path: /api/cron/hourly
                    layer: cloud
                    schedule: "0 * * * *"
            """
        let file = rbs.home.appendingPathComponent("bad.yaml")
        try Data(manifest.utf8).write(to: file)
        let layer = try await rbs.run(["import", file.path, "--yes"])
        #expect(layer.status == 1)
        #expect(layer.stderr.contains("bad.yaml:14:"), "\(layer.stderr)")
        #expect(layer.stderr.contains("apps[0].jobs[1].layer"))
        #expect(layer.stderr.contains("nothing was imported"))
        try Data(manifest.replacingOccurrences(of: "layer: cloud", with: "layer: qstash").utf8).write(to: file)
        let cron = try await rbs.run(["import", file.path, "--yes"])
        #expect(cron.status == 1)
        #expect(cron.stderr.contains("bad.yaml:11:"), "\(cron.stderr)")
        #expect(cron.stderr.contains("apps[0].jobs[0].schedule"))
        #expect(try await listing() == before)
        #expect(try await rbs.run(["export"]).stdout == exportedBefore)
    }

    @Test func aMissingManifestIsAClearError() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await rbs.run(["import", "/nonexistent/inventory.yaml"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("cannot read the manifest '/nonexistent/inventory.yaml'"))
    }

    @Test func importDryRunChangesNothing() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let example = RBSCronProcess.repositoryRoot.appendingPathComponent("examples/dual-cron.yaml").path
        let outcome = try await rbs.run(["import", example, "--dry-run", "--json"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("\"dry_run\" : true"))
        let jobs = try #require(try await rbs.json(["list", "jobs", "--json"]) as? [[String: Any]])
        #expect(jobs.count == 69)
    }

    @Test("without a terminal, an import that removes apps or jobs needs --yes (exit 64, nothing written)")
    func removingImportNeedsYes() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let example = RBSCronProcess.repositoryRoot.appendingPathComponent("examples/dual-cron.yaml").path
        let refused = try await rbs.run(["import", example])
        #expect(refused.status == 64, "\(refused.stderr)")
        #expect(refused.stderr.contains("would remove 11 apps (") && refused.stderr.contains("jobs ("))
        #expect(refused.stderr.contains("--yes") && refused.stderr.contains("nothing was imported"))
        #expect(refused.stdout.isEmpty)
        let untouched = try #require(try await rbs.json(["list", "jobs", "--json"]) as? [[String: Any]])
        #expect(untouched.count == 69)
        // From standard input there is no one to ask either.
        let piped = try await rbs.run(["import", "-"], stdin: try String(contentsOfFile: example, encoding: .utf8))
        #expect(piped.status == 64)
        let confirmed = try await rbs.run(["import", example, "--yes"])
        #expect(confirmed.status == 0, "\(confirmed.stderr)")
        #expect(confirmed.stdout.contains("apps removed (11)"))
    }

    @Test("without a terminal, an import that removes nothing proceeds: the reviewed manifest of CI")
    func additiveImportProceeds() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let exported = try await rbs.run(["export"])
        #expect(exported.status == 0)
        let extra = """
            - name: newcomer
              display_name: Newcomer
              base_url: https://newcomer.example.com
              platform: vercel
              jobs:
              - {name: nightly, path: /api/cron/nightly, layer: vercel, schedule: "0 3 * * *", auth: cron_secret}

            """
        let manifest = exported.stdout.replacingOccurrences(of: "apps:\n", with: "apps:\n" + extra)
        #expect(manifest != exported.stdout)
        let file = rbs.home.appendingPathComponent("more.yaml")
        try Data(manifest.utf8).write(to: file)
        let outcome = try await rbs.run(["import", file.path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("apps added (1): newcomer") && !outcome.stdout.contains("removed"))
        let jobs = try #require(try await rbs.json(["list", "jobs", "--json"]) as? [[String: Any]])
        #expect(jobs.count == 70)
    }

    @Test("on a terminal the change is shown and confirmed: no writes nothing (exit 1), yes imports",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs util-linux's script for a terminal"))
    func asksOnATerminal() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let example = RBSCronProcess.repositoryRoot.appendingPathComponent("examples/dual-cron.yaml").path
        func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let command = [RBSCronProcess.binary.path, "--db", rbs.db, "--no-color", "import", example].map(quoted)
            .joined(separator: " ")
        let no = try await runTool("/usr/bin/script", ["-qec", command, "/dev/null"], stdin: Data("n\n".utf8),
                                   environment: rbs.environment)
        #expect(no.status == 1, "\(no.text)")
        #expect(no.text.contains("apps removed (11)") && no.text.contains("[y/N]"))
        #expect(no.text.contains("import cancelled: nothing was changed"))
        let untouched = try #require(try await rbs.json(["list", "jobs", "--json"]) as? [[String: Any]])
        #expect(untouched.count == 69)
        let yes = try await runTool("/usr/bin/script", ["-qec", command, "/dev/null"], stdin: Data("y\n".utf8),
                                    environment: rbs.environment)
        #expect(yes.status == 0, "\(yes.text)")
        #expect(yes.text.contains("imported "))
        let replaced = try #require(try await rbs.json(["list", "jobs", "--json"]) as? [[String: Any]])
        #expect(replaced.count < 69)
    }

    @Test(arguments: ["dual-cron.yaml", "pg-cron-pg-net.yaml", "orchestrator.yaml", "supabase-edge-functions.yaml"])
    func everyExampleImports(name: String) async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let example = RBSCronProcess.repositoryRoot.appendingPathComponent("examples/\(name)").path
        let outcome = try await rbs.run(["import", example, "--yes"])
        #expect(outcome.status == 0, "\(name): \(outcome.stderr)")
        let jobs = try #require(try await rbs.json(["list", "jobs", "--json"]) as? [[String: Any]])
        #expect(!jobs.isEmpty)
    }

    @Test func noArgumentsPrintsAnOrientation() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await rbs.run([])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains(rbs.db))
        #expect(outcome.stdout.contains("11 apps, 69 jobs, 0 secrets"))
        // Every command it suggests is one the binary accepts (checked with --help: health-check would go out).
        // A suggestion is `  rbscron WORDS…   what it does`: the command ends at the first run of two spaces.
        let suggestions = outcome.stdout.components(separatedBy: "Try:").last!.split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("rbscron ") }
            .map { String($0.components(separatedBy: "  ")[0]) }
        #expect(suggestions.count >= 4)
        for suggestion in suggestions {
            let subcommands = suggestion.split(separator: " ").dropFirst().prefix { !$0.hasPrefix("-") }.map(String.init)
            let help = try await rbs.run(subcommands + ["--help"])
            #expect(help.status == 0, "`\(suggestion)` is suggested but not accepted: \(help.stderr)")
        }
    }

    @Test func theDefaultInventoryFollowsXDGDataHome() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await rbs.run(["list", "apps"], useDB: false)
        #expect(outcome.status == 0)
        let expected = rbs.home.appendingPathComponent("data/rbscron/inventory.sqlite").path
        #expect(FileManager.default.fileExists(atPath: expected))
        let folderMode = try FileManager.default.attributesOfItem(atPath: (expected as NSString).deletingLastPathComponent)[.posixPermissions] as? Int
        #expect(folderMode == 0o700)
        let viaEnv = rbs.home.appendingPathComponent("env.sqlite").path
        #expect(try await rbs.run(["list", "apps"], env: ["RBSCRON_DB": viaEnv], useDB: false).status == 0)
        #expect(FileManager.default.fileExists(atPath: viaEnv))
    }
}
