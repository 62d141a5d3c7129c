import Foundation
import RBSCronTestSupport
import Testing

/// The man pages, the help they are made from, and the README's Configuration table.
@Suite struct DocumentationTests {
    static let root = RBSCronProcess.repositoryRoot

    static func manPages() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: root.appendingPathComponent("man"), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "1" }.sorted { $0.path < $1.path }
    }

    @Test("the help is ASCII: the man page generator drops every other character (it printed 1-744 as 1744)")
    func helpIsASCII() async throws {
        let dump = try await runTool(RBSCronProcess.binary.path, ["--experimental-dump-help"])
        #expect(dump.status == 0)
        let text = dump.text
        let offending = text.split(separator: "\n").filter { $0.unicodeScalars.contains { !$0.isASCII } }
        #expect(offending.isEmpty, "non-ASCII help text:\n\(offending.prefix(10).joined(separator: "\n"))")
    }

    @Test("the man pages print the numbers and defaults the help gives")
    func manPagesKeepNumbersAndDefaults() throws {
        func page(_ name: String) throws -> String {
            try String(contentsOf: Self.root.appendingPathComponent("man/\(name)"), encoding: .utf8)
        }
        let trigger = try page("rbscron.trigger.1")
        #expect(trigger.contains("Attempts after the first, 0 to 10"))
        #expect(trigger.contains("(default: 500ms)") && trigger.contains("(default: 30m)"))
        #expect(try page("rbscron.schedule.timeline.1").contains("Window length in hours, 1 to 744"))
        #expect(try page("rbscron.health-check.1").contains("(1 to 1000)"))
        #expect(!trigger.contains("1744") && !trigger.contains("010 "))
    }

    @Test("every man page has ENVIRONMENT, FILES and an EXIT STATUS listing 0, 1, 2 and 64")
    func manPagesHaveTheOperatorSections() throws {
        let pages = try Self.manPages()
        #expect(pages.count > 40)
        for url in pages {
            let text = try String(contentsOf: url, encoding: .utf8)
            let name = url.lastPathComponent
            #expect(text.contains(".Sh ENVIRONMENT\n") && text.contains(".It Ev RBSCRON_MASTER_KEY"), "\(name)")
            #expect(text.contains(".Sh FILES\n") && text.contains(".It Pa $XDG_CONFIG_HOME/rbscron/master.key"), "\(name)")
            #expect(text.contains(".Sh \"EXIT STATUS\"\n"), "\(name)")
            for code in ["0", "1", "2", "64"] { #expect(text.contains("\n.It \(code)\n"), "\(name): exit \(code)") }
            #expect(!text.contains(".Ex -std"), "\(name): the generic exit status is replaced")
        }
    }

    @Test("man --warnings -l is silent on every page", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/man")))
    func manPagesRenderWithoutWarnings() async throws {
        for url in try Self.manPages() {
            let rendered = try await runTool("/usr/bin/man", ["--warnings", "-l", url.path], environment: ["MANWIDTH": "80", "PATH": "/usr/bin:/bin"])
            #expect(rendered.status == 0, "\(url.lastPathComponent)")
            #expect(rendered.errorText.isEmpty, "\(url.lastPathComponent): \(rendered.errorText.prefix(300))")
        }
    }

    /// Every environment variable the sources read: `environment["X"]`, `env["X"]` and `value("X", …)` lookups, the
    /// names the code keeps as constants, and the C shim's `getenv("X")`.
    static func variablesRead() throws -> Set<String> {
        var names = Set<String>()
        let patterns = [#"(?:environment|env)\[\s*"([A-Z][A-Z0-9_]+)"\s*\]"#, #"value\("([A-Z][A-Z0-9_]+)""#,
                        #"environmentVariable = "([A-Z][A-Z0-9_]+)""#, #"getenv\("([A-Z][A-Z0-9_]+)"\)"#]
        let enumerator = FileManager.default.enumerator(at: root.appendingPathComponent("Sources"), includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift" || url.pathExtension == "c" else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            for pattern in patterns {
                let regex = try NSRegularExpression(pattern: pattern)
                for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    if let range = Range(match.range(at: 1), in: text) { names.insert(String(text[range])) }
                }
            }
        }
        return names
    }

    @Test("the README's Configuration table names every environment variable rbscron reads")
    func configurationTableIsComplete() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "<!-- environment:start -->"))
        let end = try #require(readme.range(of: "<!-- environment:end -->"))
        let table = String(readme[start.upperBound..<end.lowerBound])
        let read = try Self.variablesRead()
        #expect(read.isSuperset(of: ["RBSCRON_DB", "RBSCRON_MASTER_KEY", "QSTASH_URL", "SUPABASE_API_URL", "NO_COLOR", "CI",
                                     "RBSCRON_LIBCURL"]),
                "the scan found \(read.sorted())")
        for name in read.sorted() { #expect(table.contains("`\(name)`"), "\(name) is read but not in the Configuration table") }
        #expect(table.contains("`RBSCRON_SECRET_<SCOPE>_<KEY>`"))
    }
}
