import Foundation
import Testing
@testable import RBSCronKit

@Suite struct ManifestTests {
    static let minimal = """
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
                schedule: "0 3 * * *"
        """

    func problems(_ yaml: String) -> [ManifestIssue] {
        do {
            _ = try Manifest.load(yaml: yaml, file: "test.yaml")
            return []
        } catch {
            return error.issues
        }
    }

    @Test func loadsAMinimalManifestWithDefaults() throws {
        let inventory = try Manifest.load(yaml: Self.minimal, file: "test.yaml")
        let job = try #require(inventory.jobs.first)
        #expect(job.ref == JobRef(app: "shop", job: "nightly"))
        #expect(job.method == .POST && job.auth == .cronSecret && job.timezone == "UTC" && job.enabled)
        #expect(job.timeoutMs == 60_000)
        #expect(inventory.apps.first?.active == true)
    }

    @Test func renderThenLoadGivesTheSameInventory() throws {
        let original = try EmbeddedEcosystem.inventory()
        let again = try Manifest.load(yaml: Manifest.render(original), file: "export.yaml")
        #expect(again == original)
    }

    @Test func renderQuotesValuesYAMLWouldMisread() throws {
        var inventory = try Manifest.load(yaml: Self.minimal, file: "t.yaml")
        inventory.apps[0].notes = "yes: no # not a comment"
        inventory.jobs[0].description = "on"
        inventory.apps[0].displayName = "Baúl: \"quoted\""
        let again = try Manifest.load(yaml: Manifest.render(inventory), file: "t.yaml")
        #expect(again == inventory)
    }

    @Test func aBadCronFieldNamesFileLineAndField() {
        let yaml = Self.minimal.replacingOccurrences(of: "\"0 3 * * *\"", with: "\"0 3 * *\"")
        let issues = problems(yaml)
        #expect(issues.count == 1)
        #expect(issues.first?.field == "apps[0].jobs[0].schedule")
        #expect(issues.first?.line == 11)
        #expect(issues.first?.description.hasPrefix("test.yaml:11:") == true)
    }

    @Test func anUnknownLayerIsReportedWithASuggestion() {
        let issues = problems(Self.minimal.replacingOccurrences(of: "layer: vercel", with: "layer: vercell"))
        #expect(issues.first?.field == "apps[0].jobs[0].layer")
        #expect(issues.first?.line == 10)
        #expect(issues.first?.message.contains("did you mean 'vercel'") == true)
    }

    @Test func unknownAndDuplicateFields() {
        let typo = problems(Self.minimal.replacingOccurrences(of: "    schedule:", with: "    schedul:"))
        #expect(typo.contains { $0.message.contains("unknown field 'schedul'") && $0.message.contains("did you mean 'schedule'") })
        let twice = problems(Self.minimal + "\n        layer: qstash\n")
        #expect(twice.contains { $0.message.contains("appears twice") })
    }

    @Test func yamlSyntaxErrorsHaveALine() {
        let issues = problems("version: 1\napps:\n  - name: [unclosed\n")
        #expect(issues.first?.line != nil)
        #expect(issues.first?.message.hasPrefix("not valid YAML") == true)
    }

    @Test func semanticRules() {
        let cases: [(String, String, String)] = [
            ("base_url: https://shop.example.com", "base_url: ftp://shop.example.com", "only http and https"),
            ("path: /api/cron/nightly", "path: api/cron/nightly", "must start with '/'"),
            ("layer: vercel\n        schedule: \"0 3 * * *\"", "layer: manual\n        schedule: \"0 3 * * *\"", "has no schedule of its own"),
            ("layer: vercel\n        schedule: \"0 3 * * *\"", "layer: qstash", "needs a schedule"),
            ("name: nightly", "name: Nightly_Job", "is not a slug"),
            ("layer: vercel", "layer: vercel\n        timezone: Mars/Olympus", "not an IANA time zone"),
            ("layer: vercel", "layer: vercel\n        timeout: 5 minutes", "not a duration"),
            ("layer: vercel", "layer: vercel\n        retries: 99", "out of range"),
            ("layer: vercel\n        schedule: \"0 3 * * *\"", "layer: fanout", "names the job that fans out"),
            ("layer: vercel", "layer: vercel\n        depends_on: [shop/missing]", "is not a job of this manifest"),
        ]
        for (from, to, expected) in cases {
            let yaml = Self.minimal.replacingOccurrences(of: from, with: to)
            #expect(yaml != Self.minimal, "case \(to) did not apply")
            let issues = problems(yaml)
            #expect(issues.contains { $0.message.contains(expected) }, "expected '\(expected)' in \(issues)")
            #expect(issues.allSatisfy { $0.line != nil }, "every problem is located: \(issues)")
        }
    }

    @Test func triggeredByMustPointToAnExistingJobAndNotLoop() {
        let yaml = """
            version: 1
            apps:
              - name: a
                display_name: A
                base_url: https://a.example.com
                platform: other
                jobs:
                  - {name: x, path: /x, layer: fanout, triggered_by: a/y}
                  - {name: y, path: /y, layer: fanout, triggered_by: a/x}
                  - {name: z, path: /z, layer: fanout, triggered_by: a/nope}
            """
        let issues = problems(yaml)
        #expect(issues.contains { $0.message.contains("loops back") })
        #expect(issues.contains { $0.field == "apps[0].jobs[2].triggered_by" && $0.message.contains("'a/nope'") })
    }

    @Test func dependencyCyclesAreRefused() {
        let yaml = """
            version: 1
            apps:
              - name: a
                display_name: A
                base_url: https://a.example.com
                platform: other
                jobs:
                  - {name: x, path: /x, layer: manual, depends_on: [a/y]}
                  - {name: y, path: /y, layer: manual, depends_on: [a/x]}
            """
        #expect(problems(yaml).contains { $0.message.contains("dependency cycle") })
    }

    @Test func sqlJobsAreOnlyForPgCron() {
        let yaml = Self.minimal.replacingOccurrences(of: "path: /api/cron/nightly", with: "sql: SELECT 1")
        #expect(problems(yaml).contains { $0.message.contains("only pg_cron jobs run SQL") })
    }

    @Test func allProblemsAreReportedAtOnce() {
        let yaml = Self.minimal
            .replacingOccurrences(of: "path: /api/cron/nightly", with: "path: nightly")
            .replacingOccurrences(of: "\"0 3 * * *\"", with: "\"61 3 * * *\"")
        #expect(problems(yaml).count >= 2)
    }
}
