import Foundation
import RBSCronTestSupport
import Testing

/// What ships beside the binary: completions, man pages, install, help and version.
@Suite struct DistributionTests {
    static let root = RBSCronProcess.repositoryRoot

    @Test(arguments: [("bash", "completions/rbscron.bash"), ("zsh", "completions/_rbscron"), ("fish", "completions/rbscron.fish")])
    func checkedInCompletionsMatchTheBinary(shell: String, file: String) async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let generated = try await rbs.run(["--generate-completion-script", shell], useDB: false)
        #expect(generated.status == 0)
        let checkedIn = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
        #expect(generated.stdout == checkedIn, "\(file) is stale: run scripts/generate-docs.sh")
        // `rbscron completion SHELL`, what the README tells people to install, prints the same script.
        let command = try await rbs.run(["completion", shell], useDB: false)
        #expect(command.status == 0 && command.stdout == checkedIn)
    }

    @Test func appAndJobNamesCompleteFromTheInventory() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        // Before the inventory exists: the embedded names, and no file is created.
        let jobs = try await rbs.run(["---completion", "trigger", "--", "positional@0", "2", "6", "rbscron", "trigger", "camino"], useDB: false)
        #expect(jobs.stdout.split(separator: "\n").contains("camino/daily-dispatcher"))
        #expect(!jobs.stdout.contains("colectiva/"))
        #expect(!FileManager.default.fileExists(atPath: rbs.home.appendingPathComponent("data/rbscron/inventory.sqlite").path))
        // From the inventory --db names, after an import changed it.
        let manifest = """
            version: 1
            apps:
              - {name: shop, display_name: Shop, base_url: "https://shop.example.com", platform: vercel, jobs: []}
            """
        let file = rbs.home.appendingPathComponent("shop.yaml")
        try Data(manifest.utf8).write(to: file)
        #expect(try await rbs.run(["import", file.path, "--yes"]).status == 0)
        let apps = try await rbs.run(["---completion", "list", "jobs", "--", "--app", "5", "0",
                                "rbscron", "--db", rbs.db, "list", "jobs", "--app", ""], useDB: false)
        #expect(apps.stdout == "shop\n")
        let scopes = try await rbs.run(["---completion", "secret", "set", "--", "positional@0", "5", "0",
                                  "rbscron", "--db", rbs.db, "secret", "set", ""], useDB: false)
        #expect(scopes.stdout == "global\nshop\n")
    }

    @Test func everyCommandHasAManPage() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let dump = try await rbs.run(["--experimental-dump-help"], useDB: false)
        let info = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var names: [String] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            let name = command["commandName"] as? String ?? ""
            let here = path + [name]
            names.append(here.joined(separator: "."))
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { walk(sub, here) }
        }
        walk(try #require(info["command"] as? [String: Any]), [])
        #expect(names.count > 20)
        for name in names {
            let page = Self.root.appendingPathComponent("man/\(name).1")
            #expect(FileManager.default.fileExists(atPath: page.path), "man/\(name).1 is missing: run scripts/generate-docs.sh")
        }
    }

    @Test func everySubcommandsHelpHasAnExample() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let dump = try await rbs.run(["--experimental-dump-help"], useDB: false)
        let info = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var missing: [String] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            let name = command["commandName"] as? String ?? ""
            let here = path + [name]
            let subs = command["subcommands"] as? [[String: Any]] ?? []
            if name != "help", !(command["discussion"] as? String ?? "").contains("Examples:") {
                missing.append(here.joined(separator: " "))
            }
            for sub in subs { walk(sub, here) }
        }
        walk(try #require(info["command"] as? [String: Any]), [])
        #expect(missing.isEmpty, "no Examples: in the help of \(missing)")
    }

    @Test func versionMatchesTheChangelog() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let version = try await rbs.run(["--version"], useDB: false).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!version.isEmpty)
        let changelog = try String(contentsOf: Self.root.appendingPathComponent("CHANGELOG.md"), encoding: .utf8)
        #expect(changelog.contains("## \(version)"), "CHANGELOG.md has no entry for \(version)")
    }

    @Test func makeInstallIntoATemporaryPrefixGivesABinaryThatWorksAlone() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let prefix = rbs.home.appendingPathComponent("prefix")
        let make = try await runTool("/usr/bin/env", [
            "make", "-C", Self.root.path, "install-files", "PREFIX=\(prefix.path)", "BIN=\(RBSCronProcess.binary.path)",
        ])
        #expect(make.status == 0, "\(String(decoding: make.stderr, as: UTF8.self))")
        for file in ["bin/rbscron", "share/man/man1/rbscron.1", "share/man/man1/rbscron.trigger.1",
                     "share/bash-completion/completions/rbscron", "share/zsh/site-functions/_rbscron",
                     "share/fish/vendor_completions.d/rbscron.fish"] {
            #expect(FileManager.default.fileExists(atPath: prefix.appendingPathComponent(file).path), "\(file) not installed")
        }
        // The installed binary, run from an empty folder with nothing beside it, seeds its inventory.
        let empty = rbs.home.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let installed = try await runTool(prefix.appendingPathComponent("bin/rbscron").path, ["list", "jobs", "--json"],
                                          environment: rbs.environment, directory: empty)
        #expect(installed.status == 0)
        let jobs = try JSONSerialization.jsonObject(with: installed.stdout) as? [[String: Any]]
        #expect(jobs?.count == 69)
    }
}
