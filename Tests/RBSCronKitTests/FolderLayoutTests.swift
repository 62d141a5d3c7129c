import Foundation
import Testing

/// The folders of RBSCronKit depend on each other in layers, never in a loop, so a newcomer can read them bottom
/// up and find each behaviour by its folder's name. A folder "uses" another when its code names a type declared
/// there; this test reads the sources and checks every such use against the layering below.
@Suite("RBSCronKit's folders form layers without loops")
struct FolderLayoutTests {
    /// Each folder and the folders it may use. Lower layers first.
    static let allowed: [String: Set<String>] = [
        "Support": [],
        "Cron": ["Support"],
        "Model": ["Support", "Cron"],
        "HTTP": ["Support", "Model"],
        "Secrets": ["Support", "Model"],
        "Auth": ["Support", "Secrets"],
        "Store": ["Support", "Model", "Secrets"],
        "Inventory": ["Support", "Cron", "Model"],
        "Schedule": ["Support", "Cron", "Model", "Inventory"],
        "Evidence": ["Support", "Cron", "Model"],
        "Layers": ["Support", "HTTP", "Cron", "Model", "Secrets", "Store", "Inventory", "Schedule"],
        "Runs": ["Support", "HTTP", "Cron", "Model", "Secrets", "Auth", "Store", "Inventory", "Evidence"],
        "Health": ["Support", "HTTP", "Cron", "Model", "Secrets", "Store", "Inventory", "Layers"],
        "Stats": ["Support", "Cron", "Model", "Store", "Inventory", "Evidence"],
        "Audit": ["Support", "HTTP", "Model", "Secrets", "Auth", "Store", "Inventory"],
        "Alerts": ["Support", "HTTP", "Cron", "Model", "Secrets", "Store", "Inventory", "Layers", "Runs", "Health", "Stats",
                   "Evidence", "Audit"],
        "Workspace": ["Support", "HTTP", "Cron", "Model", "Secrets", "Auth", "Store", "Inventory", "Schedule", "Layers",
                      "Runs", "Health", "Stats", "Audit", "Alerts", "Evidence"],
    ]

    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/RBSCronKit")

    /// Folder → Swift sources (comments removed).
    static func read() throws -> [String: [String]] {
        var byFolder: [String: [String]] = [:]
        let enumerator = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let folder = url.deletingLastPathComponent().path.replacingOccurrences(of: sources.path + "/", with: "")
                .split(separator: "/").first.map(String.init) ?? ""
            let text = try String(contentsOf: url, encoding: .utf8).replacing(/\/\/[^\n]*/, with: "")
            byFolder[folder, default: []].append(text)
        }
        return byFolder
    }

    /// For each folder, the folders whose types it names (with one type as the example).
    static func uses(_ byFolder: [String: [String]]) -> [String: [String: String]] {
        var declaredIn: [String: String] = [:]
        for (folder, texts) in byFolder {
            for text in texts {
                for match in text.matches(of: /(?m)^(?:public |internal |fileprivate |private )?(?:final )?(?:struct|enum|class|protocol|actor|typealias)\s+(\w+)/) {
                    declaredIn[String(match.output.1)] = folder
                }
            }
        }
        var uses: [String: [String: String]] = [:]
        for (folder, texts) in byFolder {
            let words = Set(texts.flatMap { $0.matches(of: /\b[A-Z][A-Za-z0-9]*\b/).map { String($0.output) } })
            for word in words.sorted() {
                guard let home = declaredIn[word], home != folder, uses[folder]?[home] == nil else { continue }
                uses[folder, default: [:]][home] = word
            }
        }
        return uses
    }

    @Test("every folder is in the layering, and uses only the folders below it")
    func layering() throws {
        let byFolder = try Self.read()
        #expect(Set(byFolder.keys) == Set(Self.allowed.keys), "a folder was added or removed: update the layering")
        for (folder, used) in Self.uses(byFolder).sorted(by: { $0.key < $1.key }) {
            for (other, example) in used.sorted(by: { $0.key < $1.key }) {
                #expect(Self.allowed[folder]?.contains(other) == true, "\(folder)/ uses \(other)/ (\(example))")
            }
        }
    }

    @Test("the layering itself has no loop")
    func noLoop() {
        var visiting: Set<String> = [], done: Set<String> = []
        func visit(_ folder: String) -> Bool {
            if done.contains(folder) { return true }
            if visiting.contains(folder) { return false }
            visiting.insert(folder)
            defer { visiting.remove(folder); done.insert(folder) }
            return (Self.allowed[folder] ?? []).allSatisfy(visit)
        }
        for folder in Self.allowed.keys.sorted() { #expect(visit(folder), "a loop through \(folder)") }
    }
}
