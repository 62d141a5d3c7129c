import Foundation
import RBSCronTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Input an operator (or an attacker who controls a manifest or an endpoint) can hand rbscron, through the built
/// binary: bounded reads, refused credentials and secrets, escaped terminal output, honest messages.
@Suite("Hostile input end to end", .timeLimit(.minutes(3)))
struct HostileInputCommandTests {
    static func manifest(_ baseURL: String, displayName: String = "Shop", jobName: String = "nightly") -> String {
        """
        version: 1
        apps:
          - name: shop
            display_name: "\(displayName)"
            base_url: "\(baseURL)"
            platform: vercel
            jobs:
              - {name: "\(jobName)", path: /api/cron/nightly, layer: vercel, schedule: "0 3 * * *", auth: none}
              - {name: sync, path: /api/cron/sync, layer: qstash, schedule: "*/15 * * * *", auth: none}
        """
    }

    func importing(_ rbs: RBSCronProcess, _ text: String, name: String = "m.yaml") async throws -> Outcome {
        let file = rbs.home.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return try await rbs.run(["import", file.path, "--yes"])
    }

    static let escapes: [Unicode.Scalar] = ["\u{1B}", "\u{7}", "\u{9B}", "\u{0}"]
    func hasEscapes(_ text: String) -> Bool { text.unicodeScalars.contains { Self.escapes.contains($0) } }

    @Test("import /dev/zero and an alias bomb: refused at the bound, with the file, quickly")
    func boundedManifests() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let zero = try await rbs.run(["import", "/dev/zero"], timeout: 60)
        #expect(zero.status == 1)
        #expect(zero.stderr.contains("larger than 32 MiB") && !zero.stderr.contains("permission"), "\(zero.stderr)")
        let jobs = Array(repeating: "*j", count: 100).joined(separator: ", ")
        let apps = Array(repeating: "*a", count: 100).joined(separator: ", ")
        let deps = Array(repeating: "shop/nightly", count: 20).joined(separator: ", ")
        let bomb = """
            version: 1
            anchors:
              deps: &d [\(deps)]
              job: &j {name: nightly, path: /x, layer: manual, depends_on: *d}
              app: &a {name: shop, base_url: https://shop.example.com, platform: vercel, jobs: [\(jobs)]}
            apps: [\(apps)]
            """
        let refused = try await importing(rbs, bomb, name: "bomb.yaml")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("bomb.yaml:") && refused.stderr.contains("alias"), "\(refused.stderr)")
    }

    @Test("a base_url with credentials is refused; the password is not printed")
    func credentialsRefused() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        for url in ["http://user:hunter2-pass@shop.example.com", "http://127.0.0.1:1\\\\@127.0.0.1:28432"] {
            let outcome = try await importing(rbs, Self.manifest(url))
            #expect(outcome.status == 1, "accepted \(url)")
            #expect(outcome.stderr.contains("user name or password") && !outcome.stderr.contains("hunter2"), "\(outcome.stderr)")
        }
    }

    @Test("secret set refuses a short value, invalid UTF-8 and a control character; the value is never echoed")
    func secretValues() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        for value in ["abc", "line-one-value\r\nline-two", "nul-\u{0}-inside-the-value"] {
            let outcome = try await rbs.run(["secret", "set", "camino", "CRON_SECRET"], stdin: value)
            #expect(outcome.status == 1, "stored \(value.debugDescription)")
            #expect(outcome.stderr.contains("nothing was stored"), "\(outcome.stderr)")
        }
        let file = rbs.home.appendingPathComponent("bad.txt")
        try Data([0xFF, 0xFE] + Array("abcdefghijklmnopqrstu".utf8)).write(to: file)
        let latin = try await rbs.run(["secret", "set", "camino", "CRON_SECRET", "--from-file", file.path])
        #expect(latin.status == 1 && latin.stderr.contains("UTF-8"), "\(latin.stderr)")
        let listed = try #require(try await rbs.json(["secret", "list", "--json"]) as? [String: Any])
        #expect((listed["secrets"] as? [Any])?.isEmpty == true, "nothing was stored")
    }

    @Test("a response body's escape sequences reach the terminal table written visibly")
    func triggerDetailEscaped() async throws {
        let server = try LoopbackServer { _ in .text(500, "\u{1B}]0;pwned\u{7}\u{1B}[2Jboom") }
        defer { server.stop() }
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        #expect(try await importing(rbs, Self.manifest(server.baseURL)).status == 0)
        let outcome = try await rbs.run(["trigger", "shop/nightly", "--retries", "0"])
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(!hasEscapes(outcome.stdout) && !hasEscapes(outcome.stderr))
        #expect(outcome.stdout.contains("\\x1b]0;pwned\\x07"), "\(outcome.stdout)")
    }

    @Test("an error quoting a manifest value writes its escape sequences visibly")
    func errorsEscaped() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await importing(rbs, Self.manifest("https://shop.example.com", jobName: "\\e]0;pwned\\a\\e[2J"))
        #expect(outcome.status == 1)
        #expect(!hasEscapes(outcome.stderr), "\(outcome.stderr.debugDescription)")
        #expect(outcome.stderr.contains("\\x1b]0;pwned"), "\(outcome.stderr)")
    }

    @Test("--db naming a device is refused and leaves no journal beside it")
    func deviceAsInventory() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let device = rbs.home.appendingPathComponent("null").path
        guard mknod(device, S_IFCHR | 0o666, dev_t(0x0103)) == 0 else { return }  // needs CAP_MKNOD
        let outcome = try await rbs.run(["--db", device, "list", "apps"], useDB: false)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("not a regular file"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: device + "-journal"))
        #expect(!FileManager.default.fileExists(atPath: device + "-wal"))
    }

    @Test("a read-only inventory can be listed and exported, and keeps its mode")
    func readOnlyInventory() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        #expect(try await rbs.run(["list", "apps"]).status == 0)
        let folder = rbs.home.appendingPathComponent("ro").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let db = folder + "/inventory.sqlite"
        try FileManager.default.copyItem(atPath: rbs.db, toPath: db)
        #expect(chmod(db, 0o444) == 0 && chmod(folder, 0o555) == 0)
        defer { chmod(folder, 0o755) }
        // Root ignores file modes: run as nobody then (the scratch home must be readable by it).
        var command = [RBSCronProcess.binary.path]
        if geteuid() == 0 {
            guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") else { return }
            _ = chmod(rbs.home.path, 0o755)
            command = ["/usr/sbin/runuser", "-u", "nobody", "--"] + command
        }
        for arguments in [["list", "apps"], ["export"], ["schedule", "check"], ["stats"]] {
            let result = try await runTool(command[0], Array(command.dropFirst()) + ["--db", db] + arguments,
                                           environment: rbs.environment, directory: rbs.home)
            #expect(result.status == 0, "\(arguments): \(result.errorText)")
        }
        var info = stat()
        #expect(stat(db, &info) == 0 && info.st_mode & 0o7777 == 0o444)
        let write = try await runTool(command[0], Array(command.dropFirst()) + ["--db", db, "import", "-"],
                                      stdin: Data(Self.manifest("https://shop.example.com").utf8),
                                      environment: rbs.environment, directory: rbs.home)
        #expect(write.status == 1 && (write.errorText.contains("read-only") || write.errorText.contains("readonly")),
                "\(write.errorText)")
    }

    @Test("an HTTP/0.9 answer is not called a wrong scheme")
    func http09() async throws {
        let (fd, port) = try LoopbackListener.open()
        defer { close(fd) }
        Thread {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = read(client, &buffer, buffer.count)
            _ = "not http at all\n".withCString { write(client, $0, strlen($0)) }
            close(client)
        }.start()
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        #expect(try await importing(rbs, Self.manifest("http://127.0.0.1:\(port)")).status == 0)
        let outcome = try await rbs.run(["trigger", "shop/nightly", "--retries", "0", "--json"])
        #expect(outcome.status == 2)
        #expect(!outcome.stdout.contains("does not use http or https"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("did not answer with HTTP"), "\(outcome.stdout)")
    }

    @Test("stats --sync fails on a QStash answer of the wrong shape instead of reading 0 events")
    func wrongShapedQStash() async throws {
        let server = try LoopbackServer { _ in .json(200, #"{"messages": [{"id": "x"}]}"#) }
        defer { server.stop() }
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        #expect(try await importing(rbs, Self.manifest("https://shop.example.com")).status == 0)
        let outcome = try await rbs.run(["stats", "--sync", "--app", "shop"],
                                        env: ["QSTASH_URL": server.baseURL, "RBSCRON_SECRET_GLOBAL_QSTASH_TOKEN": "qstash-token-0123456789"])
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("events"), "\(outcome.stderr)")
    }
}
