import Foundation
import Testing
@testable import RBSCronKit

@Suite("Vercel: the crons array of vercel.json")
struct VercelCronsTests {
    static let baul = App(name: "baul", displayName: "Baúl", baseURL: "https://baul.example.test", platform: .vercel, vercelPlan: .pro)

    static let jobs: [Job] = [
        Job(app: "baul", name: "generate-routes", path: "/api/cron/generate-routes", method: .GET, layer: .vercel, schedule: "0 12 * * 1-5"),
        Job(app: "baul", name: "referral-shares", path: "/api/cron/referral-shares", method: .GET, layer: .vercel, schedule: "0 8 1 * *"),
        Job(app: "baul", name: "keep-alive", path: nil, sql: "SELECT 1", layer: .pgCron, schedule: "0 12 */3 * *", auth: .none),
        Job(app: "other", name: "x", path: "/x", method: .GET, layer: .vercel, schedule: "0 0 * * *"),
    ]

    static let original = """
        {
          "$schema": "https://openapi.vercel.sh/vercel.json",
          "framework": "sveltekit",
          "regions": ["iad1"],
          "crons": [
            { "path": "/api/cron/generate-routes", "schedule": "0 12 * * 1-5" },
            { "path": "/api/cron/referral-shares", "schedule": "0 9 1 * *" },
            { "path": "/api/cron/retired", "schedule": "0 0 * * *" }
          ],
          "headers": [{"source": "/(.*)", "headers": [{"key": "X-Frame-Options", "value": "DENY"}]}],
          "zeta": {"crons": "not this one"}
        }

        """

    func withFile<T>(_ text: String?, _ body: (String) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-vercel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("vercel.json").path
        if let text { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }
        return try body(path)
    }

    @Test("plan matches by path: unchanged, update (schedule), delete; other apps and layers are left out")
    func plan() throws {
        let plan = try VercelCrons.plan(app: Self.baul, jobs: Self.jobs, text: Self.original, file: "vercel.json")
        #expect(plan.items.map(\.action) == [.unchanged, .update, .delete])
        #expect(plan.items[1].changes == [FieldChange(field: "schedule", from: "0 9 1 * *", to: "0 8 1 * *")])
        #expect(plan.items[2].id == "/api/cron/retired")
        #expect(plan.issues.isEmpty)
    }

    @Test("apply rewrites only the crons value: every other key keeps its bytes and order; applying again writes nothing")
    func rewriteKeepsOtherKeys() throws {
        try withFile(Self.original) { path in
            let report = try VercelCrons.apply(app: Self.baul, jobs: Self.jobs, path: path, dryRun: false)
            #expect(report.updated == ["/api/cron/referral-shares"] && report.deleted == ["/api/cron/retired"])
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let expected = """
                {
                  "$schema": "https://openapi.vercel.sh/vercel.json",
                  "framework": "sveltekit",
                  "regions": ["iad1"],
                  "crons": [
                    {
                      "path": "/api/cron/generate-routes",
                      "schedule": "0 12 * * 1-5"
                    },
                    {
                      "path": "/api/cron/referral-shares",
                      "schedule": "0 8 1 * *"
                    }
                  ],
                  "headers": [{"source": "/(.*)", "headers": [{"key": "X-Frame-Options", "value": "DENY"}]}],
                  "zeta": {"crons": "not this one"}
                }

                """
            #expect(text == expected)
            let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
            let again = try VercelCrons.apply(app: Self.baul, jobs: Self.jobs, path: path, dryRun: false)
            #expect(!again.plan.hasDrift && again.written == nil)
            let modifiedAgain = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
            #expect(modifiedAgain == modified)
        }
    }

    @Test("a file without crons gets the key appended; a missing file is created with just crons (all creates)")
    func missingKeyAndFile() throws {
        try withFile("{\n  \"framework\": \"nextjs\"\n}\n") { path in
            _ = try VercelCrons.apply(app: Self.baul, jobs: Self.jobs, path: path, dryRun: false)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.hasPrefix("{\n  \"framework\": \"nextjs\",\n  \"crons\": [\n    {\n"))
            let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect((root["crons"] as? [[String: String]])?.count == 2 && root["framework"] as? String == "nextjs")
        }
        try withFile(nil) { path in
            let dry = try VercelCrons.apply(app: Self.baul, jobs: Self.jobs, path: path, dryRun: true)
            #expect(dry.plan.items.map(\.action) == [.create, .create])
            #expect(!FileManager.default.fileExists(atPath: path))
            _ = try VercelCrons.apply(app: Self.baul, jobs: Self.jobs, path: path, dryRun: false)
            let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
            #expect(Array(root.keys) == ["crons"])
            #expect((root["crons"] as? [[String: String]])?.first == ["path": "/api/cron/generate-routes", "schedule": "0 12 * * 1-5"])
        }
    }

    @Test("what Vercel would refuse is refused and nothing is written; POST and non-UTC zones are flagged")
    func refusals() throws {
        var hobby = Self.baul
        hobby.vercelPlan = .hobby
        let jobs = [
            Job(app: "baul", name: "named", path: "/a", method: .GET, layer: .vercel, schedule: "0 0 * * MON"),
            Job(app: "baul", name: "twice", path: "/b", method: .GET, layer: .vercel, schedule: "0 0,12 * * *"),
            Job(app: "baul", name: "posty", path: "/c", method: .POST, layer: .vercel, schedule: "0 6 * * *", timezone: "America/Mexico_City"),
        ]
        let plan = try VercelCrons.plan(app: hobby, jobs: jobs, text: nil, file: "vercel.json")
        let errors = plan.issues.filter { $0.severity == .error }
        #expect(errors.map(\.job) == ["baul/named", "baul/twice"])
        #expect(errors[1].message.contains("Hobby"))
        #expect(plan.issues.filter { $0.severity == .warning }.map(\.job) == ["baul/posty", "baul/posty"])
        #expect(plan.issues.contains { $0.message.contains("GET") })
        try withFile(Self.original) { path in
            #expect(throws: VercelJSONError.self) { try VercelCrons.apply(app: hobby, jobs: jobs, path: path, dryRun: false) }
            let after = try String(contentsOfFile: path, encoding: .utf8)
            #expect(after == Self.original)
        }
        // The same schedule twice a day is fine on Pro; 101 crons are not, on any plan.
        #expect(!VercelCrons.issues(app: Self.baul, desired: VercelCrons.desired(app: Self.baul, jobs: [jobs[1]])).contains { $0.severity == .error })
        let many = (0...100).map { Job(app: "baul", name: "j\($0)", path: "/j\($0)", method: .GET, layer: .vercel, schedule: "0 0 * * *") }
        #expect(VercelCrons.issues(app: Self.baul, desired: VercelCrons.desired(app: Self.baul, jobs: many)).contains { $0.message.contains("at most 100") })
    }

    @Test("a vercel.json that is not an object, or whose crons are malformed, is refused")
    func malformed() {
        #expect(throws: VercelJSONError.notAnObject(file: "v.json")) { try VercelCrons.plan(app: Self.baul, jobs: [], text: "[1]", file: "v.json") }
        #expect(throws: VercelJSONError.self) { try VercelCrons.plan(app: Self.baul, jobs: [], text: "{\"crons\": [{\"path\": 1}]}", file: "v.json") }
        #expect(throws: VercelJSONError.notAnObject(file: "v.json")) { try VercelCrons.plan(app: Self.baul, jobs: [], text: "{\"crons\": ", file: "v.json") }
    }

    @Test("the text rewrite handles strings with braces and escapes, and a one-line file")
    func scanner() throws {
        let text = #"{"a": "}{\"crons\"", "crons": [], "b": [1, {"c": "]"}]}"#
        let out = try VercelCrons.rewrite(text: text, entries: [.init(path: "/p\"q", schedule: "0 0 * * *")], file: "v")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect(root["a"] as? String == "}{\"crons\"")
        #expect((root["crons"] as? [[String: String]])?.first?["path"] == "/p\"q")
        #expect(out.hasPrefix(#"{"a": "}{\"crons\"", "crons": ["#) && out.hasSuffix(#"], "b": [1, {"c": "]"}]}"#))
    }
}
