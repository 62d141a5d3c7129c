import Foundation

/// Why a file rbscron was asked to write could not be written. Each message names the path and what to do.
public enum OutputFileError: Error, LocalizedError, Sendable, Equatable {
    case notAFolder(String)
    case exists(String)
    case unwritable(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .notAFolder(let path):
            return "'\(path)' is not a folder; create it (usually supabase/migrations) or give another with --out."
        case .exists(let path):
            return "'\(path)' already exists; nothing was written."
        case .unwritable(let path, let reason):
            return "cannot write '\(path)': \(reason)"
        }
    }
}

/// Files rbscron writes on an operator's request (`stats --html`, `export --output`, vercel.json, migrations).
public enum OutputFile {
    /// Writes `text` to `path`, replacing what is there.
    public static func write(_ text: String, to path: String) throws(OutputFileError) {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .unwritable(path: path, reason: error.localizedDescription)
        }
    }

    /// Writes `text` as a new file `name` inside the existing folder `folder`; never replaces a file. Returns its path.
    public static func createNew(_ text: String, named name: String, in folder: String) throws(OutputFileError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notAFolder(folder)
        }
        let path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
        guard !FileManager.default.fileExists(atPath: path) else { throw .exists(path) }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .withoutOverwriting)
        } catch {
            throw .unwritable(path: path, reason: error.localizedDescription)
        }
        return path
    }
}
