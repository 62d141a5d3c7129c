import Foundation

extension InventoryStore {
    /// Opens the inventory at `path`, seeding a new file with the embedded RBS ecosystem.
    public static func openSeeded(path: String, now: Date = Date(), readOnly: Bool = false) throws(StoreError) -> InventoryStore {
        try open(path: path, seed: { try EmbeddedEcosystem.inventory() }, now: now, readOnly: readOnly)
    }
}
