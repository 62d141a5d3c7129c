import Foundation
import RBSCronTestSupport
import Testing

/// The `secret` commands through the built binary: values never appear anywhere but `get --reveal`.
@Suite struct SecretCommandTests {
    @Test func aScriptedSessionNeverShowsThePlaintext() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let first = "s3cret-FIRST-\(UUID().uuidString)"
        let second = "s3cret-SECOND-\(UUID().uuidString)"
        var outputs: [String] = []
        var argvs: [[String]] = []
        func run(_ args: [String], stdin: String? = nil, env: [String: String] = [:]) async throws -> Outcome {
            argvs.append(args)
            let outcome = try await rbs.run(args, stdin: stdin, env: env)
            outputs += [outcome.stdout, outcome.stderr]
            return outcome
        }
        await #expect(try run(["secret", "set", "camino", "CRON_SECRET"], stdin: first + "\n").status == 0)
        let keyFile = rbs.home.appendingPathComponent("config/rbscron/master.key").path
        #expect((try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int) == 0o600)
        await #expect(try run(["secret", "set", "global", "QSTASH_TOKEN", "--from-env", "MY_TOKEN"], env: ["MY_TOKEN": second]).status == 0)
        let list = try await run(["secret", "list", "--json"])
        #expect(list.status == 0)
        #expect(list.stdout.contains("\"preview\" : \"s3cr…("))
        await #expect(try run(["secret", "list"]).stdout.contains("would be denied"))
        // `list secrets` is the same report under the list command (DESIGN's `list … secrets`).
        let listed = try await run(["list", "secrets", "--json"])
        #expect(listed.status == 0 && listed.stdout == list.stdout)
        // --layer narrows the jobs counted in used_by to that layer's.
        let pgCron = try #require(try JSONSerialization.jsonObject(with: Data(try await run(
            ["list", "secrets", "--app", "camino", "--layer", "pg_cron", "--json"]).stdout.utf8)) as? [String: Any])
        let vercel = try #require(try JSONSerialization.jsonObject(with: Data(try await run(
            ["list", "secrets", "--app", "camino", "--layer", "vercel", "--json"]).stdout.utf8)) as? [String: Any])
        func usedBy(_ report: [String: Any]) -> [String] {
            ((report["secrets"] as? [[String: Any]]) ?? []).first { $0["key"] as? String == "CRON_SECRET" }?["used_by"] as? [String] ?? []
        }
        let jobs = try #require(try JSONSerialization.jsonObject(with: Data(try await run(
            ["list", "jobs", "--app", "camino", "--json"]).stdout.utf8)) as? [[String: Any]])
        let layerOf = Dictionary(uniqueKeysWithValues: jobs.compactMap { job in
            (job["name"] as? String).map { ("camino/\($0)", job["layer"] as? String ?? "") }
        })
        #expect(!usedBy(pgCron).isEmpty && usedBy(pgCron).allSatisfy { layerOf[$0] == "pg_cron" }, "\(usedBy(pgCron))")
        #expect(!usedBy(vercel).isEmpty && usedBy(vercel).allSatisfy { layerOf[$0] == "vercel" }, "\(usedBy(vercel))")
        let rotate = try await run(["secret", "rotate", "camino", "CRON_SECRET", "--generate", "--grace", "1h"])
        #expect(rotate.status == 0)
        #expect(rotate.stdout.contains("vercel env add CRON_SECRET production"))
        #expect(rotate.stdout.contains("vault.update_secret"))
        await #expect(try run(["secret", "rm", "global", "QSTASH_TOKEN"]).status == 0)
        await #expect(try run(["secret", "rm", "global", "QSTASH_TOKEN"]).status == 1)

        for text in outputs {
            #expect(!text.contains(first) && !text.contains(second), "a secret value was printed")
        }
        for args in argvs {
            #expect(!args.joined(separator: " ").contains(first) && !args.joined(separator: " ").contains(second))
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: rbs.home.path) where file.hasPrefix("inventory.sqlite") {
            let bytes = try Data(contentsOf: rbs.home.appendingPathComponent(file))
            #expect(bytes.range(of: Data(first.utf8)) == nil && bytes.range(of: Data(second.utf8)) == nil, "plaintext in \(file)")
        }
        // get --reveal is the one way out, for piping.
        let revealed = try await rbs.run(["secret", "get", "camino", "CRON_SECRET", "--reveal"])
        #expect(revealed.status == 0)
        #expect(revealed.stdout.count > 40 && !revealed.stdout.contains(first), "the rotated value is current")
        #expect(try await rbs.run(["secret", "get", "camino", "CRON_SECRET"]).status == 64)
    }

    @Test func theWrongKeyIsAClearErrorAndOverwritesNothing() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        #expect(try await rbs.run(["secret", "set", "camino", "CRON_SECRET"], stdin: "value-under-key-one").status == 0)
        let otherKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let wrong = try await rbs.run(["secret", "set", "camino", "CRON_SECRET"], stdin: "attempt-under-other-key", env: ["RBSCRON_MASTER_KEY": otherKey])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("sealed with master key"))
        let get = try await rbs.run(["secret", "get", "camino", "CRON_SECRET", "--reveal"])
        #expect(get.stdout == "value-under-key-one\n")
    }

    @Test func aMissingKeyFileIsNotSilentlyRecreatedForReads() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        #expect(try await rbs.run(["secret", "set", "camino", "CRON_SECRET"], stdin: "value-0123456789").status == 0)
        try FileManager.default.removeItem(at: rbs.home.appendingPathComponent("config/rbscron/master.key"))
        let get = try await rbs.run(["secret", "get", "camino", "CRON_SECRET", "--reveal"])
        #expect(get.status == 1)
        #expect(get.stderr.contains("master.key"))
        // The error says what to restore, never to run `secret set` (a new key could not open these secrets).
        #expect(get.stderr.contains("Restore the key file") && get.stderr.contains("RBSCRON_MASTER_KEY"))
        #expect(!get.stderr.contains("secret set"))
        let list = try await rbs.run(["secret", "list"])
        #expect(list.status == 0 && list.stdout.contains("(locked)"))
        #expect(list.stderr.contains("warning: previews are (locked)") && list.stderr.contains("Restore the key file"))
        #expect(!list.stderr.contains("secret set"))
    }

    @Test("a wrong or malformed master key is an error that says what is wrong (exit 1), never a quiet (locked)")
    func aWrongOrMalformedKeyFailsTheList() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        #expect(try await rbs.run(["secret", "set", "camino", "CRON_SECRET"], stdin: "value-0123456789").status == 0)
        let otherKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let cases: [(env: [String: String], says: String)] = [
            (["RBSCRON_MASTER_KEY": otherKey], "sealed with master key"),
            (["RBSCRON_MASTER_KEY": "not base64 at all!"], "is not valid base64"),
            (["RBSCRON_MASTER_KEY": Data(repeating: 7, count: 16).base64EncodedString()], "decodes to 16 bytes"),
        ]
        for (env, says) in cases {
            for args in [["secret", "list"], ["list", "secrets"], ["secret", "list", "--json"]] {
                let list = try await rbs.run(args, env: env)
                #expect(list.status == 1, "\(args) \(env): \(list.stdout)")
                #expect(list.stderr.contains(says), "\(list.stderr)")
                #expect(!list.stdout.contains("(locked)"))
                #expect(!list.stderr.contains("urandom") && !list.stderr.contains("secret set"), "no advice that makes a new key")
            }
        }
        // A key file that is not a key.
        let keyFile = rbs.home.appendingPathComponent("config/rbscron/master.key")
        try Data("garbage\n".utf8).write(to: keyFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile.path)
        let malformed = try await rbs.run(["secret", "list"])
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains("does not hold the base64 of exactly 32 bytes") && malformed.stderr.contains("Restore it"))
    }

    @Test func valuesNeverComeFromArgv() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await rbs.run(["secret", "set", "camino", "CRON_SECRET", "my-secret-on-argv"])
        #expect(outcome.status == 64)
        #expect(try await rbs.run(["secret", "set", "camino", "CRON_SECRET"], stdin: "").status == 1)
    }

    @Test func aStoredSecretAuthenticatesTriggerAndAppearsNowhereElse() async throws {
        let server = try LoopbackServer(status: 200)
        defer { server.stop() }
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let manifest = """
            version: 1
            apps:
              - name: shop
                display_name: Shop
                base_url: \(server.baseURL)
                platform: vercel
                jobs:
                  - {name: nightly, path: /api/cron/nightly, method: GET, layer: vercel, schedule: "0 3 * * *", auth: cron_secret}
            """
        let file = rbs.home.appendingPathComponent("shop.yaml")
        try Data(manifest.utf8).write(to: file)
        #expect(try await rbs.run(["import", file.path, "--yes"]).status == 0)
        // Denied before any request while the secret is missing.
        let denied = try await rbs.run(["trigger", "shop/nightly", "--json"])
        #expect(denied.status == 2 && denied.stdout.contains("denied"))
        #expect(server.requests.isEmpty)

        let value = "stored-value-\(UUID().uuidString)"
        var outputs: [String] = []
        for args in [["secret", "set", "shop", "CRON_SECRET"], ["trigger", "shop/nightly"], ["trigger", "shop/nightly", "--json"],
                     ["trigger", "shop/nightly", "--dry-run"], ["secret", "list"]] {
            let outcome = try await rbs.run(args, stdin: args[1] == "set" ? value : nil)
            #expect(outcome.status == 0, "\(args): \(outcome.stderr)")
            #expect(!args.joined(separator: " ").contains(value))
            outputs += [outcome.stdout, outcome.stderr]
        }
        #expect(server.requests.count == 2)
        #expect(server.requests.allSatisfy { $0.authorization == "Bearer \(value)" }, "the stored value is sent")
        for text in outputs { #expect(!text.contains(value), "a secret value was printed") }
        for file in try FileManager.default.contentsOfDirectory(atPath: rbs.home.path) where file.hasPrefix("inventory.sqlite") {
            let bytes = try Data(contentsOf: rbs.home.appendingPathComponent(file))
            #expect(bytes.range(of: Data(value.utf8)) == nil, "plaintext in \(file)")
        }
        // An environment variable wins over the inventory's value (it is what a CI run controls), and the dry run
        // names the source it used.
        let fromEnv = ["RBSCRON_SECRET_SHOP_CRON_SECRET": "from-env-000000"]
        #expect(try await rbs.run(["trigger", "shop/nightly"], env: fromEnv).status == 0)
        #expect(server.requests.last?.authorization == "Bearer from-env-000000")
        let envDry = try await rbs.run(["trigger", "shop/nightly", "--dry-run"], env: fromEnv)
        #expect(envDry.stdout.contains("# secret: environment RBSCRON_SECRET_SHOP_CRON_SECRET"))
        let storedDry = try await rbs.run(["trigger", "shop/nightly", "--dry-run"])
        #expect(storedDry.stdout.contains("# secret: inventory shop/CRON_SECRET"))
    }
}
