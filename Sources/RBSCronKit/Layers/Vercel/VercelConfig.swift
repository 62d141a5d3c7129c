import Foundation

/// An app's `vercel.json` as the Vercel layer reads and edits it: its legacy `crons` array and its `schedules`
/// object (Vercel Schedules). Only those two values are ever rewritten; every other key keeps its bytes and order.
public enum VercelConfig {
    /// One entry of `schedules` as the file holds it.
    struct ScheduleMember {
        var entry: VercelSchedules.Entry
        /// `"name": { … }` exactly as in the file.
        var raw: String
        /// Keys of the entry rbscron does not know, with their value text, kept when the entry is rewritten.
        var extra: [(String, String)]
    }

    /// What the file holds of the layer.
    struct Contents {
        var crons: [VercelCrons.Entry]
        var schedules: [ScheduleMember]
        var hasCrons: Bool
        var hasSchedules: Bool
    }

    /// Reads `crons` and `schedules`; no text (no file) holds neither.
    static func read(text: String?, file: String) throws(VercelJSONError) -> Contents {
        guard let text else { return Contents(crons: [], schedules: [], hasCrons: false, hasSchedules: false) }
        guard let root = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw .notAnObject(file: file)
        }
        let crons = try VercelCrons.existing(text: text, file: file)
        guard let schedules = root["schedules"] else {
            return Contents(crons: crons, schedules: [], hasCrons: root["crons"] != nil, hasSchedules: false)
        }
        guard schedules is [String: Any] else {
            throw .invalidSchedules(file: file, detail: "schedules is not an object of named schedules")
        }
        let bytes = Array(text.utf8)
        let members: [ScheduleMember]
        do {
            let top = try JSONTopLevelText.scan(bytes)
            guard let value = top.members.last(where: { $0.key == "schedules" }) else {
                throw VercelJSONError.invalidSchedules(file: file, detail: "schedules cannot be read")
            }
            let object = try JSONTopLevelText.members(ofObjectIn: bytes, range: value.valueStart..<value.valueEnd)
            members = try object.members.map { member throws in
                try Self.member(member, in: bytes, file: file)
            }
        } catch let error as VercelJSONError {
            throw error
        } catch {
            throw .invalidSchedules(file: file, detail: "schedules cannot be read")
        }
        return Contents(crons: crons, schedules: members, hasCrons: root["crons"] != nil, hasSchedules: true)
    }

    private static func member(_ member: JSONTopLevelText.Member, in bytes: [UInt8], file: String) throws -> ScheduleMember {
        let name = member.key
        func text(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }
        guard bytes[member.valueStart] == 0x7B else {
            throw VercelJSONError.invalidSchedules(file: file, detail: "schedules.\(name) is not an object")
        }
        let fields = try JSONTopLevelText.members(ofObjectIn: bytes, range: member.valueStart..<member.valueEnd)
        var values: [String: Any] = [:]
        var extra: [(String, String)] = []
        let known: Set<String> = ["schedule", "timezone", "jitter", "path", "function", "topic", "requestMethod"]
        for field in fields.members {
            let raw = text(field.valueStart..<field.valueEnd)
            if known.contains(field.key) {
                values[field.key] = try? JSONSerialization.jsonObject(with: Data(raw.utf8), options: .fragmentsAllowed)
            } else {
                extra.append((field.key, raw))
            }
        }
        guard let schedule = values["schedule"] as? String else {
            throw VercelJSONError.invalidSchedules(file: file, detail: "schedules.\(name) needs a string \"schedule\"")
        }
        let target: VercelSchedules.Entry.Target
        if let path = values["path"] as? String {
            target = .path(path)
        } else if let function = values["function"] as? String {
            target = .function(function)
        } else if let topic = values["topic"] as? String {
            target = .topic(topic)
        } else {
            target = .none
        }
        let jitter = (values["jitter"] as? NSNumber).map(\.intValue)
        let entry = VercelSchedules.Entry(name: name, schedule: schedule, timezone: values["timezone"] as? String,
                                          jitter: jitter, target: target, requestMethod: values["requestMethod"] as? String)
        return ScheduleMember(entry: entry, raw: text(member.keyStart..<member.valueEnd), extra: extra)
    }

    /// The file's text with `crons` and `schedules` as the app's mode wants them:
    /// - crons mode: `crons` set to the app's entries; path entries of `schedules` removed (function and topic entries
    ///   kept), and `schedules` removed when nothing is left of it;
    /// - schedules mode: `schedules` set (entries that stay keep their bytes, function and topic entries are kept) and
    ///   `crons` removed.
    /// No file gives an object with the one key the mode uses.
    static func rewrite(text: String?, app: App, jobs: [Job], file: String) throws(VercelJSONError) -> String {
        let contents = try read(text: text, file: file)
        switch app.vercelMode {
        case .crons:
            var out = try VercelCrons.rewrite(text: text, entries: VercelCrons.desired(app: app, jobs: jobs).map(\.entry), file: file)
            guard contents.hasSchedules else { return out }
            let foreign = contents.schedules.filter { $0.entry.target.path == nil }
            do {
                if foreign.isEmpty {
                    out = try JSONTopLevelText.removing(key: "schedules", in: out)
                } else if foreign.count != contents.schedules.count {
                    out = try JSONTopLevelText.replacing(key: "schedules", in: out) { indent in
                        VercelSchedules.render(existing: contents.schedules, desired: [], keepForeign: true, indent: indent)
                    }
                }
            } catch {
                throw .notAnObject(file: file)
            }
            return out
        case .schedules:
            let desired = VercelSchedules.desired(app: app, jobs: jobs).map(\.entry)
            guard let text else {
                return "{\n  \"schedules\": \(VercelSchedules.render(existing: [], desired: desired, keepForeign: true, indent: "  "))\n}\n"
            }
            do {
                var out = try JSONTopLevelText.replacing(key: "schedules", in: text) { indent in
                    VercelSchedules.render(existing: contents.schedules, desired: desired, keepForeign: true, indent: indent)
                }
                if contents.hasCrons { out = try JSONTopLevelText.removing(key: "crons", in: out) }
                return out
            } catch {
                throw .notAnObject(file: file)
            }
        }
    }

    /// `schedule plan --layer vercel`, in the app's mode.
    public static func plan(app: App, jobs: [Job], text: String?, file: String, limits: LayerLimits = .standard)
        throws(VercelJSONError) -> LayerPlan {
        switch app.vercelMode {
        case .crons: return try VercelCrons.plan(app: app, jobs: jobs, text: text, file: file, limits: limits)
        case .schedules: return try VercelSchedules.plan(app: app, jobs: jobs, text: text, file: file, limits: limits)
        }
    }

    /// `schedule apply --layer vercel`: writes the file (atomically) unless `dryRun`; refuses when the plan has an
    /// error issue. A missing file is created holding only the mode's key.
    public static func apply(app: App, jobs: [Job], path: String, dryRun: Bool, limits: LayerLimits = .standard,
                             adopt: Bool = false) throws -> LayerApplyReport {
        let text = try VercelCrons.read(path: path)
        let plan = try Self.plan(app: app, jobs: jobs, text: text, file: path, limits: limits)
        let errors = plan.issues.filter { $0.severity == .error }
        if let first = errors.first {
            throw VercelJSONError.refused(count: errors.count, first: (first.job.map { "\($0): " } ?? "") + first.message)
        }
        let adopting = plan.items.filter { $0.action == .adopt }
        if !adopting.isEmpty && !adopt && !dryRun {
            throw LayerSyncError.adoptionNeeded(.vercel, jobs: adopting.compactMap(\.job))
        }
        var report = LayerApplyReport(plan: plan, dryRun: dryRun)
        report.adopted = adopting.map {
            AdoptionOutcome(job: $0.job ?? $0.id, id: $0.id, replaced: $0.adopts.map(\.id),
                            note: "takes effect with the next production deployment of \(app.name)")
        }
        report.created = plan.items.filter { $0.action == .create }.map(\.id)
        report.updated = plan.items.filter { $0.action == .update }.map(\.id)
        report.deleted = plan.items.filter { $0.action == .delete }.map(\.id)
        // Nothing to change and the file exists: leave it untouched (no rewrite of equal bytes).
        guard !dryRun, plan.hasDrift || text == nil else { return report }
        try write(try rewrite(text: text, app: app, jobs: jobs, file: path), to: path)
        report.written = path
        return report
    }

    /// Writes `text` to `path` through ``OutputFile`` (a link is written through, a pipe or device directly, an
    /// existing file keeps its mode), creating its folder.
    static func write(_ text: String, to path: String) throws(VercelJSONError) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .unwritable(.unwritable(path: folder, reason: SystemErrorText.describe(error)))
        }
        do {
            try OutputFile.write(text, to: path)
        } catch {
            throw .unwritable(error)
        }
    }
}
