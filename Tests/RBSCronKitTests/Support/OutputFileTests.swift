import Foundation
import Testing
@testable import RBSCronKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `stats --html`, `export --output`, `schedule apply --layer vercel` and the pg_cron migrations write through
/// ``OutputFile``: what is at the path decides how, and nothing there is replaced by something of another kind.
@Suite("Output files keep what is at the path")
struct OutputFileTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-out-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func mode(_ path: String) -> mode_t {
        var info = stat()
        _ = lstat(path, &info)
        return info.st_mode
    }

    @Test("a symbolic link stays a link; the file it points to gets the text")
    func symlinkIsWrittenThrough() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = folder + "/real.html", link = folder + "/link.html"
        try "old".write(toFile: target, atomically: false, encoding: .utf8)
        #expect(symlink("real.html", link) == 0)
        try OutputFile.write("new", to: link)
        #expect(mode(link) & S_IFMT == S_IFLNK)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
    }

    @Test("an existing file keeps its mode (0600 stays 0600)")
    func modeIsKept() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/private.yaml"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(chmod(path, 0o600) == 0)
        try OutputFile.write("new", to: path)
        #expect(mode(path) & 0o7777 == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
    }

    @Test("a FIFO is written into, not replaced")
    func fifoIsWrittenInto() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/pipe"
        #expect(mkfifo(path, 0o600) == 0)
        // A reader first (non-blocking), so opening the FIFO for writing does not wait; the text fits its buffer.
        let reader = open(path, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        try OutputFile.write("through the pipe", to: path)
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(reader, &buffer, buffer.count)
        #expect(String(decoding: buffer[0..<max(0, n)], as: UTF8.self) == "through the pipe")
        #expect(mode(path) & S_IFMT == S_IFIFO)
    }

    @Test("a character device is written to and stays a device; no file appears beside it")
    func deviceIsWrittenTo() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A null device of the test's own (never the system's /dev/null, which the old writer replaced as root).
        let path = folder + "/null"
        guard mknod(path, S_IFCHR | 0o666, dev_t(0x0103) /* major 1, minor 3 */) == 0 else { return }  // needs CAP_MKNOD
        try OutputFile.write("discarded", to: path)
        #expect(mode(path) & S_IFMT == S_IFCHR)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["null"])
    }

    @Test("a folder, a dangling link and a missing folder are refused with the path in the message")
    func refusals() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect { try OutputFile.write("x", to: folder) } throws: { error in
            "\(error.localizedDescription)".contains(folder) && "\(error.localizedDescription)".contains("folder")
        }
        let dangling = folder + "/dangling.html"
        #expect(symlink(folder + "/nowhere/x.html", dangling) == 0)
        #expect { try OutputFile.write("x", to: dangling) } throws: { error in
            error.localizedDescription.contains("symbolic link") && error.localizedDescription.contains("nowhere")
        }
        #expect(mode(dangling) & S_IFMT == S_IFLNK)
        let missing = folder + "/no-such-folder/out.html"
        #expect { try OutputFile.write("x", to: missing) } throws: { error in
            let text = error.localizedDescription
            return text.contains(missing) && text.contains("No such file or directory") && !text.contains("NSCocoaErrorDomain")
        }
    }

    @Test("a new file is created with the usual mode, and nothing else is left in the folder")
    func newFile() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/new.html"
        let mask = umask(0o022)
        defer { umask(mask) }
        try OutputFile.write("fresh", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "fresh")
        #expect(mode(path) & 0o7777 == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["new.html"])
    }

    @Test("a file with several hard links is rewritten in place, so every name sees the new text")
    func hardLinks() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/a.yaml", other = folder + "/b.yaml"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(link(path, other) == 0)
        try OutputFile.write("new", to: path)
        #expect(try String(contentsOfFile: other, encoding: .utf8) == "new")
    }

    @Test("createNew never replaces, and refuses a link at the name")
    func createNewRefusesLinks() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = folder + "/elsewhere.sql"
        try "keep".write(toFile: target, atomically: false, encoding: .utf8)
        #expect(symlink(target, folder + "/m.sql") == 0)
        #expect(throws: OutputFileError.self) { try OutputFile.createNew("x", named: "m.sql", in: folder) }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep")
    }
}
