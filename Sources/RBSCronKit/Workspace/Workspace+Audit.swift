import Foundation

extension Workspace {
    /// `audit`: plans the probes of every selected endpoint, hands the plan to `confirm` (the command asks the
    /// operator, or checks `--yes`), sends them, and adds the static checks of the inventory's secrets. Every probe
    /// result is recorded. With `dryRun` it sends, asks and records nothing.
    ///
    /// - Throws: ``AuditError/declined`` when `confirm` says no (nothing was sent); an unknown app or job.
    public func audit(_ request: AuditRequest, confirm: @Sendable (AuditPlan) async throws -> Bool = { _ in true },
                      progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> AuditReport {
        let inventory = try inventory()
        let startedAt = now
        var unreadable: [String] = []
        var factsByApp: [String: AuditSecretFacts] = [:]
        let plan = try AuditPlan.make(inventory: inventory, request: request) { app in
            let (facts, error) = AuditSecretFacts.gather(app: app, secrets: self.secrets)
            if let error { unreadable.append(error) }
            factsByApp[app] = facts
            return facts
        }
        let apps = auditedApps(request, inventory: inventory)
        for app in apps.sorted() where factsByApp[app] == nil {
            let (facts, error) = AuditSecretFacts.gather(app: app, secrets: secrets)
            if let error { unreadable.append(error) }
            factsByApp[app] = facts
        }
        let (values, sealedError) = scopedSecretValues(inventory: inventory)
        if let sealedError { unreadable.append(sealedError) }
        let staticFindings = SecretChecks.run(SecretCheckInput(
            inventory: inventory, apps: apps, jobs: try AuditPlan.selectJobs(inventory: inventory, request: request),
            values: values, records: try secrets.records(),
            signingKeys: factsByApp.mapValues { ($0.signingKey != nil, $0.nextSigningKey != nil) },
            unreadable: unreadable.first, maxAgeMs: request.maxAgeMs, now: startedAt))

        let layerFindings = try await credentialFindings(apps: apps, values: values)

        let endpoints: [EndpointAudit]
        if request.dryRun {
            endpoints = plan.endpoints.map(Self.planned)
        } else {
            let transport = try transport  // without libcurl: stop before asking to send what cannot be sent
            guard try await confirm(plan) else { throw AuditError.declined }
            let runner = AuditRunner(transport: transport, redactor: try redactor(), now: clock.now, insecure: request.insecure)
            endpoints = await runner.run(plan, parallel: request.parallel, progress: progress)
            try store.recordAuditProbes(endpoints.flatMap { endpoint in
                endpoint.probes.map { probe in
                    AuditProbeRecord(auditedAt: startedAt, app: endpoint.job.app, job: endpoint.job.job,
                                     method: probe.method, url: endpoint.url, probe: probe.probe.rawValue,
                                     expected: probe.expected, httpStatus: probe.httpStatus, finalURL: probe.finalURL,
                                     verdict: probe.verdict.rawValue, severity: probe.severity?.rawValue,
                                     detail: probe.detail, totalMs: probe.totalMs)
                }
            })
        }
        let findings = (endpoints.flatMap(ProbeJudge.findings) + layerFindings + staticFindings).enumerated()
            .sorted { ($0.element.severity, $0.offset) < ($1.element.severity, $1.offset) }.map(\.element)
        return AuditReport(auditedAt: startedAt, dryRun: request.dryRun, signedProbes: request.signedProbes,
                           maxAgeMs: request.maxAgeMs, endpoints: endpoints, notProbed: plan.notProbed, findings: findings)
    }

    /// Credentials written into the layers: each audited app's Supabase project's `cron.job` (read when its access
    /// token is at hand) scanned for commands made outside rbscron that hold a literal bearer or an inventory secret's
    /// value, and the adoptions whose replaced entry held one that has not been rotated since. All `critical`.
    func credentialFindings(apps: Set<String>, values: [ScopedSecret]) async throws -> [AuditFinding] {
        var findings = try pendingRotations().filter { apps.contains($0.adoption.app) }.map {
            AuditFinding(severity: .critical, rule: "adopt.rotation-pending", subject: $0.subject, message: $0.message, fix: $0.fix)
        }
        let inventory = try inventory()
        guard let pgCron = try layer(.pgCron) as? PgCronLayer else { return findings }
        var seen = Set<String>()
        for app in inventory.apps.sorted(by: { $0.name < $1.name }) where apps.contains(app.name) {
            guard let ref = app.supabase?.projectRef, !ref.isEmpty, seen.insert(ref).inserted else { continue }
            let remote = await pgCron.readJobs(app: app, known: values)
            guard let rows = remote.rows else {
                findings.append(AuditFinding(
                    severity: .info, rule: "pgcron.unread", subject: app.name,
                    message: "cron.job of project \(ref) was not read (\(remote.unreadable ?? "unknown reason")), so its commands "
                        + "were not checked for credentials written into them.",
                    fix: "Store the project's access token (`rbscron secret set \(app.name) \(SecretKeys.supabaseAccessToken)`) and audit again."))
                continue
            }
            for row in rows {
                let mine = (row.jobname?.hasPrefix(ScheduleID.prefix) ?? false)
                    || row.command.trimmingCharacters(in: .whitespaces).hasPrefix("/* rbscron:")
                guard !mine else { continue }
                let entry = Adoption.pgCronEntry(jobname: row.jobname, command: row.command, app: app, jobs: inventory.jobs)
                let job = entry.flatMap { e in inventory.jobs.first { ScheduleID.of(app: app.name, job: $0.name) == e } }
                for leak in Adoption.leaks(in: row.command, known: values) {
                    let (scope, key) = Adoption.secretToRotate(leak, app: app.name, job: job)
                    let name = row.jobname.map { "'\($0)'" } ?? "#\(row.jobid)"
                    findings.append(AuditFinding(
                        severity: .critical, rule: "pgcron.credential-in-command",
                        subject: job?.ref.description ?? "\(app.name) pg_cron \(name)",
                        message: "the pg_cron job \(name) (jobid \(row.jobid), project \(ref)) holds \(leak.described) in its command: "
                            + "anyone who can read cron.job, its run history or the migration that made it has it.",
                        fix: (entry == nil ? "Move the credential into Vault (or remove the job)"
                              : "Replace the job: `rbscron schedule apply --layer pg_cron --app \(app.name) --adopt`")
                            + ", then rotate it: `rbscron secret rotate \(scope) \(key) --generate` and the steps it prints."))
                }
            }
        }
        return findings
    }

    /// The apps whose secrets the static checks cover: the one asked for, the apps of the jobs named, or all.
    func auditedApps(_ request: AuditRequest, inventory: Inventory) -> Set<String> {
        if let app = request.app { return [app] }
        if !request.jobs.isEmpty { return Set(request.jobs.map(\.app)) }
        return Set(inventory.apps.map(\.name))
    }

    /// Each scope's effective secret values (an `RBSCRON_SECRET_<SCOPE>_<KEY>` variable over the inventory's sealed
    /// value of the same scope and key), opened in memory for the static checks. Sealed values are left out, with the
    /// reason, when the master key cannot be loaded.
    func scopedSecretValues(inventory: Inventory) -> (values: [ScopedSecret], error: String?) {
        var values: [ScopedSecret] = []
        var taken: Set<String> = []
        let scopes = [SecretKeys.globalScope] + inventory.apps.map(\.name)
        let fromEnvironment = EnvironmentSecrets.provider(environment: environment, apps: inventory.apps.map(\.name)).values
        for scope in scopes {
            for (key, value) in (fromEnvironment[scope] ?? [:]).sorted(by: { $0.key < $1.key }) {
                values.append(ScopedSecret(scope: scope, key: key, source: SecretSource(kind: .environment, scope: scope, key: key).description,
                                           value: value, inInventory: false))
                taken.insert("\(scope)/\(key)")
            }
        }
        do {
            let records = try secrets.records().filter { !taken.contains("\($0.scope)/\($0.key)") }
            guard !records.isEmpty else { return (values, nil) }
            let box = try secrets.box()
            for record in records {
                guard let sealed = try store.sealedSecret(scope: record.scope, key: record.key) else { continue }
                values.append(ScopedSecret(scope: record.scope, key: record.key,
                                           source: SecretSource(kind: .inventory, scope: record.scope, key: record.key).description,
                                           value: try box.open(sealed.current, scope: record.scope, key: record.key),
                                           inInventory: true))
            }
            return (values, nil)
        } catch {
            return (values, error.localizedDescription)
        }
    }

    /// A planned endpoint as `--dry-run` reports it: every probe `planned` (or skipped, with its reason).
    static func planned(_ endpoint: PlannedEndpoint) -> EndpointAudit {
        var audit = EndpointAudit(
            job: endpoint.job, url: endpoint.url, method: endpoint.method, layer: endpoint.layer, auth: endpoint.auth,
            timeoutMs: endpoint.timeoutMs,
            probes: endpoint.probes.map { probe in
                ProbeResult(probe: probe.probe, method: probe.method, sends: probe.sends, expected: ProbeResult.expectedRefusal,
                            httpStatus: nil, finalURL: nil, redirects: 0, verdict: probe.skipReason == nil ? .planned : .skipped,
                            severity: nil, detail: probe.skipReason.map { "not sent: \($0)" }, totalMs: nil)
            },
            methodCheck: nil)
        audit.methodCheck = ProbeJudge.methodCheck(audit)
        return audit
    }
}
