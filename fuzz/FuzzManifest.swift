// libFuzzer entry point for the manifest loader: any bytes must give an inventory or a ManifestError,
// never a crash, and never more than the loader's bounds allow (the seed corpus holds alias bombs; the
// script's -timeout and -rss_limit_mb catch one that escapes them). Built by fuzz/run-manifest.sh together with
// Yams and rbscron's Inventory, Model, Cron and Support sources.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let inventory = try Manifest.load(yaml: text, file: "fuzz.yaml")
        // The loader's bounds hold: what loads was built from at most one walked value per node the bound allows,
        // so aliases cannot have multiplied it.
        let bound = Manifest.Limits.nodes(forBytes: text.utf8.count)
        let built = inventory.apps.count + inventory.jobs.count + inventory.jobs.reduce(0) { $0 + $1.dependsOn.count }
        if built > bound { fatalError("the manifest built \(built) values, past its bound of \(bound)") }
        // What loads must render and load back to the same inventory.
        let again = try Manifest.load(yaml: Manifest.render(inventory), file: "render.yaml")
        if again != inventory { fatalError("render/load round trip changed the inventory") }
    } catch {
        _ = error.localizedDescription
    }
    return 0
}
