import Foundation

/// What a command opens a ``Workspace`` with: the global options and the environment.
public struct WorkspaceOptions: Sendable {
    /// `--db`; nil means `RBSCRON_DB`, else the default path under `$XDG_DATA_HOME`.
    public var databasePath: String?
    /// The process environment: secrets (`RBSCRON_SECRET_*`), the master key, service URLs, `CI`.
    public var environment: [String: String]
    /// Sent as `User-Agent` on every request.
    public var userAgent: String
    /// The command only reads the inventory: an existing file is opened read-only, so a read-only file (or folder)
    /// still lists and exports, and nothing is written to it.
    public var readOnly: Bool

    public init(databasePath: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                userAgent: String = RBSCronVersion.userAgent, readOnly: Bool = false) {
        self.databasePath = databasePath
        self.environment = environment
        self.userAgent = userAgent
        self.readOnly = readOnly
    }

    /// The inventory file these options name.
    public var resolvedDatabasePath: String {
        databasePath ?? StorePaths.defaultDatabasePath(environment: environment)
    }
}

/// The one wiring point of rbscron: opened once per command from the global options and the environment, it holds
/// the inventory store, the clock, the HTTP transport, the secrets policy and the redactor built from it. Every
/// capability is one method taking a request value and returning a report value (see the `Workspace+…` files);
/// commands never build a transport, a secret provider or a redactor themselves.
public final class Workspace: Sendable {
    public let store: InventoryStore
    public let environment: [String: String]
    /// The clock, sleeper, random source and process facts runs use; tests inject their own.
    public let clock: RunEnvironment
    public let secrets: SecretsPolicy
    private let makeTransport: @Sendable () throws -> any HTTPTransport
    private let cache = Locked(Cache())

    private struct Cache {
        var transport: (any HTTPTransport)?
        var inventory: Inventory?
        var redactor: Redactor?
    }

    /// A workspace over `store`; `transport` is made on first use (commands that send nothing never start one).
    public init(store: InventoryStore, environment: [String: String], clock: RunEnvironment = RunEnvironment(),
                secrets: SecretsPolicy? = nil, transport: @escaping @Sendable () throws -> any HTTPTransport) {
        self.store = store
        self.environment = environment
        self.clock = clock
        self.secrets = secrets ?? SecretsPolicy(store: store, environment: environment)
        self.makeTransport = transport
    }

    /// Opens (creating and seeding on first use) the inventory the options name, with the real transport.
    public static func open(_ options: WorkspaceOptions) throws -> Workspace {
        let store = try InventoryStore.openSeeded(path: options.resolvedDatabasePath, readOnly: options.readOnly)
        let agent = options.userAgent
        return Workspace(store: store, environment: options.environment, transport: { try CurlTransport.loaded(userAgent: agent) })
    }

    /// The HTTP transport, made once, on the first request of a command (the real one loads libcurl then).
    /// - Throws: `HTTPError.libcurlUnavailable` when libcurl cannot be loaded: the command stops before it sends
    ///   or records anything.
    public var transport: any HTTPTransport {
        get throws {
            try cache.withLock { cache in
                if let transport = cache.transport { return transport }
                let transport = try makeTransport()
                cache.transport = transport
                return transport
            }
        }
    }

    public var now: Date { clock.now() }

    /// The inventory's apps and jobs, read once per workspace (a command sees one consistent inventory).
    public func inventory() throws -> Inventory {
        if let inventory = cache.withLock({ $0.inventory }) { return inventory }
        let inventory = try store.inventory()
        cache.withLock { $0.inventory = inventory }
        return inventory
    }

    /// Forgets the cached inventory after a command changed it (import).
    func inventoryChanged() { cache.withLock { $0.inventory = nil } }

    /// The redactor every excerpt, error and remote text passes through: every secret value the policy knows.
    public func redactor() throws -> Redactor {
        if let redactor = cache.withLock({ $0.redactor }) { return redactor }
        let redactor = try Redactor.hiding(secrets)
        cache.withLock { $0.redactor = redactor }
        return redactor
    }

    /// The layer's sync: plan, apply, what it holds, what it did.
    public func layer(_ layer: Layer) throws -> any LayerSync {
        let inventory = try inventory()
        switch layer {
        case .qstash:
            return try QStashSync(inventory: inventory, secrets: secrets, transport: transport,
                              baseURL: try QStashClient.baseURL(environment: environment), redactor: try redactor())
        case .vercel:
            // Each app in the mode its inventory records (vercel_mode): Cron's state or Schedules'.
            return try VercelLayer(inventory: inventory, secrets: secrets, transport: transport, environment: environment,
                                   redactor: try redactor())
        case .pgCron:
            var pgCron = try PgCronLayer(inventory: inventory, secrets: secrets, transport: transport,
                                         baseURL: PgCronHistoryClient.baseURL(environment: environment), redactor: try redactor())
            pgCron.knownProjects = try store.projectStates()
            return pgCron
        case .manual, .fanout:
            throw LayerSyncError.notALayer(layer)
        }
    }

    /// The layers that keep schedules (and history) of their own.
    public func scheduledLayers() throws -> [any LayerSync] {
        try [Layer.qstash, .pgCron, .vercel].map(layer)
    }
}
