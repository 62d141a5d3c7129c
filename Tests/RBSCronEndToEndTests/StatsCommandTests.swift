import Foundation
import RBSCronTestSupport
import Testing

/// `stats` and `cleanup` through the built binary.
@Suite struct StatsCommandTests {
    /// Writes history rows into the inventory with Python's sqlite3 module (the E2E target does not link SQLite).
    func sql(_ rbs: RBSCronProcess, _ statements: String) async throws {
        let result = try await runTool("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.executescript(sys.argv[2])
            db.commit()
            """, rbs.db, statements])
        #expect(result.status == 0, "\(String(decoding: result.stderr, as: UTF8.self))")
    }

    static let nowMs = Int64(Date().timeIntervalSince1970 * 1000)

    @Test func statsJSONShape() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let report = try #require(try await rbs.json(["stats", "--json"]) as? [String: Any])
        #expect(Set(report.keys) == ["generated_at", "since", "fires_checked_until", "tolerance_ms", "apps", "jobs"])
        let jobs = try #require(report["jobs"] as? [[String: Any]])
        #expect(jobs.count == 69)
        let keys: Set<String> = ["app", "job", "address", "layer", "schedule", "enabled", "description", "runs", "successes", "failures",
                                 "skipped", "unknown", "success_rate", "p50_ms", "p95_ms", "max_ms", "last_success_at", "last_failure",
                                 "failure_streak", "observation", "observation_note", "observed_since", "expected_fires", "missed_fires",
                                 "last_missed_fire", "status", "fire_counts", "fires", "next_fire_at"]
        for job in jobs { #expect(Set(job.keys) == keys) }
        // Nothing ran: scheduled jobs are unobserved and grey, never green.
        #expect(jobs.allSatisfy { ($0["status"] as? String) == "grey" })
        let apps = try #require(report["apps"] as? [[String: Any]])
        #expect(apps.count == 11)
        #expect(Set(apps[0].keys) == ["app", "display_name", "checks", "uptime", "p95_latency_ms", "last_checked_at", "last_status", "status",
                                      "last_reason", "last_http_status", "overall_status", "dependents_affected"])
    }

    @Test func nextFireInJSONAndTable() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let before = Date()
        let report = try #require(try await rbs.json(["stats", "--app", "camino", "--json"]) as? [String: Any])
        let jobs = try #require(report["jobs"] as? [[String: Any]])
        func job(_ name: String) throws -> [String: Any] { try #require(jobs.first { $0["job"] as? String == name }) }
        // A daily Vercel job at 14:00 UTC: its next fire is within a day, on the hour.
        let text = try #require(try job("daily-dispatcher")["next_fire_at"] as? String)
        let next = try #require(ISO8601DateFormatter().date(from: text.replacingOccurrences(of: ".000Z", with: "Z")))
        #expect(next > before && next <= before.addingTimeInterval(86_400))
        #expect(text.contains("T14:00:00"))
        // A fan-out job fires when its parent does: no schedule, no next fire of its own; the key is there, null.
        let fanout = try job("expire-trials")
        #expect(fanout.keys.contains("next_fire_at"))
        #expect(fanout["next_fire_at"] is NSNull)
        let table = try await rbs.run(["stats", "--app", "camino", "-o", "wide"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("NEXT FIRE"))
        let line = try #require(table.stdout.split(separator: "\n").first { $0.contains("camino/daily-dispatcher ") })
        #expect(line.contains(text))
    }

    /// MISSED is a count (or `-` when fires cannot be counted); why they cannot is SEEN's, never MISSED's.
    @Test func missedIsACountAndSeenSaysWhy() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let table = try await rbs.run(["stats", "--app", "camino", "-o", "wide"])
        #expect(table.status == 0)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        func cells(_ line: String) -> [String] {
            line.split(separator: #/ {2,}/#).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let header = try #require(lines.first.map(cells))
        let missed = try #require(header.firstIndex(of: "MISSED"))
        #expect(header[missed + 1] == "SEEN")
        func row(_ job: String) throws -> [String] {
            try #require(lines.first { $0.contains("camino/\(job) ") }.map(cells))
        }
        // A Vercel cron with no project recorded: its fires are not seen, so none is counted as missed.
        #expect(try row("daily-dispatcher")[missed] == "-")
        #expect(try row("daily-dispatcher")[missed + 1] == "no")
        // A fan-out job has no schedule of its own.
        #expect(try row("expire-trials")[missed] == "-")
        #expect(try row("expire-trials")[missed + 1] == "no schedule")
        #expect(!table.stdout.contains("unobserved") && !table.stdout.contains("unscheduled"))
    }

    @Test func exitCodeFlagsAFailingJob() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        try await rbs.run(["list", "apps"])
        let t = Self.nowMs - 3_600_000
        try await sql(rbs, """
            INSERT INTO runs (app, job, source, started_at, finished_at, state, attempts, http_status, outcome, duration_ms, error)
            VALUES ('camino', 'voice-outbound', 'manual', \(t), \(t + 900), 'finished', 1, 503, 'http_error', 900, 'HTTP 503');
            """)
        let plain = try await rbs.run(["stats", "--app", "camino"])
        #expect(plain.status == 0)
        #expect(plain.stdout.contains("camino/voice-outbound"))
        #expect(plain.stdout.contains("http_error 503"))
        let failing = try await rbs.run(["stats", "--app", "camino", "--exit-code"])
        #expect(failing.status == 2)
        let other = try await rbs.run(["stats", "--app", "baul", "--exit-code"])
        #expect(other.status == 0)
        let one = try #require(try await rbs.json(["stats", "--job", "camino/voice-outbound", "--json"]) as? [String: Any])
        let job = try #require((one["jobs"] as? [[String: Any]])?.first)
        #expect(job["failure_streak"] as? Int == 1)
        #expect(job["status"] as? String == "red")
        #expect((job["last_failure"] as? [String: Any])?["http_status"] as? Int == 503)
    }

    @Test func usageErrors() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        #expect(try await rbs.run(["stats", "--since", "soon"]).status == 64)
        #expect(try await rbs.run(["cleanup", "--runs", "0d"]).status == 64)
        let unknown = try await rbs.run(["stats", "--app", "camin"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("camino"))
        #expect(try await rbs.run(["stats", "--help"]).stdout.contains("Examples:"))
        #expect(try await rbs.run(["cleanup", "--help"]).stdout.contains("Examples:"))
    }

    @Test func htmlWritesADashboard() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let file = rbs.home.appendingPathComponent("dash.html").path
        let outcome = try await rbs.run(["stats", "--html", file])
        #expect(outcome.status == 0)
        let html = try String(contentsOfFile: file, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("data-job=\"camino/voice-outbound\" data-status=\"grey\""))
        #expect(html.contains("class=\"attention\""))
    }

    @Test func cleanupDryRunCountsAndKeeps() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        try await rbs.run(["list", "apps"])
        let old = Self.nowMs - 100 * 86_400_000, recent = Self.nowMs - 86_400_000
        try await sql(rbs, """
            INSERT INTO runs (app, job, source, started_at, state, outcome) VALUES
              ('camino', 'voice-outbound', 'manual', \(old), 'finished', 'ok'),
              ('camino', 'voice-outbound', 'manual', \(recent), 'finished', 'ok');
            INSERT INTO health_checks (app, checked_at, status, method) VALUES ('camino', \(old), 'up', 'HEAD');
            """)
        let dry = try #require(try await rbs.json(["cleanup", "--dry-run", "--json"]) as? [String: Any])
        #expect(dry["dry_run"] as? Bool == true)
        #expect(dry["total"] as? Int == 2)
        let tables = try #require(dry["tables"] as? [[String: Any]])
        #expect(tables.map { $0["table"] as? String } == ["runs", "health_checks", "dead_letters", "keepalive_pings", "due_decisions", "alert_incidents",
                                                              "alert_silences", "audit_probes", "expired_previous_secrets"])
        #expect(tables.first?["rows"] as? Int == 1)
        let table = try await rbs.run(["cleanup", "--dry-run"])
        #expect(table.stdout.contains("would remove 2 rows"))
        let real = try await rbs.run(["cleanup", "--vacuum"])
        #expect(real.status == 0)
        #expect(real.stdout.contains("removed 2 rows; vacuumed"))
        let again = try #require(try await rbs.json(["cleanup", "--dry-run", "--json"]) as? [String: Any])
        #expect(again["total"] as? Int == 0)
    }
}
