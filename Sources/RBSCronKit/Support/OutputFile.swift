import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file rbscron was asked to write could not be written. Each message names the path and what to do.
public enum OutputFileError: Error, LocalizedError, Sendable, Equatable {
    case notAFolder(String)
    case exists(String)
    case unwritable(path: String, reason: String)
    /// The path is a folder.
    case isFolder(String)
    /// A symbolic link whose target does not exist.
    case danglingLink(path: String, target: String)
    /// A block device or a socket: nothing rbscron writes belongs there.
    case unsupportedKind(path: String, kind: String)

    public var errorDescription: String? {
        switch self {
        case .notAFolder(let path):
            return "'\(path)' is not a folder; create it (usually supabase/migrations) or give another with --out."
        case .exists(let path):
            return "'\(path)' already exists; nothing was written."
        case .unwritable(let path, let reason):
            return "cannot write '\(path)': \(reason). Check that its folder exists and that you may write there, "
                + "or choose another path."
        case .isFolder(let path):
            return "'\(path)' is a folder; name a file (inside it, or elsewhere). Nothing was written."
        case .danglingLink(let path, let target):
            return "'\(path)' is a symbolic link to '\(target)', which does not exist; nothing was written. "
                + "Create the target, remove the link, or choose another path."
        case .unsupportedKind(let path, let kind):
            return "'\(path)' is a \(kind); rbscron writes only to regular files, pipes and character devices "
                + "(such as /dev/stdout). Nothing was written; choose another path."
        }
    }
}

/// Files rbscron writes on an operator's request (`stats --html`, `export --output`, vercel.json, migrations).
///
/// What is at the path decides how it is written, and nothing there is replaced by something of another kind:
/// - `-`, or any name for the file standard output already is (`/dev/stdout`, `/proc/self/fd/1`): standard output.
/// - a pipe (FIFO), a terminal or another character device (`/dev/null`): written into, as `>` would.
/// - a regular file, or a symbolic link to one: the link's target is replaced atomically (a temporary file beside
///   it, renamed over it) and keeps its mode and owner; a file with several hard links is rewritten in place, so
///   every name keeps seeing it.
/// - nothing: a new file, mode 0666 less the umask (0644 usually), written atomically.
/// - a folder, a dangling symbolic link, a block device or a socket: refused with a message; nothing is written.
public enum OutputFile {
    /// Writes `text` to `path` (see ``OutputFile`` for what each kind of path gets).
    public static func write(_ text: String, to path: String) throws(OutputFileError) {
        let bytes = Array(text.utf8)
        if path == "-" { return try writeToStandardOutput(bytes, path: path) }
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            guard code == ENOENT else { throw .unwritable(path: path, reason: describe(code)) }
            var link = stat()
            if lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK {
                throw .danglingLink(path: path, target: linkTarget(path) ?? "?")
            }
            return try replace(path, with: bytes, keeping: nil, shownAs: path)
        }
        if isStandardOutput(path) { return try writeToStandardOutput(bytes, path: path) }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            let target = resolved(path)
            if info.st_nlink > 1 { return try writeInPlace(target, bytes, truncate: true, shownAs: path) }
            try replace(target, with: bytes, keeping: info, shownAs: path)
        case S_IFDIR:
            throw .isFolder(path)
        case S_IFBLK:
            throw .unsupportedKind(path: path, kind: "block device")
        case S_IFSOCK:
            throw .unsupportedKind(path: path, kind: "socket")
        default:
            // FIFOs and character devices: written into, never truncated or replaced.
            try writeInPlace(path, bytes, truncate: false, shownAs: path)
        }
    }

    /// True when writing `path` means writing standard output: `-`, or a name for the file it already is.
    public static func isStandardOutput(_ path: String) -> Bool {
        if path == "-" { return true }
        var info = stat(), standardOutput = stat()
        return stat(path, &info) == 0 && fstat(STDOUT_FILENO, &standardOutput) == 0
            && info.st_dev == standardOutput.st_dev && info.st_ino == standardOutput.st_ino
    }

    /// Writes `text` as a new file `name` inside the existing folder `folder`; never replaces a file. Returns its path.
    public static func createNew(_ text: String, named name: String, in folder: String) throws(OutputFileError) -> String {
        var info = stat()
        guard stat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { throw .notAFolder(folder) }
        let path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
        try create(text, at: path)
        return path
    }

    /// Writes `text` as a new file at `path`; refuses when anything (a file, a link, a dangling link) has that name.
    public static func create(_ text: String, at path: String) throws(OutputFileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            let code = errno
            throw code == EEXIST ? .exists(path) : .unwritable(path: path, reason: describe(code))
        }
        do {
            defer { close(fd) }
            try writeAll(fd, Array(text.utf8), shownAs: path)
        } catch {
            unlink(path)
            throw error
        }
    }

    // MARK: - How each kind is written

    private static func writeToStandardOutput(_ bytes: [UInt8], path: String) throws(OutputFileError) {
        // Anything print() buffered goes first, so the file's text is not interleaved with it.
        fflush(nil)
        try writeAll(STDOUT_FILENO, bytes, shownAs: path == "-" ? "standard output" : path)
    }

    private static func writeInPlace(_ path: String, _ bytes: [UInt8], truncate: Bool, shownAs shown: String) throws(OutputFileError) {
        let fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | (truncate ? O_TRUNC : 0))
        guard fd >= 0 else { throw .unwritable(path: shown, reason: describe(errno)) }
        defer { close(fd) }
        try writeAll(fd, bytes, shownAs: shown)
    }

    /// A temporary file beside `path`, renamed over it: readers see the old text or the new, never half of it.
    /// `existing` is what is there now, whose mode and owner the new file takes.
    private static func replace(_ path: String, with bytes: [UInt8], keeping existing: stat?, shownAs shown: String) throws(OutputFileError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".rbscron-\(getpid())-\(UInt32.random(in: 0 ... .max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            let code = errno
            // A folder we may not create files in, holding a file we may write: write the file itself.
            if existing != nil, code == EACCES || code == EPERM || code == EROFS {
                return try writeInPlace(path, bytes, truncate: true, shownAs: shown)
            }
            throw .unwritable(path: shown, reason: describe(code))
        }
        var published = false
        defer { if !published { unlink(temporary) } }
        do {
            defer { close(fd) }
            if let existing {
                guard fchmod(fd, existing.st_mode & 0o7777) == 0 else { throw OutputFileError.unwritable(path: shown, reason: describe(errno)) }
                if existing.st_uid != geteuid() || existing.st_gid != getegid() {
                    // Only root can give the file back to its owner; anyone else keeps their own (as an editor would).
                    _ = fchown(fd, existing.st_uid, existing.st_gid)
                }
            }
            try writeAll(fd, bytes, shownAs: shown)
            guard fsync(fd) == 0 else { throw OutputFileError.unwritable(path: shown, reason: describe(errno)) }
        }
        guard rename(temporary, path) == 0 else { throw .unwritable(path: shown, reason: describe(errno)) }
        published = true
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], shownAs shown: String) throws(OutputFileError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                posixWrite(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .unwritable(path: shown, reason: describe(errno))
            }
            offset += written
        }
    }

    // MARK: - Helpers

    /// The final target of a chain of symbolic links (the path itself when it is none).
    private static func resolved(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return path }
        defer { free(real) }
        return String(cString: real)
    }

    private static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The system's words for an errno, e.g. "No such file or directory".
    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// write(2), named apart from ``OutputFile/write(_:to:)``.
private func posixWrite(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, bytes, count)
}
