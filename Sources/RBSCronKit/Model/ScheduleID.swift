/// The name rbscron gives a job in the layers that name their entries: `rbs-<app>-<job>`, the QStash schedule id
/// and the pg_cron job name alike. This is the one place the formula lives; entries without the prefix are not
/// rbscron's ("foreign").
public enum ScheduleID {
    /// The prefix of every entry rbscron owns.
    public static let prefix = "rbs-"

    /// `rbs-<app>-<job>`.
    public static func of(_ ref: JobRef) -> String { of(app: ref.app, job: ref.job) }

    /// `rbs-<app>-<job>`.
    public static func of(app: String, job: String) -> String { "\(prefix)\(app)-\(job)" }

    /// `rbs-<app>-`: what every id of `app`'s jobs starts with.
    public static func appPrefix(_ app: String) -> String { of(app: app, job: "") }

    /// True for an id rbscron made (it may belong to an app no longer in the inventory).
    public static func isManaged(_ id: String) -> Bool { id.hasPrefix(prefix) }

    /// The app an id belongs to: the longest app name `a` with the id starting `rbs-a-`, so `rbs-la-hoja-x` is
    /// `la-hoja`'s and not `la`'s.
    public static func owner(of id: String, apps: [String]) -> String? {
        apps.filter { id.hasPrefix(appPrefix($0)) }.max { $0.count < $1.count }
    }

    /// The job an id stands for, `APP/JOB` with the owner found by ``owner(of:apps:)``; nil when no app fits or
    /// nothing follows the app's prefix.
    public static func job(of id: String, apps: [String]) -> String? {
        guard let owner = owner(of: id, apps: apps) else { return nil }
        let rest = id.dropFirst(appPrefix(owner).count)
        return rest.isEmpty ? nil : "\(owner)/\(rest)"
    }
}
