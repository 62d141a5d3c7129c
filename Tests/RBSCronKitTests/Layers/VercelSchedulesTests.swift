import Foundation
import Testing
@testable import RBSCronKit

@Suite("Vercel Schedules: the schedules object of vercel.json, and the move between crons and schedules")
struct VercelSchedulesTests {
    static let camino = App(name: "camino", displayName: "Camino", baseURL: "https://camino.example.test", platform: .vercel,
                            vercelPlan: .pro, vercelMode: .schedules)

    static let jobs: [Job] = [
        Job(app: "camino", name: "daily-dispatcher", path: "/api/cron/daily-dispatcher", method: .POST, layer: .vercel,
            schedule: "0 14 * * *", description: "Daily batch at 08:00 CDT"),
        Job(app: "camino", name: "voice-outbound", path: "/api/cron/voice-outbound", method: .POST, layer: .vercel,
            schedule: "*/15 9-18 * * 1-6", timezone: "America/Mexico_City", jitter: 3),
        Job(app: "camino", name: "nightly", path: "/api/cron/nightly", method: .GET, layer: .vercel, schedule: "0 3 * * *"),
        Job(app: "camino", name: "off", path: "/api/cron/off", method: .GET, layer: .vercel, schedule: "0 4 * * *", enabled: false),
        Job(app: "other", name: "x", path: "/x", method: .GET, layer: .vercel, schedule: "0 0 * * *"),
    ]

    /// Foreign keys before and after, four-space indentation, a function schedule (not rbscron's), a path schedule that
    /// is already right (its odd spacing must survive), one to update (with a key rbscron does not know), one to
    /// delete, and a crons array that schedules mode removes.
    static let original = """
        {
            "$schema": "https://openapi.vercel.sh/vercel.json",
            "functions": {
                "api/cleanup.ts": { "experimentalTriggers": [{ "type": "schedule/v1beta" }] }
            },
            "crons": [
                { "path": "/api/cron/daily-dispatcher", "schedule": "0 14 * * *" }
            ],
            "schedules": {
                "cleanup": { "schedule": "0 * * * *", "timezone": "America/New_York", "jitter": 5, "function": "api/cleanup" },
                "nightly": {"schedule":"0 3 * * *","path":"/api/cron/nightly","requestMethod":"GET"},
                "voice-outbound": { "schedule": "*/15 9-18 * * 1-6", "path": "/api/cron/voice-outbound", "requestMethod": "GET", "x-team": "voice" },
                "retired": { "schedule": "0 5 * * *", "path": "/api/cron/retired" }
            },
            "regions": ["iad1"]
        }

        """

    func withFile<T>(_ text: String?, _ body: (String) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-schedules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("vercel.json").path
        if let text { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }
        return try body(path)
    }

    @Test("plan matches schedules by name: create, update (each field), unchanged, delete; a function target is ignored; crons go")
    func plan() throws {
        let plan = try VercelConfig.plan(app: Self.camino, jobs: Self.jobs, text: Self.original, file: "vercel.json")
        let byID = Dictionary(plan.items.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byID["cleanup"]?.action == .ignored)
        #expect(byID["nightly"]?.action == .unchanged)
        #expect(byID["voice-outbound"]?.action == .update)
        #expect(byID["voice-outbound"]?.changes == [
            FieldChange(field: "timezone", from: nil, to: "America/Mexico_City"),
            FieldChange(field: "jitter", from: nil, to: "3"),
            FieldChange(field: "requestMethod", from: "GET", to: "POST"),
        ])
        #expect(byID["retired"]?.action == .delete)
        #expect(byID["daily-dispatcher"]?.action == .create)
        #expect(byID["daily-dispatcher"]?.target == "POST /api/cron/daily-dispatcher")
        #expect(byID["/api/cron/daily-dispatcher"]?.action == .delete)
        #expect(byID["/api/cron/daily-dispatcher"]?.note?.contains("moved to schedules as 'daily-dispatcher'") == true)
        #expect(byID["off"] == nil && byID["x"] == nil)
        #expect(plan.issues.isEmpty)
    }

    @Test("apply in schedules mode changes only schedules and crons: foreign keys, untouched entries and unknown keys keep their bytes; again writes nothing")
    func schedulesModeRoundTrip() throws {
        try withFile(Self.original) { path in
            let report = try VercelConfig.apply(app: Self.camino, jobs: Self.jobs, path: path, dryRun: false)
            #expect(report.created == ["daily-dispatcher"])
            #expect(report.updated == ["voice-outbound"])
            #expect(Set(report.deleted) == ["retired", "/api/cron/daily-dispatcher"])
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let expected = """
                {
                    "$schema": "https://openapi.vercel.sh/vercel.json",
                    "functions": {
                        "api/cleanup.ts": { "experimentalTriggers": [{ "type": "schedule/v1beta" }] }
                    },
                    "schedules": {
                        "cleanup": { "schedule": "0 * * * *", "timezone": "America/New_York", "jitter": 5, "function": "api/cleanup" },
                        "nightly": {"schedule":"0 3 * * *","path":"/api/cron/nightly","requestMethod":"GET"},
                        "voice-outbound": {
                            "schedule": "*/15 9-18 * * 1-6",
                            "timezone": "America/Mexico_City",
                            "jitter": 3,
                            "path": "/api/cron/voice-outbound",
                            "requestMethod": "POST",
                            "x-team": "voice"
                        },
                        "daily-dispatcher": {
                            "schedule": "0 14 * * *",
                            "path": "/api/cron/daily-dispatcher",
                            "requestMethod": "POST"
                        }
                    },
                    "regions": ["iad1"]
                }

                """
            #expect(text == expected)
            // Still JSON that Vercel reads as intended.
            let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect(root["crons"] == nil)
            let schedules = try #require(root["schedules"] as? [String: [String: Any]])
            #expect(schedules["daily-dispatcher"]?["requestMethod"] as? String == "POST")

            let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
            let again = try VercelConfig.apply(app: Self.camino, jobs: Self.jobs, path: path, dryRun: false)
            #expect(!again.plan.hasDrift && again.written == nil)
            #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == modified)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == expected)
        }
    }

    @Test("apply in crons mode writes crons and removes the path schedules; a function schedule and foreign keys stay")
    func cronsModeRoundTrip() throws {
        var app = Self.camino
        app.vercelMode = .crons
        let jobs = Self.jobs.map { job -> Job in
            var job = job
            job.method = .GET
            job.timezone = "UTC"
            job.jitter = nil
            return job
        }
        try withFile(Self.original) { path in
            let plan = try VercelConfig.plan(app: app, jobs: jobs, text: Self.original, file: path)
            let byID = Dictionary(plan.items.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            #expect(byID["nightly"]?.action == .delete && byID["voice-outbound"]?.action == .delete)
            #expect(byID["cleanup"]?.action == .ignored)
            _ = try VercelConfig.apply(app: app, jobs: jobs, path: path, dryRun: false)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let expected = """
                {
                    "$schema": "https://openapi.vercel.sh/vercel.json",
                    "functions": {
                        "api/cleanup.ts": { "experimentalTriggers": [{ "type": "schedule/v1beta" }] }
                    },
                    "crons": [
                        {
                            "path": "/api/cron/daily-dispatcher",
                            "schedule": "0 14 * * *"
                        },
                        {
                            "path": "/api/cron/voice-outbound",
                            "schedule": "*/15 9-18 * * 1-6"
                        },
                        {
                            "path": "/api/cron/nightly",
                            "schedule": "0 3 * * *"
                        }
                    ],
                    "schedules": {
                        "cleanup": { "schedule": "0 * * * *", "timezone": "America/New_York", "jitter": 5, "function": "api/cleanup" }
                    },
                    "regions": ["iad1"]
                }

                """
            #expect(text == expected)
            let again = try VercelConfig.apply(app: app, jobs: jobs, path: path, dryRun: false)
            #expect(!again.plan.hasDrift && again.written == nil)
        }
    }

    @Test("with only path schedules, crons mode removes the schedules key, and schedules mode the crons key")
    func removingKeys() throws {
        let onlyPathSchedules = """
            {"name": "camino", "schedules": {"nightly": {"schedule": "0 3 * * *", "path": "/api/cron/nightly"}}, "regions": ["iad1"]}
            """
        var crons = Self.camino
        crons.vercelMode = .crons
        let nightly = [Job(app: "camino", name: "nightly", path: "/api/cron/nightly", method: .GET, layer: .vercel, schedule: "0 3 * * *")]
        let back = try VercelConfig.rewrite(text: onlyPathSchedules, app: crons, jobs: nightly, file: "vercel.json")
        #expect(back == """
            {"name": "camino", "regions": ["iad1"], "crons": [
              {
                "path": "/api/cron/nightly",
                "schedule": "0 3 * * *"
              }
            ]}
            """)
        // And forward again: schedules mode drops the crons key whatever its place.
        let forward = try VercelConfig.rewrite(text: back, app: Self.camino, jobs: nightly, file: "vercel.json")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(forward.utf8)) as? [String: Any])
        #expect(root["crons"] == nil && root["name"] as? String == "camino" && root["regions"] as? [String] == ["iad1"])
        #expect((root["schedules"] as? [String: Any])?["nightly"] != nil)
        #expect(forward.hasPrefix("{\"name\": \"camino\", \"regions\": [\"iad1\"], \"schedules\": {"))
    }

    @Test("removing a key keeps the rest of the object byte for byte, wherever the key is")
    func removingKeyPositions() throws {
        #expect(try JSONTopLevelText.removing(key: "a", in: #"{"a": 1, "b": 2}"#) == #"{"b": 2}"#)
        #expect(try JSONTopLevelText.removing(key: "b", in: #"{"a": 1, "b": 2, "c": [3]}"#) == #"{"a": 1, "c": [3]}"#)
        #expect(try JSONTopLevelText.removing(key: "c", in: "{\n  \"a\": 1,\n  \"c\": [3]\n}\n") == "{\n  \"a\": 1\n}\n")
        #expect(try JSONTopLevelText.removing(key: "a", in: "{\n  \"a\": 1\n}\n") == "{}\n")
        #expect(try JSONTopLevelText.removing(key: "zz", in: #"{"a": 1}"#) == #"{"a": 1}"#)
    }

    @Test("no file: schedules mode creates one holding only schedules")
    func newFile() throws {
        try withFile(nil) { path in
            let report = try VercelConfig.apply(app: Self.camino, jobs: Self.jobs, path: path, dryRun: false)
            #expect(report.written == path)
            let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
            #expect(Array(root.keys) == ["schedules"])
            #expect((root["schedules"] as? [String: Any])?.keys.sorted() == ["daily-dispatcher", "nightly", "voice-outbound"])
        }
    }

    @Test("what Vercel Schedules refuses is refused, with nothing written: PUT, jitter out of 1–15, Hobby more than daily")
    func refusals() throws {
        var hobby = Self.camino
        hobby.vercelPlan = .hobby
        let jobs = [
            Job(app: "camino", name: "put", path: "/api/cron/put", method: .PUT, layer: .vercel, schedule: "0 1 * * *"),
            Job(app: "camino", name: "jumpy", path: "/api/cron/jumpy", method: .POST, layer: .vercel, schedule: "0 2 * * *", jitter: 20),
            Job(app: "camino", name: "often", path: "/api/cron/often", method: .GET, layer: .vercel, schedule: "*/30 * * * *"),
            Job(app: "camino", name: "post", path: "/api/cron/post", method: .POST, layer: .vercel, schedule: "0 3 * * *",
                timezone: "America/Mexico_City"),
        ]
        let plan = try VercelConfig.plan(app: hobby, jobs: jobs, text: nil, file: "vercel.json")
        #expect(Set(plan.issues.filter { $0.severity == .error }.compactMap(\.job)) == ["camino/put", "camino/jumpy", "camino/often"])
        let after: String = try withFile(Self.original) { path throws -> String in
            #expect(throws: VercelJSONError.self) { try VercelConfig.apply(app: hobby, jobs: jobs, path: path, dryRun: false) }
            return try String(contentsOfFile: path, encoding: .utf8)
        }
        #expect(after == Self.original)
    }

    @Test("a schedules value that is not an object of named entries is refused with a sentence")
    func malformed() {
        for text in [#"{"schedules": []}"#, #"{"schedules": {"a": 1}}"#, #"{"schedules": {"a": {"path": "/x"}}}"#] {
            #expect(throws: VercelJSONError.self) { try VercelConfig.plan(app: Self.camino, jobs: Self.jobs, text: text, file: "f") }
        }
    }

    @Test("list schedules --remote reads both keys: schedules attributed by name and path, function targets foreign")
    func remote() throws {
        let report = try VercelCrons.remote(app: Self.camino, jobs: Self.jobs, text: Self.original, file: "vercel.json")
        #expect(report.mode == .schedules)
        #expect(report.crons.map(\.job) == ["camino/daily-dispatcher"])
        #expect(report.schedules.map(\.name) == ["cleanup", "nightly", "voice-outbound", "retired"])
        #expect(report.schedules.map(\.job) == [nil, "camino/nightly", "camino/voice-outbound", nil])
        #expect(report.schedules.first?.target == "function" && report.schedules.first?.jitter == 5)
    }
}
