import Foundation

/// What an endpoint's answers mean: pure functions from a probe's answer to its verdict, and from an endpoint's
/// probes to the findings an operator acts on.
enum ProbeJudge {
    /// `result` (the probe as planned) completed with `answer`.
    static func judge(_ result: ProbeResult, _ answer: Result<HTTPResponse, HTTPError>,
                      redactor: Redactor) -> ProbeResult {
        var result = result
        switch answer {
        case .failure(let error):
            result.verdict = .unreachable
            result.severity = .warning
            result.detail = redactor.redact(error.localizedDescription)
        case .success(let response):
            let status = response.status
            result.httpStatus = status
            result.totalMs = response.timings.totalMs
            if response.redirects > 0 {
                result.redirects = response.redirects
                result.finalURL = response.finalURL
            }
            let excerpt = response.body.isEmpty ? "" : ": " + redactor.excerpt(response.body, limit: 120)
            let hops = response.redirects > 0
                ? " after \(response.redirects) redirect\(response.redirects == 1 ? "" : "s") to \(response.finalURL)" : ""
            switch status {
            case 200...299:
                result.verdict = .letIn
                result.severity = result.probe.severityWhenLetIn
                result.detail = "answered \(status)\(hops)\(excerpt) — \(meaningOfLetIn(result.probe))"
            case 401, 403:
                result.verdict = .refused
                result.severity = .ok
                result.detail = hops.isEmpty ? nil : "refused\(hops)"
            case 405:
                result.verdict = .methodNotAllowed
                result.severity = .warning
                result.detail = result.probe == .vercelGet
                    ? "no GET handler: Vercel Cron calls with GET, so the cron never runs"
                    : "the endpoint does not take \(result.method)\(excerpt)"
            case 404:
                result.verdict = .notFound
                result.severity = .warning
                result.detail = "no route at this URL\(hops)\(excerpt)"
            case 429, 500...599:
                result.verdict = .inconclusive
                result.severity = .warning
                result.detail = "answered \(status)\(hops)\(excerpt) — its secret not configured (deny by default), "
                    + "or the job failing after it ran; not counted as a refusal"
            default:
                result.verdict = .unexpected
                result.severity = .warning
                result.detail = "answered \(status)\(hops)\(excerpt), not the 401 or 403 of a refusal"
            }
        }
        return result
    }

    static func meaningOfLetIn(_ probe: AuditProbe) -> String {
        switch probe {
        case .qstashExpired: return "it accepts an expired signature: a captured request can be replayed"
        case .qstashWrongBody: return "it does not check the body hash: a captured signature carries any body"
        case .qstashOtherSubject: return "signature not bound to this URL"
        default: return "the job ran for a caller without the secret"
        }
    }

    /// The method check of a Vercel Cron job declared with another method than GET; nil for any other job.
    static func methodCheck(_ endpoint: EndpointAudit) -> MethodCheck? {
        guard endpoint.layer == .vercel, endpoint.method != "GET" else { return nil }
        guard let get = endpoint.probes.first(where: { $0.probe == .vercelGet }) else { return nil }
        let result: MethodCheck.Result
        switch get.verdict {
        case .planned: result = .planned
        case .methodNotAllowed: result = .confirmed
        case .refused, .letIn, .unexpected: result = .cleared
        default: result = .inconclusive
        }
        return MethodCheck(declared: endpoint.method, getStatus: get.httpStatus, result: result)
    }

    /// `no_credentials (200), bearer_undefined (200)`.
    static func list(_ probes: [ProbeResult]) -> String {
        probes.map { "\($0.probe.rawValue) (\($0.httpStatus.map(String.init) ?? "no answer"))" }.joined(separator: ", ")
    }

    /// The findings one endpoint's probes make.
    static func findings(_ endpoint: EndpointAudit) -> [AuditFinding] {
        let subject = endpoint.job.description
        let target = "\(endpoint.method) \(endpoint.url)"
        var findings: [AuditFinding] = []
        func add(_ severity: AuditSeverity, _ rule: String, _ message: String, _ fix: String) {
            findings.append(AuditFinding(severity: severity, rule: rule, subject: subject, message: message, fix: fix))
        }
        let probes = endpoint.probes.filter { $0.severity != nil }
        func with(_ verdict: ProbeVerdict, own: Bool = true) -> [ProbeResult] {
            probes.filter { $0.verdict == verdict && ($0.probe == .vercelGet) != own }
        }

        let open = probes.filter { $0.verdict == .letIn && $0.severity == .critical }
        if !open.isEmpty {
            let via = open.first(where: { $0.redirects > 0 }).flatMap(\.finalURL).map { " (redirected to \($0))" } ?? ""
            let fix: String
            if !open.contains(where: { $0.probe == .noCredentials })
                && open.contains(where: { $0.probe == .bearerUndefined || $0.probe == .bearerNull }) {
                fix = "It compares the header with a template string while its secret is unset on the deployment "
                    + "(`Bearer ${process.env.CRON_SECRET}` is `Bearer undefined`). Set the secret there, answer 401 (or 500) "
                    + "when it is unset, and compare with timingSafeEqual, never == or !==."
            } else if endpoint.auth == .qstash {
                fix = "Verify Upstash-Signature with Receiver.verify (current and next signing keys) before anything else, "
                    + "and answer 401 when it fails or is missing."
            } else if endpoint.auth == .serviceRole {
                fix = "Accept only the service role key, compared with timingSafeEqual: the anon key is public. "
                    + "Answer 401 to anything else."
            } else {
                fix = "Deny by default: answer 401 unless the request carries `Bearer <CRON_SECRET>`, compared with "
                    + "timingSafeEqual, and 401 or 500 when CRON_SECRET is not configured. Do not rely on Vercel adding "
                    + "the header: anyone can call the URL."
            }
            add(.critical, "endpoint.let-in",
                "\(target) let in \(list(open))\(via): it runs \(subject) for anyone who calls it.", fix)
        }
        for result in probes where result.verdict == .letIn && result.severity != .critical {
            switch result.probe {
            case .qstashExpired:
                add(.warning, "qstash.expired-accepted",
                    "\(target) accepted a signature that expired 5 minutes ago: a captured request can be replayed at any time.",
                    "Verify with Upstash's Receiver, which checks exp and nbf; do not decode the JWT by hand.")
            case .qstashWrongBody:
                add(.warning, "qstash.body-unchecked",
                    "\(target) accepted a signature made for another body: anyone holding one captured signature can send any body.",
                    "Pass the raw request body to Receiver.verify({signature, body}), which compares its hash with the `body` claim.")
            default:
                add(.info, "qstash.sub-unbound",
                    "\(target) accepted a signature made for another URL: signature not bound to this URL "
                        + "(Receiver.verify checks `sub` only when given `url`, and the seed's endpoints call it with {signature, body}).",
                    "Pass the endpoint's public URL to Receiver.verify({signature, body, url}) so a signature QStash made for "
                        + "another endpoint is refused.")
            }
        }
        let inconclusive = probes.filter { $0.verdict == .inconclusive }
        if !inconclusive.isEmpty {
            add(.warning, "endpoint.inconclusive",
                "\(target) answered \(list(inconclusive)): either it refused because its secret is not configured "
                    + "(the seed's deny-by-default) or the job failed after it ran; not counted as a refusal.",
                "Read the endpoint's logs for these requests. If its secret is missing on the deployment, set it: with the "
                    + "secret set it should answer 401 to a wrong one.")
        }
        if let check = endpoint.methodCheck {
            let path = URL(string: endpoint.url)?.path ?? endpoint.url
            switch check.result {
            case .confirmed:
                add(.warning, "vercel.method-get",
                    "GET \(endpoint.url) answered 405: the route has no GET handler, so Vercel Cron, which calls with GET, "
                        + "never runs \(subject). This confirms `schedule check`'s vercel.method-get against the live endpoint.",
                    "Export a GET handler for \(path) (checking CRON_SECRET) and set `method: GET`; or move the job to "
                        + "QStash, which can \(endpoint.method).")
            case .cleared:
                add(.info, "vercel.method-get",
                    "GET \(endpoint.url) is handled (it answered \(check.getStatus.map(String.init) ?? "?")), so Vercel Cron "
                        + "can call it: `schedule check`'s vercel.method-get does not hold against the live endpoint.",
                    "Set `method: GET` for \(subject) in the inventory (rbscron export, edit, rbscron import).")
            case .inconclusive, .planned:
                break
            }
        }
        let wrongMethod = with(.methodNotAllowed)
        if !wrongMethod.isEmpty {
            add(.warning, "endpoint.method",
                "\(target) answered 405: the endpoint does not take \(endpoint.method), so neither its layer nor `trigger` "
                    + "can run it as declared.",
                "Correct the job's method in the inventory, or add the handler.")
        }
        let notFound = probes.filter { $0.verdict == .notFound }
        if !notFound.isEmpty {
            add(.warning, "endpoint.not-found",
                "\(target) answered 404 to \(list(notFound)): no route there, so those probes prove nothing and the job "
                    + "cannot run.",
                "Correct the job's path or its app's base URL (rbscron export, edit, rbscron import), or deploy the route.")
        }
        let unexpected = probes.filter { $0.verdict == .unexpected }
        if !unexpected.isEmpty {
            add(.warning, "endpoint.unexpected-status",
                "\(target) answered \(list(unexpected)), not the 401 or 403 of a refusal.",
                "Answer 401 (or 403) to a request without valid credentials before anything else; another status hides "
                    + "whether the job ran.")
        }
        let unreachable = probes.filter { $0.verdict == .unreachable }
        if let first = unreachable.first {
            add(.warning, "endpoint.unreachable",
                "\(target): \(unreachable.count) probe\(unreachable.count == 1 ? "" : "s") got no answer (\(first.detail ?? "")).",
                "Check the base URL and that the app is up (rbscron health-check), then audit again.")
        }
        return findings
    }
}
