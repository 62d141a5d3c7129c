import Foundation

/// The RBS ecosystem as documented by its April 2026 infrastructure audit: every app and job it names.
///
/// Compiled into the binary so a copied `rbscron` works alone. Where the audit gives no schedule
/// ("Daily", "Monthly"), the schedule is chosen here and the job's description says it is assumed.
/// Base URLs other than the Ecosystem API's are not in the audit: they are assumed to be
/// `https://<app>.redbroomsoftware.com` and should be corrected with `rbscron import`.
public enum EmbeddedEcosystem {
    /// The manifest text (also what `rbscron export` prints on a fresh inventory).
    public static let manifest = #"""
# The RBS ecosystem (infrastructure audit of 2026-04-09): 11 apps named with their jobs.
version: 1
apps:
  - name: camino
    display_name: Camino
    base_url: https://camino.redbroomsoftware.com
    platform: vercel
    supabase: {}
    notes: "The ecosystem's primary dispatcher. Base URL assumed."
    jobs:
      - {name: daily-dispatcher, path: /api/cron/daily-dispatcher, method: POST, layer: vercel, schedule: "0 14 * * *", auth: cron_secret, timeout: 5m, priority: critical, description: "Daily batch at 08:00 CDT; fans out to 18 sub-jobs in order"}
      - {name: expire-trials, path: /api/cron/expire-trials, layer: fanout, triggered_by: camino/daily-dispatcher, order: 1, description: "Mark overdue trial subscriptions as expired"}
      - {name: trial-expiry-reminders, path: /api/cron/trial-expiry-reminders, layer: fanout, triggered_by: camino/daily-dispatcher, order: 2, description: "Email at 7d / 3d / 1d / expired"}
      - {name: nurture-emails, path: /api/cron/nurture-emails, layer: fanout, triggered_by: camino/daily-dispatcher, order: 3, description: "Drip email sequences for CRM leads"}
      - {name: publish-scheduled-posts, path: /api/cron/publish-scheduled-posts, layer: fanout, triggered_by: camino/daily-dispatcher, order: 4, description: "Release scheduled social media posts"}
      - {name: refresh-tokens, path: /api/cron/refresh-tokens, layer: fanout, triggered_by: camino/daily-dispatcher, order: 5, priority: high, description: "Rotate OAuth + API tokens before expiry"}
      - {name: optimize-landings, path: /api/cron/optimize-landings, layer: fanout, triggered_by: camino/daily-dispatcher, order: 6, description: "AI A/B test landing pages; promote winners"}
      - {name: optimize-prices, path: /api/cron/optimize-prices, layer: fanout, triggered_by: camino/daily-dispatcher, order: 7, description: "Geo + demand pricing updates"}
      - {name: campaigns-enroll, path: /api/cron/campaigns/enroll, layer: fanout, triggered_by: camino/daily-dispatcher, order: 8, description: "Auto-enroll leads matching campaign rules"}
      - {name: sync-comments, path: /api/cron/sync-comments, layer: fanout, triggered_by: camino/daily-dispatcher, order: 9, description: "Fetch social comments + AI auto-response"}
      - {name: social-listening-scan, path: /api/cron/social-listening-scan, layer: fanout, triggered_by: camino/daily-dispatcher, order: 10, description: "Brand mention scanning across platforms"}
      - {name: usage-alerts, path: /api/cron/usage-alerts, layer: fanout, triggered_by: camino/daily-dispatcher, order: 11, description: "Fire at 80% and 100% of tier limits"}
      - {name: upsell-alerts, path: /api/cron/upsell-alerts, layer: fanout, triggered_by: camino/daily-dispatcher, order: 12, description: "Cross-sell: missing Constanza, idle leads"}
      - {name: webhook-retry, path: /api/cron/webhook-retry, layer: fanout, triggered_by: camino/daily-dispatcher, order: 13, priority: high, description: "Re-send failed ecosystem webhooks (exponential backoff)"}
      - {name: reconcile-orgs, path: /api/cron/reconcile-orgs, layer: fanout, triggered_by: camino/daily-dispatcher, order: 14, priority: high, description: "Retry Colectiva registration for orphaned orgs"}
      - {name: sync-metrics, path: /api/cron/sync-metrics, layer: fanout, triggered_by: camino/daily-dispatcher, order: 15, description: "Aggregate and push platform metrics"}
      - {name: cleanup-audit-logs, path: /api/cron/cleanup-audit-logs, layer: fanout, triggered_by: camino/daily-dispatcher, order: 16, priority: low, description: "Delete logs older than retention policy"}
      - {name: cleanup-oauth-codes, path: /api/cron/cleanup-oauth-codes, layer: fanout, triggered_by: camino/daily-dispatcher, order: 17, priority: low, description: "Expire OAuth codes, revoked tokens, idempotency keys"}
      - {name: process-scheduled-messages, path: /api/cron/process-scheduled-messages, layer: fanout, triggered_by: camino/daily-dispatcher, order: 18, description: "Dispatch queued SMS/Email messages"}
      - {name: sync-constanza-invoices, path: /api/cron/sync-constanza-invoices, method: POST, layer: pg_cron, schedule: "0 */6 * * *", auth: cron_secret, timeout: 10s, description: "Every 6 hours, via pg_net. Audit gap: its Bearer token is hard-coded in the migration"}
      - {name: voice-outbound, path: /api/cron/voice-outbound, method: POST, layer: pg_cron, schedule: "*/15 9-18 * * 1-6", timezone: America/Mexico_City, auth: cron_secret, timeout: 10s, description: "Every 15 min, 09:00-19:00 Mon-Sat Mexico City time (last fire 18:45), via pg_net"}
      - {name: keep-alive-ping, sql: "SELECT keep_alive()", layer: pg_cron, schedule: "0 12 */3 * *", auth: none, timeout: 10s, description: "Supabase free-tier keep-alive (migration 20260102_setup_pg_cron.sql)"}
      - {name: cleanup-cron-history, sql: "SELECT cleanup_cron_history()", layer: pg_cron, schedule: "0 3 * * 0", auth: none, timeout: 10s, description: "Weekly: delete cron.job_run_details older than 7 days"}

  - name: colectiva
    display_name: Colectiva
    base_url: https://colectiva.redbroomsoftware.com
    platform: firebase
    notes: "Firebase app: QStash only, no pg_cron. Schedules registered by scripts/cron/register-qstash-schedules.mjs. Base URL assumed."
    jobs:
      - {name: subscription-renewals, path: /api/cron/subscription-renewals, layer: qstash, schedule: "0 8 * * *", auth: qstash, timeout: 30s, retries: 3, priority: high, description: "Renew subscriptions, retry failed payments"}
      - {name: earnings-reconciliation, path: /api/cron/earnings-reconciliation, layer: qstash, schedule: "0 12 * * *", auth: qstash, timeout: 30s, retries: 3, description: "Reconcile earnings, fire threshold alerts"}
      - {name: sync-polizas, path: /api/cron/sync-polizas, layer: qstash, schedule: "0 16 * * *", auth: qstash, timeout: 30s, retries: 3, description: "Sync queued polizas to Constanza"}
      - {name: offering-expiration, path: /api/cron/offering-expiration, layer: qstash, schedule: "0 14 * * *", auth: qstash, timeout: 30s, retries: 3, description: "Auto-close sold-out/expired CPI offerings"}
      - {name: deal-billing, path: /api/cron/deal-billing, layer: qstash, schedule: "0 13 * * *", auth: qstash, timeout: 30s, retries: 3, description: "Deal-specific billing operations (audit says Daily; 13:00 UTC assumed)"}
      - {name: ai-invoices, path: /api/cron/ai-invoices, layer: qstash, schedule: "0 17 * * *", auth: qstash, timeout: 30s, retries: 3, description: "AI usage invoice batch processing (audit says Daily; 17:00 UTC assumed)"}
      - {name: daily-brain, path: /api/cron/daily-brain, layer: qstash, schedule: "0 11 * * *", auth: qstash, timeout: 30s, retries: 3, description: "Brain briefing generation (audit says Daily; 11:00 UTC assumed)"}
      - {name: daily-intelligence, path: /api/cron/daily-intelligence, layer: qstash, schedule: "30 11 * * *", auth: qstash, timeout: 30s, retries: 3, description: "Intelligence report generation (audit says Daily; 11:30 UTC assumed)"}
      - {name: process-approved-actions, path: /api/cron/process-approved-actions, layer: qstash, schedule: "0 15 * * *", auth: qstash, timeout: 30s, retries: 3, description: "Execute Brain-approved actions (audit says Daily; 15:00 UTC assumed)"}
      - {name: ecosystem-heartbeat, path: /api/cron/ecosystem-heartbeat, layer: qstash, schedule: "*/30 * * * *", auth: qstash, timeout: 30s, retries: 3, priority: critical, description: "Every 30 min: own health + fan-out to Agora keep-alive, La Hoja dispatcher, Servilleta expire-tasks; logs to health_checks"}
      - {name: ecosystem-sync, path: /api/cron/ecosystem-sync, layer: qstash, schedule: "0 10 * * 0", auth: qstash, timeout: 30s, retries: 3, description: "Weekly Sunday: ecosystem data snapshot for AI"}
      - {name: monthly-first, path: /api/cron/monthly-first, layer: qstash, schedule: "0 9 1 * *", auth: qstash, timeout: 30s, retries: 3, priority: high, description: "Revenue recognition + earnings poliza + distributions"}
      - {name: monthly-fifth, path: /api/cron/monthly-fifth, layer: qstash, schedule: "0 9 5 * *", auth: qstash, timeout: 30s, retries: 3, description: "5th-day monthly operations"}
      - {name: revenue-reconciliation, path: /api/cron/revenue-reconciliation, layer: qstash, schedule: "0 11 1 * *", auth: qstash, timeout: 30s, retries: 3, description: "Revenue reconciliation (audit says Monthly; 1st at 11:00 UTC assumed)"}
      - {name: earnings-poliza, path: /api/cron/earnings-poliza, layer: qstash, schedule: "0 10 1 * *", auth: qstash, timeout: 30s, retries: 3, description: "Earnings poliza generation (audit says Monthly 1st; 10:00 UTC assumed)"}

  - name: constanza
    display_name: Constanza
    base_url: https://constanza.redbroomsoftware.com
    platform: vercel
    notes: "Base URL assumed."
    jobs:
      - {name: check-certificate-expiry, path: /api/cron/check-certificate-expiry, method: GET, layer: vercel, schedule: "0 15 * * *", auth: cron_secret, description: "09:00 CDT: monitor X.509 CSD certificate expiry, warn tenants"}
      - {name: partner-billing, path: /api/cron/partner-billing, method: GET, layer: vercel, schedule: "0 16 1 * *", auth: cron_secret, priority: high, description: "10:00 CDT on the 1st: monthly partner invoice generation"}
      - {name: ecosystem-billing, path: /api/cron/ecosystem-billing, layer: manual, auth: cron_secret, description: "Ecosystem-wide billing aggregation (manual trigger)"}
      - {name: ecosystem-health, path: /api/cron/ecosystem-health, layer: manual, auth: cron_secret, description: "Health aggregation across ecosystem (manual trigger)"}

  - name: caracol
    display_name: Caracol
    base_url: https://caracol.redbroomsoftware.com
    platform: firebase
    notes: "QStash for the failed CFDI stamp queue. Base URL assumed."
    jobs:
      - {name: process-failed-queue, path: /api/stamps/process-failed-queue, layer: qstash, schedule: "*/15 * * * *", auth: qstash, timeout: 30s, retries: 3, priority: critical, description: "Retry failed CFDI stamps; 500 ms between items; PAC retry not supported"}
      - {name: cleanup-dead-letter, path: /api/cron/cleanup-dead-letter, layer: manual, auth: cron_secret, priority: low, description: "Remove failed_webhooks_dead entries older than 30 days (audit gives no schedule)"}
      - {name: mancha-retry, path: /api/cron/mancha-retry, layer: manual, auth: cron_secret, description: "Mancha sync retry (audit gives no schedule)"}

  - name: la-hoja
    display_name: La Hoja
    base_url: https://la-hoja.redbroomsoftware.com
    platform: vercel
    supabase: {}
    notes: "Next.js 15 App Router; background work is triggered by Colectiva's heartbeat. Base URL assumed."
    jobs:
      - {name: dispatcher, path: /api/cron/dispatcher, layer: fanout, triggered_by: colectiva/ecosystem-heartbeat, order: 2, auth: cron_secret, description: "Main job dispatcher; called by Colectiva's ecosystem heartbeat every 30 minutes"}
      - {name: reset-allocations, path: /api/cron/reset-allocations, layer: manual, auth: cron_secret, description: "Reset inventory allocations (audit gives no schedule)"}
      - {name: mancha-retry, path: /api/cron/mancha-retry, layer: manual, auth: cron_secret, description: "Retry Mancha sync failures (audit gives no schedule)"}
      - {name: cleanup-dead-letter, path: /api/cron/cleanup-dead-letter, layer: manual, auth: cron_secret, priority: low, description: "Clean Firestore dead letter entries (audit gives no schedule)"}
      - {name: keep-alive-ping, sql: "SELECT keep_alive()", layer: pg_cron, schedule: "0 12 */3 * *", auth: none, timeout: 10s, description: "Supabase free-tier keep-alive (migration 004_cron_jobs.sql)"}
      - {name: cleanup-cron-history, sql: "SELECT cleanup_cron_history()", layer: pg_cron, schedule: "0 3 * * 0", auth: none, timeout: 10s, description: "Weekly: delete cron.job_run_details older than 7 days"}

  - name: servilleta
    display_name: Servilleta
    base_url: https://servilleta.redbroomsoftware.com
    platform: vercel
    notes: "Background work is triggered by Colectiva's heartbeat. Base URL assumed."
    jobs:
      - {name: check-subscriptions, path: /api/cron/check-subscriptions, layer: manual, auth: cron_secret, description: "Subscription status verification (audit gives no schedule)"}
      - {name: expire-tasks, path: /api/cron/expire-tasks, layer: fanout, triggered_by: colectiva/ecosystem-heartbeat, order: 3, auth: cron_secret, description: "Expire stale tasks, suspend low-rating taskers; called by Colectiva's heartbeat"}

  - name: baul
    display_name: Baúl
    base_url: https://baul.redbroomsoftware.com
    platform: vercel
    supabase: {}
    notes: "Base URL assumed."
    jobs:
      - {name: generate-routes, path: /api/cron/generate-routes, method: GET, layer: vercel, schedule: "0 12 * * 1-5", auth: cron_secret, priority: high, description: "06:00 CDT weekdays: generate recurring delivery orders from schedules"}
      - {name: referral-shares, path: /api/cron/referral-shares, method: GET, layer: vercel, schedule: "0 8 1 * *", auth: cron_secret, description: "02:00 CDT on the 1st: pay 3% monthly referral revenue shares"}
      - {name: keep-alive-ping, sql: "SELECT keep_alive()", layer: pg_cron, schedule: "0 12 */3 * *", auth: none, timeout: 10s, description: "Supabase free-tier keep-alive (migration 20260410000004_keep_alive.sql)"}
      - {name: cleanup-cron-history, sql: "SELECT cleanup_cron_history()", layer: pg_cron, schedule: "0 3 * * 0", auth: none, timeout: 10s, description: "Weekly: delete cron.job_run_details older than 7 days"}

  - name: ecosystem-api
    display_name: Ecosystem API
    base_url: https://ecosystem.redbroomsoftware.com
    platform: vercel
    supabase: {}
    notes: "Control plane API (repo ecosystem-sdk/packages/api)."
    jobs:
      - {name: health-check, path: /api/cron/health-check, method: GET, layer: vercel, schedule: "0 6 * * *", auth: cron_secret, priority: critical, description: "06:00 UTC: HEAD all active apps (10 s each), log latency to health_checks (30-day retention), cleanup old data"}
      - {name: keep-alive-ping, sql: "SELECT keep_alive()", layer: pg_cron, schedule: "0 12 */3 * *", auth: none, timeout: 10s, description: "Supabase free-tier keep-alive (migration 004_keep_alive.sql)"}
      - {name: cleanup-cron-history, sql: "SELECT cleanup_cron_history()", layer: pg_cron, schedule: "0 3 * * 0", auth: none, timeout: 10s, description: "Weekly: delete cron.job_run_details older than 7 days"}

  - name: agora
    display_name: Agora
    base_url: https://agora.redbroomsoftware.com
    platform: vercel
    supabase: {}
    notes: "Background work is triggered by Colectiva's heartbeat. Base URL assumed."
    jobs:
      - {name: keep-alive, path: /api/cron/keep-alive, layer: fanout, triggered_by: colectiva/ecosystem-heartbeat, order: 1, auth: cron_secret, description: "Agora keep-alive; called by Colectiva's ecosystem heartbeat every 30 minutes"}
      - {name: keep-alive-ping, sql: "SELECT keep_alive()", layer: pg_cron, schedule: "0 12 */3 * *", auth: none, timeout: 10s, description: "Supabase free-tier keep-alive (migration 003_keep_alive.sql)"}
      - {name: cleanup-cron-history, sql: "SELECT cleanup_cron_history()", layer: pg_cron, schedule: "0 3 * * 0", auth: none, timeout: 10s, description: "Weekly: delete cron.job_run_details older than 7 days"}

  - name: patadas
    display_name: Patadas
    base_url: https://patadas.redbroomsoftware.com
    platform: vercel
    supabase: {}
    notes: "Base URL assumed."
    jobs:
      - {name: keep-alive-ping, sql: "SELECT keep_alive()", layer: pg_cron, schedule: "0 12 */3 * *", auth: none, timeout: 10s, description: "Supabase free-tier keep-alive (migration 004_keep_alive.sql)"}
      - {name: cleanup-cron-history, sql: "SELECT cleanup_cron_history()", layer: pg_cron, schedule: "0 3 * * 0", auth: none, timeout: 10s, description: "Weekly: delete cron.job_run_details older than 7 days"}

  - name: plenura
    display_name: Plenura
    base_url: https://plenura.redbroomsoftware.com
    platform: vercel
    supabase: {}
    notes: "No vercel.json: its reminders and weekly-reports jobs exist only in pg_cron. Base URL assumed."
    jobs:
      - {name: reminders, path: /api/cron/reminders, method: POST, layer: pg_cron, schedule: "0 * * * *", auth: cron_secret, timeout: 10s, description: "DB-only job via pg_net (audit gives no schedule or path; hourly and path assumed)"}
      - {name: weekly-reports, path: /api/cron/weekly-reports, method: POST, layer: pg_cron, schedule: "0 9 * * 1", auth: cron_secret, timeout: 10s, description: "DB-only job via pg_net (audit gives no schedule or path; Mondays 09:00 UTC and path assumed)"}
      - {name: keep-alive-ping, sql: "SELECT keep_alive()", layer: pg_cron, schedule: "0 12 */3 * *", auth: none, timeout: 10s, description: "Supabase free-tier keep-alive (migration 004_cron_jobs.sql)"}
      - {name: cleanup-cron-history, sql: "SELECT cleanup_cron_history()", layer: pg_cron, schedule: "0 3 * * 0", auth: none, timeout: 10s, description: "Weekly: delete cron.job_run_details older than 7 days"}
"""#

    /// The parsed inventory. The manifest is part of the binary, so a failure is a build defect caught by the tests.
    public static func inventory() throws(ManifestError) -> Inventory {
        try Manifest.load(yaml: manifest, file: "<embedded RBS ecosystem>")
    }
}
