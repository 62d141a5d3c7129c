import ArgumentParser
import Foundation
import RBSCronKit

/// Shell completion of app and job names, read from the inventory the command line names.
///
/// Completion never creates or seeds a file: when the inventory does not exist yet, the names
/// come from the embedded ecosystem it would be seeded with. Any failure completes nothing.
enum InventoryCompletion {
    static let apps = CompletionKind.custom { words, _, prefix in names(words, prefix) { $0.apps.map(\.name) } }
    static let jobs = CompletionKind.custom { words, _, prefix in names(words, prefix) { $0.jobs.map(\.ref.description) } }
    static let scopes = CompletionKind.custom { words, _, prefix in
        names(words, prefix) { [SecretKeys.globalScope] + $0.apps.map(\.name) }
    }

    static func names(_ words: [String], _ prefix: String, _ pick: (Inventory) -> [String]) -> [String] {
        guard let inventory = inventory(for: words) else { return [] }
        return pick(inventory).filter { $0.hasPrefix(prefix) }
    }

    /// The inventory at `--db` (or the default path); the embedded one when that file does not exist.
    static func inventory(for words: [String]) -> Inventory? {
        let path = databasePath(in: words)
        guard FileManager.default.fileExists(atPath: path) else { return try? EmbeddedEcosystem.inventory() }
        return try? InventoryStore.open(path: path, readOnly: true).inventory()
    }

    static func databasePath(in words: [String]) -> String {
        if let i = words.firstIndex(of: "--db"), i + 1 < words.count { return words[i + 1] }
        if let word = words.first(where: { $0.hasPrefix("--db=") }) { return String(word.dropFirst("--db=".count)) }
        return StorePaths.defaultDatabasePath(environment: ProcessInfo.processInfo.environment)
    }
}
