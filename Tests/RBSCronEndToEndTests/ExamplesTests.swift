import Foundation
import RBSCronTestSupport
import Testing

/// Every example the operator is shown — in `--help` (and so in the man pages, which are generated from it) and in
/// the README — runs as written on the embedded inventory, or names the example manifest it needs with a trailing
/// `# needs examples/NAME.yaml`, which is imported first.
///
/// "Runs" means: the command line parses (no exit 64), every app and job it names exists, and it ends by itself (exit
/// 0, 1 or 2). Nothing leaves the machine: every HTTP request goes to a proxy address that refuses connections, so a
/// `trigger` of a real app ends in a transport error (exit 2), which is fine; an unknown app is not.
@Suite("documented examples", .timeLimit(.minutes(10)))
struct ExamplesTests {
    struct Example: CustomStringConvertible, Sendable {
        var source: String
        var line: String
        /// The example shows an error on purpose: its comment says "refused", or the README prints `Error:` under it.
        var showsAnError = false
        var description: String { "\(source): \(line)" }
    }

    /// `rbscron …` lines after "Examples:" in every command's discussion.
    static func helpExamples() async throws -> [Example] {
        let dump = try await runTool(RBSCronProcess.binary.path, ["--experimental-dump-help"])
        let root = try #require(try JSONSerialization.jsonObject(with: dump.stdout) as? [String: Any])
        var found: [Example] = []
        func walk(_ node: [String: Any], _ path: [String]) {
            let name = (path + [node["commandName"] as? String ?? ""]).joined(separator: " ")
            if let discussion = node["discussion"] as? String, let start = discussion.range(of: "Examples:") {
                for line in discussion[start.upperBound...].split(separator: "\n") {
                    let text = line.trimmingCharacters(in: .whitespaces)
                    if text.hasPrefix("rbscron ") || text.hasPrefix("source <(rbscron") { found.append(Example(source: "help of \(name)", line: text)) }
                }
            }
            for sub in node["subcommands"] as? [[String: Any]] ?? [] { walk(sub, path + [node["commandName"] as? String ?? ""]) }
        }
        walk(try #require(root["command"] as? [String: Any]), [])
        return found
    }

    /// The README and the reference in docs/.
    static func documents() throws -> [String] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: RBSCronProcess.repositoryRoot.appendingPathComponent("docs").path)
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
    }

    /// `rbscron …` and `$ rbscron …` lines of the README's and docs/'s shell and text blocks (not YAML: CI workflows).
    static func documentExamples() throws -> [Example] {
        try documents().flatMap { try examples(in: $0) }
    }

    static func examples(in document: String) throws -> [Example] {
        let readme = try String(contentsOf: RBSCronProcess.repositoryRoot.appendingPathComponent(document), encoding: .utf8)
        var found: [Example] = []
        var language: String?
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (number, line) in lines.enumerated() {
            if line.hasPrefix("```") {
                language = language == nil ? String(line.dropFirst(3)) : nil
                continue
            }
            guard let language else { continue }
            var text = line.trimmingCharacters(in: .whitespaces)
            // Shell blocks hold commands; text blocks hold sessions, where only `$ ` lines are commands (the rest
            // is output, such as a benchmark's `rbscron concurrency 50 …` rows).
            if ["text", "console"].contains(language) {
                guard text.hasPrefix("$ ") else { continue }
                text.removeFirst(2)
            } else if !["sh", "bash", "shell"].contains(language) {
                continue
            }
            guard text.hasPrefix("rbscron ") || text == "rbscron" else { continue }
            let next = number + 1 < lines.count ? lines[number + 1] : ""
            found.append(Example(source: "\(document):\(number + 1)", line: text,
                                 showsAnError: next.hasPrefix("Error:") || text.contains("# refused")))
        }
        return found
    }

    /// Which manifest an example needs, from its `# needs examples/NAME.yaml` comment.
    static func manifest(of line: String) -> String? {
        guard let range = line.range(of: #"# needs (examples/[a-z0-9-]+\.yaml)"#, options: .regularExpression) else { return nil }
        return String(line[range].dropFirst("# needs ".count))
    }

    /// What an example that ran as written must never print.
    static let brokenSigns = ["no app named", "no job '", "is not a job address", "Unexpected argument", "Unknown option",
                              "is not a command of", "Missing expected argument", "command not found", "syntax error"]

    /// `<uuid>`-style placeholders are filled with a sample value before the example runs.
    static func filled(_ line: String) -> String {
        line.replacingOccurrences(of: "<uuid>", with: "5f3c8e2a-1d4b-4c6e-9f70-2a8b3c4d5e6f")
    }

    /// Tools the examples pipe into that are not rbscron's business: stand-ins that read their input.
    static let externalTools = ["vercel", "pbcopy", "supabase"]

    static func makeBinDir() throws -> URL {
        let binDir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-examples-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: binDir, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: binDir.appendingPathComponent("rbscron"), withDestinationURL: RBSCronProcess.binary)
        for tool in externalTools {
            let url = binDir.appendingPathComponent(tool)
            try Data("#!/bin/sh\ncat >/dev/null\n".utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        return binDir
    }

    static func run(_ example: Example, binDir: URL) async throws -> String? {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        if let manifest = manifest(of: example.line) {
            let path = RBSCronProcess.repositoryRoot.appendingPathComponent(manifest).path
            let imported = try await rbs.run(["import", path, "--yes"])
            if imported.status != 0 { return "\(example): importing \(manifest) failed: \(imported.stderr)" }
        }
        var env = rbs.environment
        env["RBSCRON_DB"] = rbs.db
        env["PATH"] = binDir.path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env["EDITOR"] = "true"
        // Nothing leaves the machine: libcurl sends every request to a port nobody listens on.
        for key in ["http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] { env[key] = "http://127.0.0.1:9" }
        env["NO_PROXY"] = nil
        env["no_proxy"] = nil
        let script = "set -o pipefail; " + filled(example.line)
        let outcome: ToolOutcome
        do {
            outcome = try await runTool("/bin/bash", ["-c", script], stdin: Data(), environment: env, directory: rbs.home, timeout: 90)
        } catch is ToolTimeout {
            return "\(example): did not finish within 90 s"
        }
        let stderr = outcome.errorText
        // A command that asks on a terminal (audit) refuses without one and says --yes: as written, it would ask.
        let wouldAsk = outcome.status == 64 && stderr.contains("Pass --yes")
        if example.showsAnError {
            if outcome.status == 0 { return "\(example): shows an error, but succeeded" }
            if stderr.contains("command not found") || stderr.contains("syntax error") { return "\(example): \(stderr.prefix(400))" }
            return nil
        }
        if ![0, 1, 2].contains(outcome.status) && !wouldAsk { return "\(example): exit \(outcome.status): \(stderr.prefix(400))" }
        if let sign = brokenSigns.first(where: { stderr.contains($0) }) { return "\(example): \(sign): \(stderr.prefix(400))" }
        return nil
    }

    @Test("every example in --help, the man pages, the README and docs/ runs on the embedded inventory (or the manifest it names)")
    func everyExampleRuns() async throws {
        let examples = try await Self.helpExamples() + Self.documentExamples()
        #expect(Set(examples.map { $0.source.split(separator: ":")[0] }).isSuperset(of: ["README.md", "docs/schedules.md", "docs/sync.md"]), "docs/ is read")
        #expect(examples.count > 100, "the examples were not found: \(examples.count)")
        #expect(examples.contains { $0.line.hasPrefix("rbscron trigger --app") }, "the help's examples are read")
        let binDir = try Self.makeBinDir()
        defer { try? FileManager.default.removeItem(at: binDir) }
        // Each example once, two at a time (the other suites launch processes too), each on a fresh inventory.
        var seen = Set<String>()
        let unique = examples.filter { seen.insert($0.line).inserted }
        var failures: [String] = []
        try await withThrowingTaskGroup(of: String?.self) { group in
            var next = unique.makeIterator()
            for _ in 0..<2 { if let example = next.next() { group.addTask { try await Self.run(example, binDir: binDir) } } }
            while let result = try await group.next() {
                if let result { failures.append(result) }
                if let example = next.next() { group.addTask { try await Self.run(example, binDir: binDir) } }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(unique.count) examples do not run as written:\n\(failures.sorted().joined(separator: "\n"))")
    }

    @Test("an example that names a missing app is caught (the check can fail)")
    func aBrokenExampleIsCaught() async throws {
        let binDir = try Self.makeBinDir()
        defer { try? FileManager.default.removeItem(at: binDir) }
        let broken = try await Self.run(Example(source: "test", line: "rbscron trigger --app signalsloop --schedule daily --at 09:00"), binDir: binDir)
        #expect(broken != nil)
        let needs = try await Self.run(Example(source: "test", line: "rbscron list jobs --app experts  # needs examples/dual-cron.yaml"), binDir: binDir)
        #expect(needs == nil, "\(needs ?? "")")
    }
}
