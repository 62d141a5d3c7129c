import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file rbscron was given could not be read. Each message names the file and what to do.
public enum InputFileError: Error, LocalizedError, Sendable, Equatable {
    case unreadable(path: String, reason: String)
    case isFolder(String)
    case tooLarge(path: String, limit: Int)
    case notUTF8(path: String)

    public var errorDescription: String? {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read '\(path)': \(reason). Check the path and its permissions."
        case .isFolder(let path):
            return "'\(path)' is a folder; name a file."
        case .tooLarge(let path, let limit):
            return "'\(path)' is larger than \(InputFile.size(limit)), the most rbscron reads here; nothing was read. "
                + "Check that it is the right file."
        case .notUTF8(let path):
            return "'\(path)' is not UTF-8 text; save it as UTF-8 and try again."
        }
    }
}

/// Files and standard input that rbscron reads (manifests, vercel.json, secret values): read with read(2) up to
/// a bound, so `/dev/zero`, a pipe or a huge file costs at most that much memory and time, and failures are
/// reported in the system's words.
public enum InputFile {
    /// The bytes of `path` (`-` for standard input); refused when there are more than `limit`.
    public static func read(_ path: String, limit: Int) throws(InputFileError) -> Data {
        if path == "-" { return try readAll(STDIN_FILENO, limit: limit, shownAs: "standard input") }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            throw code == EISDIR ? .isFolder(path) : .unreadable(path: path, reason: SystemErrorText.errno(code))
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { throw .isFolder(path) }
        return try readAll(fd, limit: limit, shownAs: path)
    }

    /// The text of `path` (`-` for standard input): at most `limit` bytes of valid UTF-8.
    public static func text(_ path: String, limit: Int) throws(InputFileError) -> String {
        let data = try read(path, limit: limit)
        guard let text = String(data: data, encoding: .utf8) else {
            throw .notUTF8(path: path == "-" ? "standard input" : path)
        }
        return text
    }

    private static func readAll(_ fd: Int32, limit: Int, shownAs shown: String) throws(InputFileError) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let room = min(buffer.count, limit + 1 - data.count)
            let count = buffer.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, room) }
            if count < 0 {
                if errno == EINTR { continue }
                let code = errno
                throw code == EISDIR ? .isFolder(shown) : .unreadable(path: shown, reason: SystemErrorText.errno(code))
            }
            if count == 0 { return data }
            data.append(contentsOf: buffer[0..<count])
            if data.count > limit { throw .tooLarge(path: shown, limit: limit) }
        }
    }

    /// `1 MiB`, `16 MiB`, `8 KiB`, `512 bytes`.
    static func size(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}

/// read(2), named apart from ``InputFile/read(_:limit:)``.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
