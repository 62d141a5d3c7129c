import Foundation
import RBSCronTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `stats --html`, `export --output` and `schedule apply --layer vercel --vercel-json` write what the operator names,
/// without replacing a link, a pipe or a device, and without changing a file's mode.
@Suite("Output paths end to end", .timeLimit(.minutes(2)))
struct OutputPathCommandTests {
    func mode(_ path: String) -> mode_t {
        var info = stat()
        _ = lstat(path, &info)
        return info.st_mode
    }

    @Test("stats --html through a symbolic link writes the link's target; the link stays")
    func htmlThroughLink() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let target = rbs.home.appendingPathComponent("dashboard.html").path
        let link = rbs.home.appendingPathComponent("latest.html").path
        try "old".write(toFile: target, atomically: false, encoding: .utf8)
        #expect(symlink(target, link) == 0)
        let outcome = try await rbs.run(["stats", "--html", link])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(mode(link) & S_IFMT == S_IFLNK)
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))
    }

    @Test("stats --html - prints the page alone on standard output")
    func htmlToStandardOutput() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await rbs.run(["stats", "--html", "-"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.hasPrefix("<!DOCTYPE html>"))
        #expect(outcome.stdout.hasSuffix("</html>\n") || outcome.stdout.hasSuffix("</html>"))
        let json = try await rbs.run(["stats", "--html", "-", "--json"])
        #expect(json.status == 64 && json.stderr.contains("--html -"), "\(json.stderr)")
    }

    @Test("export --output keeps a 0600 file 0600, and - is standard output")
    func exportKeepsMode() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let path = rbs.home.appendingPathComponent("inventory.yaml").path
        try "".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(chmod(path, 0o600) == 0)
        let outcome = try await rbs.run(["export", "--output", path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(mode(path) & 0o7777 == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("version: 1"))
        let dash = try await rbs.run(["export", "--output", "-"])
        #expect(dash.status == 0 && dash.stdout.contains("version: 1"), "\(dash.stderr)")
    }

    @Test("schedule apply --layer vercel writes a linked vercel.json's target and keeps its mode")
    func vercelJSONThroughLink() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let target = rbs.home.appendingPathComponent("vercel.json").path
        let link = rbs.home.appendingPathComponent("linked-vercel.json").path
        try "{\n  \"framework\": \"sveltekit\",\n  \"crons\": []\n}\n".write(toFile: target, atomically: false, encoding: .utf8)
        #expect(chmod(target, 0o600) == 0)
        #expect(symlink(target, link) == 0)
        let apply = try await rbs.run(["schedule", "apply", "--layer", "vercel", "--app", "baul", "--vercel-json", link])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(mode(link) & S_IFMT == S_IFLNK, "the link stays a link")
        #expect(mode(target) & 0o7777 == 0o600, "the target keeps its mode")
        #expect(try String(contentsOfFile: target, encoding: .utf8).contains("\"path\": \"/api/cron/generate-routes\""))
    }

    @Test("an output path in a missing folder is refused in plain words")
    func missingFolder() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await rbs.run(["export", "--output", rbs.home.appendingPathComponent("nowhere/x.yaml").path])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("No such file or directory") && !outcome.stderr.contains("NSCocoaErrorDomain"), "\(outcome.stderr)")
    }
}
