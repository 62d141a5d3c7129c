import Foundation
import Testing
@testable import RBSCronKit

/// Text a manifest carries into requests, SQL and terminals is checked at import, where file and line are known,
/// not when a run or a migration meets it.
@Suite("Manifest text fields: control characters and project refs")
struct ManifestTextRulesTests {
    static func manifest(path: String = "/api/cron/nightly", healthPath: String = "/", displayName: String = "Shop",
                         projectRef: String = "abcdefghijklmnopqrst", sql: String? = nil) -> String {
        func quoted(_ s: String) -> String {
            // YAML double-quoted escapes for every control character.
            var out = "\""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                default:
                    if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                        out += String(format: "\\x%02X", scalar.value)
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out + "\""
        }
        let job = sql.map { "{name: nightly, sql: \(quoted($0)), layer: pg_cron, schedule: \"0 3 * * *\"}" }
            ?? "{name: nightly, path: \(quoted(path)), layer: vercel, schedule: \"0 3 * * *\"}"
        return """
            version: 1
            apps:
              - name: shop
                display_name: \(quoted(displayName))
                base_url: https://shop.example.com
                platform: vercel
                health: {path: \(quoted(healthPath))}
                supabase: {url: "https://abcdefghijklmnopqrst.supabase.co", project_ref: \(quoted(projectRef))}
                jobs:
                  - \(job)
            """
    }

    func issues(_ yaml: String) -> [ManifestIssue] {
        do {
            _ = try Manifest.load(yaml: yaml, file: "m.yaml")
            return []
        } catch {
            return error.issues
        }
    }

    @Test("the baseline manifest loads")
    func baseline() throws {
        #expect(issues(Self.manifest()).isEmpty)
        #expect(issues(Self.manifest(sql: "SELECT 1;\n\tSELECT 2;")).isEmpty, "SQL may span lines and use tabs")
    }

    @Test("a NUL, CR/LF, DEL or other control character in a job path is refused at import, with its line",
          arguments: ["/echo\u{0}/../x", "/x\r\nX-Injected: 1", "/x\u{1}\u{7F}", "/x\u{1B}[2J", "/x\u{85}"])
    func jobPath(path: String) throws {
        let found = issues(Self.manifest(path: path))
        let issue = try #require(found.first { $0.field == "apps[0].jobs[0].path" }, "accepted \(path.debugDescription)")
        #expect(issue.line == 10)
        #expect(issue.message.contains("control character"))
        #expect(!issue.message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "the message quotes it escaped")
    }

    @Test("a control character in health.path is refused at import", arguments: ["/health\r\nX: y", "/h\u{0}", "/h\u{7F}"])
    func healthPath(path: String) throws {
        let found = issues(Self.manifest(healthPath: path))
        #expect(found.contains { $0.field == "apps[0].health.path" && $0.message.contains("control character") },
                "accepted \(path.debugDescription)")
    }

    @Test("a display_name with an escape sequence is refused", arguments: ["Shop\u{1B}]0;pwned\u{7}", "Shop\u{1B}[2J", "Sh\u{0}op"])
    func displayName(name: String) throws {
        let found = issues(Self.manifest(displayName: name))
        #expect(found.contains { $0.field == "apps[0].display_name" && $0.message.contains("control character") })
    }

    @Test("a project_ref must be letters, digits, - or _", arguments: ["abc\u{1B}[2Jdef", "abc def", "abc/../x", "abc';--", ""])
    func projectRef(ref: String) throws {
        let found = issues(Self.manifest(projectRef: ref))
        #expect(found.contains { $0.field == "apps[0].supabase.project_ref" }, "accepted \(ref.debugDescription)")
    }

    @Test("SQL keeps newlines and tabs but no other control character", arguments: ["SELECT 1\u{0}", "SELECT '\u{1B}[2J'"])
    func sqlText(sql: String) throws {
        let found = issues(Self.manifest(sql: sql))
        #expect(found.contains { $0.field == "apps[0].jobs[0].sql" })
    }
}
