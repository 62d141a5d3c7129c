// libFuzzer entry point for the manifest loader: any bytes must give an inventory or a ManifestError,
// never a crash. Built by fuzz/run-manifest.sh together with Yams and rbscron's Inventory, Cron and
// Support sources.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let inventory = try Manifest.load(yaml: text, file: "fuzz.yaml")
        // What loads must render and load back to the same inventory.
        let again = try Manifest.load(yaml: Manifest.render(inventory), file: "render.yaml")
        if again != inventory { fatalError("render/load round trip changed the inventory") }
    } catch {
        _ = error.localizedDescription
    }
    return 0
}
