import ArgumentParser
import Foundation

/// A mistyped subcommand (`rbscron trigerr`, `rbscron help trigerr`, `rbscron schedule nxt`): the closest command
/// named, exit 64, before ArgumentParser would call it an unexpected argument or print the top-level help.
enum CommandSuggestion {
    /// Options of the group commands that take a value (the words after them are not commands).
    static let optionsWithValues: Set<String> = ["--db", "--color", "--generate-completion-script"]

    /// The error text for the first word that should name a subcommand and does not; nil when the words are fine.
    static func problem(in arguments: [String], root: any ParsableCommand.Type) -> String? {
        var command = root
        var path = [name(of: root)]
        var words = arguments[...]
        // `rbscron help a b` names the command `a b`.
        if words.first == "help" { words = words.dropFirst() }
        while let word = words.first {
            words = words.dropFirst()
            if word == "--" { return nil }
            if word.hasPrefix("-") {
                if optionsWithValues.contains(word) { words = words.dropFirst() }
                continue
            }
            let subcommands = command.configuration.subcommands
            // A leaf takes positional arguments; a group with a default subcommand hands it unknown words.
            guard !subcommands.isEmpty, command.configuration.defaultSubcommand == nil else { return nil }
            if let next = subcommands.first(where: { names(of: $0).contains(word) }) {
                command = next
                path.append(name(of: next))
                continue
            }
            if word == "help" { continue }
            let candidates = subcommands.map(name(of:))
            let scored: [(name: String, distance: Int)] = candidates.map { (name: $0, distance: distance(word, $0)) }
                .sorted { (a: (name: String, distance: Int), b: (name: String, distance: Int)) -> Bool in
                    a.distance != b.distance ? a.distance < b.distance : a.name < b.name
                }
            let prefixed = candidates.filter { $0.hasPrefix(word) || word.hasPrefix($0) }
            var text = "Error: '\(word)' is not a command of '\(path.joined(separator: " "))'."
            if let best = scored.first, best.distance <= max(2, word.count / 3) {
                text += " Did you mean '\(best.name)'?"
            } else if prefixed.count == 1 {
                text += " Did you mean '\(prefixed[0])'?"
            } else {
                text += " Its commands: \(candidates.joined(separator: ", "))."
            }
            return text + "\nSee '\(path.joined(separator: " ")) --help'.\n"
        }
        return nil
    }

    /// Options that take one value everywhere: given twice, ArgumentParser would keep the last one silently.
    static let singleValued = ["--app", "--layer", "--db", "--project", "--color", "--output", "-o"]

    /// The error text for a single-valued option given more than once (`--app a --app b`); nil when none is.
    static func repeatedOption(in arguments: [String]) -> String? {
        var seen: [String: [String]] = [:]
        var words = arguments[...]
        while let word = words.first {
            words = words.dropFirst()
            if word == "--" { break }
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard let name = parts.first, singleValued.contains(name) else { continue }
            let value = parts.count == 2 ? parts[1] : words.first ?? ""
            if parts.count == 1 { words = words.dropFirst() }
            seen[name, default: []].append(value)
            if let values = seen[name], values.count > 1 {
                let listed = values.map { "'\($0)'" }.joined(separator: ", ")
                return "Error: \(name) is given \(values.count) times (\(listed)); it takes one value. "
                    + "Run the command once for each.\n"
            }
        }
        return nil
    }

    static func name(of command: any ParsableCommand.Type) -> String {
        command.configuration.commandName ?? command._commandName
    }

    static func names(of command: any ParsableCommand.Type) -> [String] {
        [name(of: command)] + command.configuration.aliases
    }

    /// Levenshtein distance over characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
