import Foundation
import Testing

/// `schedule next|timeline|check` through the built binary.
@Suite struct ScheduleCommandTests {
    @Test func nextPrintsTheContractJSON() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await rbs.run(["schedule", "next", "0 14 * * *", "--from", "2026-03-08T00:00:00Z", "--count", "3", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == """
            {
              "address" : null,
              "description" : "At 14:00",
              "dialect" : "vixie",
              "expression" : "0 14 * * *",
              "fires" : [
                "2026-03-08T14:00:00Z",
                "2026-03-09T14:00:00Z",
                "2026-03-10T14:00:00Z"
              ],
              "job" : null,
              "timezone" : "UTC",
              "via" : null
            }

            """)
        #expect(outcome.stderr.isEmpty)
    }

    @Test func nextShowsUTCAndTheZone() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await rbs.run(["schedule", "next", "0 8 * * 1-5", "--tz", "America/Mexico_City",
                                   "--from", "2026-03-06T00:00:00Z", "--count", "2"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("Fri 2026-03-06 14:00Z"))
        #expect(outcome.stdout.contains("Fri 2026-03-06 08:00 -06:00"))
        #expect(outcome.stdout.contains("Mon 2026-03-09 14:00Z"))
        #expect(outcome.stdout.contains("Monday through Friday"))
    }

    @Test func aBadExpressionIsAUsageErrorNamingFieldAndToken() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await rbs.run(["schedule", "next", "0 14 * * FRI-MON"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("rror: invalid cron expression '0 14 * * FRI-MON': day-of-week field:"))
        #expect(outcome.stderr.contains("FRI-MON"))
        #expect(outcome.stderr.contains("Usage: rbscron schedule next"))
        #expect(outcome.stdout.isEmpty)

        let vercel = try await rbs.run(["schedule", "next", "0 14 * * MON", "--dialect", "vercel"])
        #expect(vercel.status == 64)
        #expect(vercel.stderr.contains("day-of-week field: names such as 'MON' are not accepted by Vercel"))
    }

    @Test func badZoneTimeAndCountAreUsageErrors() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let zone = try await rbs.run(["schedule", "next", "0 14 * * *", "--tz", "Mars/Olympus"])
        #expect(zone.status == 64 && zone.stderr.contains("unknown time zone 'Mars/Olympus'"))
        let time = try await rbs.run(["schedule", "next", "0 14 * * *", "--from", "yesterday"])
        #expect(time.status == 64 && time.stderr.contains("'yesterday' is not an RFC 3339 time"))
        #expect(try await rbs.run(["schedule", "next", "0 14 * * *", "--count", "0"]).status == 64)
        #expect(try await rbs.run(["schedule", "next", "0 14 * * *", "--count", "1001"]).status == 64)
        #expect(try await rbs.run(["schedule", "next", "0 14 * * *", "--dialect", "quartz"]).status == 64)
        #expect(try await rbs.run(["schedule", "timeline", "--hours", "0"]).status == 64)
    }

    @Test func nextOfAJobUsesItsLayerAndZone() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await rbs.run(["schedule", "next", "camino/voice-outbound", "--from", "2026-04-11T00:50:00Z", "--count", "2", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        #expect(json["job"] as? String == "camino/voice-outbound")
        #expect(json["dialect"] as? String == "pg_cron")
        #expect(json["timezone"] as? String == "America/Mexico_City")
        #expect(json["expression"] as? String == "*/15 9-18 * * 1-6")
        #expect(json["fires"] as? [String] == ["2026-04-11T15:00:00Z", "2026-04-11T15:15:00Z"])
        #expect(outcome.stderr.contains("pg_cron fires in UTC"))

        let human = try await rbs.run(["schedule", "next", "camino/voice-outbound", "--from", "2026-04-11T00:50:00Z", "--count", "1"])
        #expect(human.stdout.contains("Sat 2026-04-11 09:00 -06:00"))

        let child = try #require(try await rbs.json(["schedule", "next", "la-hoja/dispatcher", "--count", "1", "--json"]) as? [String: Any])
        #expect(child["via"] as? String == "colectiva/ecosystem-heartbeat")

        let unknown = try await rbs.run(["schedule", "next", "camino/voice-outbond"])
        #expect(unknown.status == 1 && unknown.stderr.contains("Did you mean 'camino/voice-outbound'?"))
        let manual = try await rbs.run(["schedule", "next", "constanza/ecosystem-billing"])
        #expect(manual.status == 1 && manual.stderr.contains("is a manual job"))
        #expect(try await rbs.run(["schedule", "next", "camino/voice-outbound", "--dialect", "vercel"]).status == 64)
    }

    @Test func checkFindsTheAuditsGapsAndExits2WithExitCode() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let outcome = try await rbs.run(["schedule", "check", "--exit-code", "--json"])
        #expect(outcome.status == 2, "\(outcome.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        #expect(Set(json.keys) == ["findings", "counts", "apps_checked", "jobs_checked", "from"])
        let findings = try #require(json["findings"] as? [[String: String]])
        for finding in findings {
            #expect(Set(finding.keys) == ["severity", "job", "rule", "message", "fix"])
            #expect(["error", "warning", "info"].contains(finding["severity"] ?? ""))
        }
        let post = findings.first { $0["rule"] == "vercel.method-get" }
        #expect(post?["job"] == "camino/daily-dispatcher" && post?["severity"] == "error")
        let fanout = findings.filter { $0["rule"] == "fanout.cross-app" }.compactMap { $0["job"] }
        #expect(fanout == ["agora/keep-alive", "la-hoja/dispatcher", "servilleta/expire-tasks"])
        #expect(findings.filter { $0["rule"] == "fanout.cross-app" }.allSatisfy { $0["message"]?.contains("colectiva/ecosystem-heartbeat") == true })

        let human = try await rbs.run(["schedule", "check"])
        #expect(human.status == 0)
        #expect(human.stdout.contains("ERRORS ("))
        #expect(human.stdout.contains("camino/daily-dispatcher  [vercel.method-get]"))
        #expect(human.stdout.contains("WARNINGS ("))

        let camino = try await rbs.run(["schedule", "check", "--app", "camino", "--exit-code"])
        #expect(camino.status == 2)
        #expect(!camino.stdout.contains("agora/"))
        let constanza = try await rbs.run(["schedule", "check", "--app", "constanza", "--exit-code"])
        #expect(constanza.status == 0, "\(constanza.stdout)")
        let typo = try await rbs.run(["schedule", "check", "--app", "camno"])
        #expect(typo.status == 1 && typo.stderr.contains("Did you mean 'camino'?"))
    }

    @Test func timelineJSONAndPicture() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let json = try #require(try await rbs.json(["schedule", "timeline", "--from", "2026-04-10T00:00:00Z", "--json"]) as? [String: Any])
        #expect(Set(json.keys) == ["from", "to", "timezone", "burst_threshold", "fires", "bursts", "heat", "skipped"])
        let fires = try #require(json["fires"] as? [[String: Any]])
        let children = fires.filter { $0["triggered_by"] as? String == "camino/daily-dispatcher" }
        #expect(children.count == 18 && children.allSatisfy { $0["at"] as? String == "2026-04-10T14:00:00Z" })
        #expect(fires.filter { $0["job"] as? String == "colectiva/ecosystem-heartbeat" }.count == 48)
        let bursts = try #require(json["bursts"] as? [[String: Any]])
        #expect(bursts.contains { $0["kind"] as? String == "app" && $0["key"] as? String == "camino" && $0["minute"] as? String == "2026-04-10T14:00:00Z" })
        let heat = try #require(json["heat"] as? [[String: Any]])
        #expect(heat.count == 11 && heat.allSatisfy { ($0["hours"] as? [Int])?.count == 24 })

        let human = try await rbs.run(["schedule", "timeline", "--from", "2026-04-10T00:00:00Z", "--tz", "America/Mexico_City", "--app", "agora"])
        #expect(human.status == 0, "\(human.stderr)")
        #expect(human.stdout.contains("00 03 06 09 12 15 18 21"))
        #expect(human.stdout.contains("↳ agora/keep-alive"))
        #expect(human.stdout.contains("fan-out #1 of colectiva/ecosystem-heartbeat"))
        // One cell per hour: the heartbeat's two calls an hour, more where the keep-alive adds one.
        let strip = try #require(human.stdout.split(separator: "\n").first { $0.hasPrefix("agora ") })
        let cells = strip.dropFirst(12).prefix(24)
        #expect(cells.count == 24 && cells.allSatisfy { "·▁▂▃▄▅▆▇█".contains($0) }, "\(strip)")
        #expect(cells.filter { $0 == "▂" }.count >= 22)
        let agoraHeat = try #require(heat.first { $0["app"] as? String == "agora" })
        #expect(strip.hasSuffix("  \(agoraHeat["total"] as? Int ?? -1)"))
    }

    @Test func everyScheduleSubcommandHasExamplesInItsHelp() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        for sub in [["schedule"], ["schedule", "next"], ["schedule", "timeline"], ["schedule", "check"]] {
            let outcome = try await rbs.run(sub + ["--help"], useDB: false)
            #expect(outcome.status == 0)
            #expect(outcome.stdout.contains("Examples:"), "\(sub) --help")
        }
    }
}
