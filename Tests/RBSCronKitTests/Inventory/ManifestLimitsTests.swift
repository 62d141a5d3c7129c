import Foundation
import Testing
@testable import RBSCronKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A manifest is outside input: its size and the work its YAML aliases make are bounded before anything is built
/// from it, and the bound is reported with file and line.
@Suite("Manifest size and alias bounds")
struct ManifestLimitsTests {
    /// An app alias repeated, its jobs a job alias repeated, each job's `depends_on` an alias of a long list: a
    /// few hundred bytes that a decoder walking every alias turns into `apps × jobs × deps` values.
    static func walkedAliasBomb(apps: Int, jobs: Int, deps: Int) -> String {
        let depItems = Array(repeating: "shop/nightly", count: deps).joined(separator: ", ")
        let jobList = Array(repeating: "*j", count: jobs).joined(separator: ", ")
        let appList = Array(repeating: "*a", count: apps).joined(separator: ", ")
        return """
            version: 1
            anchors:
              deps: &d [\(depItems)]
              job: &j {name: nightly, path: /api/cron/nightly, layer: manual, depends_on: *d}
              app: &a {name: shop, base_url: https://shop.example.com, platform: vercel, jobs: [\(jobList)]}
            apps: [\(appList)]

            """
    }

    @Test("an alias bomb is refused quickly, with the bound, the file and a line")
    func aliasBombRefused() throws {
        // 100 apps × 100 jobs × 20 deps: 200,000 values once expanded, from under 2 KB of text.
        let yaml = Self.walkedAliasBomb(apps: 100, jobs: 100, deps: 20)
        #expect(yaml.utf8.count < 2_000)
        let error = try #require(throws: ManifestError.self) { try Manifest.load(yaml: yaml, file: "bomb.yaml") }
        let issue = try #require(error.issues.first)
        #expect(error.issues.count == 1)
        #expect(issue.file == "bomb.yaml")
        #expect(issue.line != nil)
        #expect(issue.message.contains("alias"))
        #expect(issue.description.hasPrefix("bomb.yaml:"))
    }

    @Test("aliases that expand within the bound still load")
    func modestAliasesLoad() throws {
        let yaml = """
            version: 1
            apps:
              - name: shop
                base_url: https://shop.example.com
                platform: vercel
                health: &h {path: /health, method: GET, expect: 200}
                jobs:
                  - {name: a, path: /a, layer: manual}
              - name: shelf
                base_url: https://shelf.example.com
                platform: vercel
                health: *h
                jobs: []
            """
        let inventory = try Manifest.load(yaml: yaml, file: "ok.yaml")
        #expect(inventory.apps.map(\.health.path) == ["/health", "/health"])
    }

    @Test("the fuzzer's alias seeds are refused at the bound; its dense seed is not", arguments: [
        ("alias-bomb.yaml", true), ("nested-aliases.yaml", true), ("dense-values.yaml", false),
    ])
    func fuzzSeeds(file: String, refused: Bool) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("fuzz/corpus/manifest/\(file)"), encoding: .utf8)
        let issues: [ManifestIssue]
        do {
            _ = try Manifest.load(yaml: text, file: file)
            issues = []
        } catch {
            issues = error.issues
        }
        #expect(issues.contains { $0.message.contains("aliases") } == refused, "\(issues.prefix(3))")
    }

    @Test("a manifest larger than the bound is refused before it is parsed")
    func sizeBound() throws {
        let yaml = "version: 1\napps: []\n" + String(repeating: "#", count: Manifest.Limits.maximumBytes)
        let error = try #require(throws: ManifestError.self) { try Manifest.load(yaml: yaml, file: "big.yaml") }
        #expect(error.issues.first?.message.contains("MiB") == true)
        #expect(error.issues.first?.description.hasPrefix("big.yaml:") == true)
    }

    @Test("reading input stops at the bound: /dev/zero is too large, not 'permission denied'")
    func boundedRead() throws {
        #expect { try InputFile.read("/dev/zero", limit: 1 << 20) } throws: { error in
            let text = error.localizedDescription
            return text.contains("/dev/zero") && text.contains("larger than 1 MiB") && !text.contains("permission")
        }
        #expect { try InputFile.read("/no/such/manifest.yaml", limit: 1 << 20) } throws: { error in
            error.localizedDescription.contains("No such file") && !error.localizedDescription.contains("NSCocoaErrorDomain")
        }
        #expect { try InputFile.read("/tmp", limit: 1 << 20) } throws: { error in
            error.localizedDescription.contains("folder")
        }
    }

    @Test("a FIFO is read to its end like a file, not refused as 'permission denied'")
    func fifoRead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("manifest.fifo").path
        #expect(mkfifo(path, 0o600) == 0)
        let text = "version: 1\napps: []\n"
        // The writer opens the other end once the reader has; it gets a thread of its own since open() blocks.
        Thread.detachNewThread {
            let fd = open(path, O_WRONLY)
            guard fd >= 0 else { return }
            _ = text.withCString { write(fd, $0, strlen($0)) }
            close(fd)
        }
        let data = try InputFile.read(path, limit: 1 << 20)
        #expect(String(decoding: data, as: UTF8.self) == text)
    }
}
