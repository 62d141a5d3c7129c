import Foundation
import Testing

@testable import RBSCronKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The inventory file: only a regular file is opened, and a read-only open reads without writing or loosening it.
@Suite("The inventory file: devices and read-only opens")
struct InventoryFileTests {
    let dir: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-inv-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    @Test("a device is refused before SQLite touches it; no journal appears beside it")
    func deviceRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let device = dir + "/null"
            guard mknod(device, S_IFCHR | 0o666, dev_t(0x0103)) == 0 else { return }  // needs CAP_MKNOD
            #expect { _ = try InventoryStore.open(path: device) } throws: { error in
                error.localizedDescription.contains("not a regular file")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["null"])
        }
    }

    @Test("a folder that cannot be made is reported in the system's words")
    func folderError() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/file-not-folder/inventory.sqlite"
        try "".write(toFile: dir + "/file-not-folder", atomically: false, encoding: .utf8)
        #expect { _ = try InventoryStore.open(path: path) } throws: { error in
            let text = error.localizedDescription
            return text.contains("Not a directory") && !text.contains("operation could not be completed")
        }
    }

    @Test("a read-only open reads the inventory, keeps a 0400 file 0400 and refuses writes")
    func readOnly() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let path = dir + "/inventory.sqlite"
            do {
                let store = try InventoryStore.open(path: path, seed: { try EmbeddedEcosystem.inventory() })
                #expect(try store.counts().apps == 11)
            }
            #expect(chmod(path, 0o400) == 0)
            let store = try InventoryStore.open(path: path, readOnly: true)
            #expect(try store.inventory().apps.count == 11)
            var info = stat()
            #expect(stat(path, &info) == 0 && info.st_mode & 0o7777 == 0o400)
            #expect(throws: (any Error).self) {
                _ = try store.beginRun(JobRef(app: "camino", job: "daily-dispatcher"), source: .manual, startedAt: Date(), pid: 1)
            }
        }
    }

    @Test("a read-only open of a missing file creates and seeds it, so every command works on a fresh machine")
    func readOnlyFresh() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let store = try InventoryStore.open(path: dir + "/fresh.sqlite", seed: { try EmbeddedEcosystem.inventory() }, readOnly: true)
            #expect(try store.counts().apps == 11)
        }
    }
}
