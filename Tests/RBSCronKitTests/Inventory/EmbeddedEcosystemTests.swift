import Foundation
import Testing
@testable import RBSCronKit

/// The embedded inventory must hold exactly what seed 000 documents.
@Suite struct EmbeddedEcosystemTests {
    let inventory: Inventory

    init() throws {
        inventory = try EmbeddedEcosystem.inventory()
    }

    @Test func namesTheElevenAppsOfTheAudit() {
        #expect(inventory.apps.map(\.name).sorted() == [
            "agora", "baul", "camino", "caracol", "colectiva", "constanza", "ecosystem-api", "la-hoja",
            "patadas", "plenura", "servilleta",
        ])
        #expect(inventory.app(named: "baul")?.displayName == "Baúl")
        #expect(inventory.app(named: "ecosystem-api")?.baseURL == "https://ecosystem.redbroomsoftware.com")
        #expect(inventory.app(named: "colectiva")?.platform == .firebase)
        #expect(inventory.app(named: "caracol")?.platform == .firebase)
    }

    @Test func caminoDispatcherFansOutToEighteenSubJobsInOrder() throws {
        let dispatcher = try #require(inventory.job(JobRef(app: "camino", job: "daily-dispatcher")))
        #expect(dispatcher.layer == .vercel)
        #expect(dispatcher.schedule == "0 14 * * *")
        let children = inventory.children(of: dispatcher.ref)
        #expect(children.map(\.name) == [
            "expire-trials", "trial-expiry-reminders", "nurture-emails", "publish-scheduled-posts", "refresh-tokens",
            "optimize-landings", "optimize-prices", "campaigns-enroll", "sync-comments", "social-listening-scan",
            "usage-alerts", "upsell-alerts", "webhook-retry", "reconcile-orgs", "sync-metrics", "cleanup-audit-logs",
            "cleanup-oauth-codes", "process-scheduled-messages",
        ])
        #expect(children.map { $0.order ?? 0 } == Array(1...18))
        #expect(children.allSatisfy { $0.layer == .fanout && $0.schedule == nil })
        #expect(inventory.job(JobRef(app: "camino", job: "campaigns-enroll"))?.path == "/api/cron/campaigns/enroll")
    }

    @Test func caminoPgCronJobs() throws {
        let sync = try #require(inventory.job(JobRef(app: "camino", job: "sync-constanza-invoices")))
        #expect(sync.layer == .pgCron && sync.schedule == "0 */6 * * *")
        let voice = try #require(inventory.job(JobRef(app: "camino", job: "voice-outbound")))
        #expect(voice.layer == .pgCron)
        #expect(voice.schedule == "*/15 9-18 * * 1-6")
        #expect(voice.timezone == "America/Mexico_City")
    }

    @Test func colectivaHasFifteenQStashJobsAndTheHeartbeatFansOutToThreeApps() throws {
        let colectiva = inventory.jobs.filter { $0.app == "colectiva" }
        #expect(colectiva.count == 15)
        #expect(colectiva.allSatisfy { $0.layer == .qstash && $0.auth == .qstash })
        let heartbeat = try #require(inventory.job(JobRef(app: "colectiva", job: "ecosystem-heartbeat")))
        #expect(heartbeat.schedule == "*/30 * * * *")
        #expect(inventory.children(of: heartbeat.ref).map(\.ref.description) == [
            "agora/keep-alive", "la-hoja/dispatcher", "servilleta/expire-tasks",
        ])
        // Schedules the audit gives only as "Daily"/"Monthly" say so.
        for name in ["deal-billing", "ai-invoices", "daily-brain", "daily-intelligence", "process-approved-actions",
                     "revenue-reconciliation", "earnings-poliza"] {
            let job = try #require(inventory.job(JobRef(app: "colectiva", job: name)))
            #expect(job.description.contains("assumed"), "\(name) must say its schedule is assumed")
        }
    }

    @Test func sevenKeepAliveProjectsEachWithPingAndHistoryCleanup() {
        let projects = ["agora", "baul", "patadas", "la-hoja", "plenura", "ecosystem-api", "camino"]
        for project in projects {
            let ping = inventory.job(JobRef(app: project, job: "keep-alive-ping"))
            let cleanup = inventory.job(JobRef(app: project, job: "cleanup-cron-history"))
            #expect(ping?.schedule == "0 12 */3 * *" && ping?.sql == "SELECT keep_alive()", "\(project)")
            #expect(cleanup?.schedule == "0 3 * * 0" && cleanup?.layer == .pgCron, "\(project)")
            #expect(inventory.app(named: project)?.supabase != nil, "\(project) has a Supabase project")
        }
        #expect(inventory.jobs.filter { $0.name == "keep-alive-ping" }.count == 7)
    }

    @Test func theOtherAppsJobs() {
        func names(_ app: String) -> [String] { inventory.jobs.filter { $0.app == app }.map(\.name) }
        #expect(names("constanza") == ["check-certificate-expiry", "partner-billing", "ecosystem-billing", "ecosystem-health"])
        #expect(names("caracol") == ["process-failed-queue", "cleanup-dead-letter", "mancha-retry"])
        #expect(names("servilleta") == ["check-subscriptions", "expire-tasks"])
        #expect(names("baul").prefix(2) == ["generate-routes", "referral-shares"])
        #expect(names("plenura").prefix(2) == ["reminders", "weekly-reports"])
        #expect(names("ecosystem-api").first == "health-check")
        #expect(inventory.job(JobRef(app: "caracol", job: "process-failed-queue"))?.schedule == "*/15 * * * *")
        #expect(inventory.jobs.count == 69)
    }
}
