import GRDB

/// The numbered migrations of the inventory file. Append new ones; never edit a released one.
enum Schema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("001_inventory") { db in
            try db.execute(sql: """
                CREATE TABLE meta (
                    key   TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                );
                CREATE TABLE apps (
                    name          TEXT PRIMARY KEY NOT NULL,
                    display_name  TEXT NOT NULL,
                    base_url      TEXT NOT NULL,
                    platform      TEXT NOT NULL CHECK (platform IN ('vercel', 'firebase', 'other')),
                    vercel_plan   TEXT CHECK (vercel_plan IN ('hobby', 'pro')),
                    health_path   TEXT NOT NULL,
                    health_method TEXT NOT NULL,
                    health_expect INTEGER NOT NULL CHECK (health_expect BETWEEN 100 AND 599),
                    has_supabase  INTEGER NOT NULL CHECK (has_supabase IN (0, 1)),
                    supabase_url  TEXT,
                    supabase_ref  TEXT,
                    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
                    notes         TEXT NOT NULL,
                    position      INTEGER NOT NULL
                );
                CREATE TABLE jobs (
                    app              TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE ON UPDATE CASCADE,
                    name             TEXT NOT NULL,
                    path             TEXT,
                    sql              TEXT,
                    method           TEXT NOT NULL,
                    layer            TEXT NOT NULL CHECK (layer IN ('vercel', 'qstash', 'pg_cron', 'manual', 'fanout')),
                    schedule         TEXT,
                    timezone         TEXT NOT NULL,
                    auth             TEXT NOT NULL CHECK (auth IN ('cron_secret', 'qstash', 'service_role', 'none')),
                    timeout_ms       INTEGER NOT NULL CHECK (timeout_ms > 0),
                    retries          INTEGER NOT NULL CHECK (retries >= 0),
                    priority         TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
                    enabled          INTEGER NOT NULL CHECK (enabled IN (0, 1)),
                    triggered_by_app TEXT,
                    triggered_by_job TEXT,
                    fanout_order     INTEGER,
                    depends_on       TEXT NOT NULL,
                    description      TEXT NOT NULL,
                    position         INTEGER NOT NULL,
                    added_at         INTEGER NOT NULL,
                    PRIMARY KEY (app, name),
                    CHECK ((path IS NULL) <> (sql IS NULL)),
                    FOREIGN KEY (triggered_by_app, triggered_by_job) REFERENCES jobs(app, name)
                        DEFERRABLE INITIALLY DEFERRED
                );
                CREATE TABLE secrets (
                    scope               TEXT NOT NULL,
                    key                 TEXT NOT NULL,
                    ciphertext          BLOB NOT NULL,
                    previous_ciphertext BLOB,
                    previous_expires_at INTEGER,
                    created_at          INTEGER NOT NULL,
                    rotated_at          INTEGER,
                    PRIMARY KEY (scope, key)
                );
                CREATE TABLE runs (
                    id               INTEGER PRIMARY KEY AUTOINCREMENT,
                    app              TEXT NOT NULL,
                    job              TEXT NOT NULL,
                    source           TEXT NOT NULL CHECK (source IN ('manual', 'ci', 'due', 'replay', 'remote')),
                    scheduled_for    INTEGER,
                    started_at       INTEGER NOT NULL,
                    finished_at      INTEGER,
                    state            TEXT NOT NULL CHECK (state IN ('started', 'finished', 'abandoned')),
                    attempts         INTEGER NOT NULL DEFAULT 0,
                    http_status      INTEGER,
                    outcome          TEXT CHECK (outcome IN ('ok', 'http_error', 'timeout', 'transport_error',
                                                             'skipped', 'circuit_open', 'denied', 'abandoned')),
                    dns_ms           REAL,
                    connect_ms       REAL,
                    tls_ms           REAL,
                    first_byte_ms    REAL,
                    total_ms         REAL,
                    duration_ms      REAL,
                    response_excerpt TEXT,
                    error            TEXT,
                    idempotency_key  TEXT UNIQUE,
                    pid              INTEGER
                );
                CREATE INDEX runs_by_job ON runs(app, job, started_at);
                CREATE INDEX runs_by_time ON runs(started_at);
                CREATE TABLE health_checks (
                    id            INTEGER PRIMARY KEY AUTOINCREMENT,
                    app           TEXT NOT NULL,
                    checked_at    INTEGER NOT NULL,
                    status        TEXT NOT NULL CHECK (status IN ('up', 'degraded', 'down')),
                    method        TEXT NOT NULL,
                    http_status   INTEGER,
                    reason        TEXT,
                    dns_ms        REAL,
                    connect_ms    REAL,
                    tls_ms        REAL,
                    first_byte_ms REAL,
                    total_ms      REAL
                );
                CREATE INDEX health_by_app ON health_checks(app, checked_at);
                CREATE TABLE keepalive_pings (
                    id          INTEGER PRIMARY KEY AUTOINCREMENT,
                    app         TEXT NOT NULL,
                    pinged_at   INTEGER NOT NULL,
                    ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
                    http_status INTEGER,
                    error       TEXT,
                    total_ms    REAL
                );
                CREATE INDEX keepalive_by_app ON keepalive_pings(app, pinged_at);
                CREATE TABLE dead_letters (
                    id               INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id           INTEGER REFERENCES runs(id) ON DELETE SET NULL,
                    app              TEXT NOT NULL,
                    job              TEXT NOT NULL,
                    payload          TEXT,
                    last_error       TEXT NOT NULL,
                    attempts         INTEGER NOT NULL CHECK (attempts > 0),
                    created_at       INTEGER NOT NULL,
                    replay_count     INTEGER NOT NULL DEFAULT 0,
                    last_replayed_at INTEGER,
                    replay_outcome   TEXT,
                    resolved_at      INTEGER
                );
                CREATE INDEX dead_letters_by_time ON dead_letters(created_at);
                """)
        }
        migrator.registerMigration("002_job_group") { db in
            // The seed-003 time-of-day group (`hourly`, `daily@09:00`, …); NULL for most jobs.
            try db.execute(sql: "ALTER TABLE jobs ADD COLUMN task_group TEXT")
        }
        // Stats aggregate a job's runs over a time window; this index covers those queries so they
        // never touch the table rows.
        migrator.registerMigration("003_stats_indexes") { db in
            try db.execute(sql: """
                CREATE INDEX runs_stats ON runs(app, job, started_at, state, outcome, source, duration_ms, scheduled_for);
                CREATE INDEX health_by_time ON health_checks(checked_at);
                CREATE INDEX keepalive_by_time ON keepalive_pings(pinged_at);
                """)
        }
        // Two outcomes join the CHECK constraint (SQLite cannot alter one, so the table is rebuilt, rows and
        // ids kept): `unknown`, a fire the layer made whose result nobody can know any more (pg_net forgot it),
        // and `interrupted`, a run stopped by the operator (Ctrl-C), which is not a failure of the job.
        // What rbscron last learnt of each Supabase project (paused, unreachable, its pg_cron version).
        migrator.registerMigration("005_project_states") { db in
            try db.execute(sql: """
                CREATE TABLE project_states (
                    project_ref     TEXT PRIMARY KEY NOT NULL,
                    status          TEXT NOT NULL CHECK (status IN ('active', 'paused', 'unreachable', 'unknown')),
                    provider_status TEXT,
                    pg_cron_version TEXT,
                    detail          TEXT,
                    checked_at      INTEGER NOT NULL,
                    synced_until    INTEGER
                );
                """)
        }
        migrator.registerMigration("005_run_outcomes_unknown_interrupted") { db in
            try db.execute(sql: """
                CREATE TABLE runs_new (
                    id               INTEGER PRIMARY KEY AUTOINCREMENT,
                    app              TEXT NOT NULL,
                    job              TEXT NOT NULL,
                    source           TEXT NOT NULL CHECK (source IN ('manual', 'ci', 'due', 'replay', 'remote')),
                    scheduled_for    INTEGER,
                    started_at       INTEGER NOT NULL,
                    finished_at      INTEGER,
                    state            TEXT NOT NULL CHECK (state IN ('started', 'finished', 'abandoned')),
                    attempts         INTEGER NOT NULL DEFAULT 0,
                    http_status      INTEGER,
                    outcome          TEXT CHECK (outcome IN ('ok', 'http_error', 'timeout', 'transport_error',
                                                             'skipped', 'circuit_open', 'denied', 'abandoned',
                                                             'unknown', 'interrupted')),
                    dns_ms           REAL,
                    connect_ms       REAL,
                    tls_ms           REAL,
                    first_byte_ms    REAL,
                    total_ms         REAL,
                    duration_ms      REAL,
                    response_excerpt TEXT,
                    error            TEXT,
                    idempotency_key  TEXT UNIQUE,
                    pid              INTEGER
                );
                INSERT INTO runs_new (id, app, job, source, scheduled_for, started_at, finished_at, state, attempts,
                                      http_status, outcome, dns_ms, connect_ms, tls_ms, first_byte_ms, total_ms,
                                      duration_ms, response_excerpt, error, idempotency_key, pid)
                SELECT id, app, job, source, scheduled_for, started_at, finished_at, state, attempts, http_status,
                       outcome, dns_ms, connect_ms, tls_ms, first_byte_ms, total_ms, duration_ms, response_excerpt,
                       error, idempotency_key, pid
                FROM runs;
                DROP TABLE runs;
                ALTER TABLE runs_new RENAME TO runs;
                CREATE INDEX runs_by_job ON runs(app, job, started_at);
                CREATE INDEX runs_by_time ON runs(started_at);
                CREATE INDEX runs_stats ON runs(app, job, started_at, state, outcome, source, duration_ms, scheduled_for);
                """)
        }
        // `audit`: every probe an audit sent (or skipped), so `stats --html` shows each endpoint's last audit.
        migrator.registerMigration("006_audits") { db in
            try db.execute(sql: """
                CREATE TABLE audit_probes (
                    id          INTEGER PRIMARY KEY AUTOINCREMENT,
                    audited_at  INTEGER NOT NULL,
                    app         TEXT NOT NULL,
                    job         TEXT NOT NULL,
                    method      TEXT NOT NULL,
                    url         TEXT NOT NULL,
                    probe       TEXT NOT NULL,
                    expected    TEXT NOT NULL,
                    http_status INTEGER,
                    final_url   TEXT,
                    verdict     TEXT NOT NULL,
                    severity    TEXT CHECK (severity IN ('critical', 'warning', 'info', 'ok')),
                    detail      TEXT,
                    total_ms    REAL
                );
                CREATE INDEX audit_probes_by_job ON audit_probes(app, job, audited_at);
                """)
        }
        // Alerts: routes (their URLs are sealed secrets, never here), incidents (at most one open per key: the
        // partial unique index is what lets concurrent `alert check` processes agree), one notification per
        // incident, route, event and reminder number (the UNIQUE constraint makes "never twice" a database
        // fact), every delivery attempt, silences, the manifest's maintenance windows and each job's own
        // thresholds.
        migrator.registerMigration("007_alerts") { db in
            try db.execute(sql: """
                ALTER TABLE jobs ADD COLUMN alert_policy TEXT;
                CREATE TABLE maintenance_windows (
                    name        TEXT PRIMARY KEY NOT NULL,
                    cron        TEXT NOT NULL,
                    timezone    TEXT NOT NULL,
                    duration_ms INTEGER NOT NULL CHECK (duration_ms > 0),
                    apps        TEXT NOT NULL,
                    jobs        TEXT NOT NULL,
                    reason      TEXT NOT NULL,
                    position    INTEGER NOT NULL
                );
                CREATE TABLE alert_routes (
                    name       TEXT PRIMARY KEY NOT NULL,
                    kind       TEXT NOT NULL CHECK (kind IN ('webhook', 'slack')),
                    apps       TEXT NOT NULL,
                    layers     TEXT NOT NULL,
                    severities TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE alert_incidents (
                    id           INTEGER PRIMARY KEY AUTOINCREMENT,
                    key          TEXT NOT NULL,
                    kind         TEXT NOT NULL,
                    severity     TEXT NOT NULL CHECK (severity IN ('critical', 'warning')),
                    app          TEXT,
                    job          TEXT,
                    layer        TEXT,
                    summary      TEXT NOT NULL,
                    detail       TEXT,
                    look_closer  TEXT NOT NULL,
                    since        INTEGER NOT NULL,
                    opened_at    INTEGER NOT NULL,
                    last_seen_at INTEGER NOT NULL,
                    resolved_at  INTEGER
                );
                CREATE UNIQUE INDEX alert_incidents_one_open ON alert_incidents(key) WHERE resolved_at IS NULL;
                CREATE INDEX alert_incidents_by_time ON alert_incidents(opened_at);
                CREATE TABLE alert_notifications (
                    id           INTEGER PRIMARY KEY AUTOINCREMENT,
                    incident_id  INTEGER NOT NULL REFERENCES alert_incidents(id) ON DELETE CASCADE,
                    route        TEXT NOT NULL REFERENCES alert_routes(name) ON DELETE CASCADE,
                    event        TEXT NOT NULL CHECK (event IN ('open', 'remind', 'resolve')),
                    sequence     INTEGER NOT NULL DEFAULT 0,
                    state        TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
                    attempts     INTEGER NOT NULL DEFAULT 0,
                    created_at   INTEGER NOT NULL,
                    claim        TEXT,
                    claimed_at   INTEGER,
                    delivered_at INTEGER,
                    last_error   TEXT,
                    UNIQUE (incident_id, route, event, sequence)
                );
                CREATE INDEX alert_notifications_by_state ON alert_notifications(state, id);
                CREATE INDEX alert_notifications_by_route ON alert_notifications(route);
                CREATE TABLE alert_attempts (
                    id              INTEGER PRIMARY KEY AUTOINCREMENT,
                    notification_id INTEGER NOT NULL REFERENCES alert_notifications(id) ON DELETE CASCADE,
                    attempted_at    INTEGER NOT NULL,
                    outcome         TEXT NOT NULL CHECK (outcome IN ('delivered', 'failed')),
                    http_status     INTEGER,
                    error           TEXT,
                    duration_ms     REAL
                );
                CREATE INDEX alert_attempts_by_notification ON alert_attempts(notification_id);
                CREATE TABLE alert_silences (
                    id         INTEGER PRIMARY KEY AUTOINCREMENT,
                    app        TEXT NOT NULL,
                    job        TEXT,
                    reason     TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL CHECK (expires_at > created_at)
                );
                CREATE INDEX alert_silences_by_expiry ON alert_silences(expires_at);
                """)
        }
        // Per-fire accounting (README "Every fire accounted for"): what each layer said of each job besides its
        // finished calls (how far back it was read, whether its schedule is there and active, calls in flight), the
        // decisions of due mode with their reasons, and dead letters that live in a layer (QStash's DLQ).
        migrator.registerMigration("008_fire_evidence") { db in
            try db.execute(sql: """
                CREATE TABLE layer_observations (
                    app                 TEXT NOT NULL,
                    job                 TEXT NOT NULL,
                    layer               TEXT NOT NULL,
                    observed_at         INTEGER NOT NULL,
                    history_from        INTEGER,
                    schedule_state      TEXT CHECK (schedule_state IN ('active', 'paused', 'absent')),
                    schedule_created_at INTEGER,
                    pending             TEXT,
                    note                TEXT,
                    PRIMARY KEY (app, job)
                );
                CREATE TABLE due_decisions (
                    id         INTEGER PRIMARY KEY AUTOINCREMENT,
                    app        TEXT NOT NULL,
                    job        TEXT NOT NULL,
                    fire_at    INTEGER NOT NULL,
                    decided_at INTEGER NOT NULL,
                    state      TEXT NOT NULL,
                    action     TEXT NOT NULL CHECK (action IN ('fired', 'skipped', 'claimed')),
                    via        TEXT,
                    reason     TEXT NOT NULL,
                    run_id     INTEGER REFERENCES runs(id) ON DELETE SET NULL,
                    remote_id  TEXT
                );
                CREATE INDEX due_decisions_by_time ON due_decisions(decided_at);
                CREATE INDEX due_decisions_by_fire ON due_decisions(app, job, fire_at);
                CREATE UNIQUE INDEX due_decisions_one_fire ON due_decisions(app, job, fire_at) WHERE action = 'fired';
                ALTER TABLE dead_letters ADD COLUMN origin TEXT NOT NULL DEFAULT 'rbscron';
                ALTER TABLE dead_letters ADD COLUMN remote_id TEXT;
                CREATE UNIQUE INDEX dead_letters_by_remote ON dead_letters(origin, remote_id) WHERE remote_id IS NOT NULL;
                """)
        }
        // The Vercel project (id or name) and team of each app, so `stats --sync` can read its cron state and
        // request log; NULL until an operator records them.
        migrator.registerMigration("009_vercel_project") { db in
            try db.execute(sql: """
                ALTER TABLE apps ADD COLUMN vercel_project TEXT;
                ALTER TABLE apps ADD COLUMN vercel_team TEXT;
                """)
        }
        // Per-layer settings of an app (Vercel Cron or Schedules, its QStash plan, its project's pg_cron release)
        // and the Vercel Schedules jitter of a job.
        migrator.registerMigration("010_layer_modes") { db in
            try db.execute(sql: """
                ALTER TABLE apps ADD COLUMN vercel_mode TEXT NOT NULL DEFAULT 'crons'
                    CHECK (vercel_mode IN ('crons', 'schedules'));
                ALTER TABLE apps ADD COLUMN qstash_plan TEXT;
                ALTER TABLE apps ADD COLUMN supabase_pg_cron_version TEXT;
                ALTER TABLE jobs ADD COLUMN jitter INTEGER CHECK (jitter IS NULL OR jitter > 0);
                """)
        }
        // A dead letter keeps what its replay must send: the body as sent, sealed under the master key, when the
        // displayed payload had to be redacted (it held a secret). Letters written before this cannot be told
        // apart except by their text, so those showing a redaction are marked and never replayed as they read.
        migrator.registerMigration("011_dead_letter_payloads") { db in
            try db.execute(sql: """
                ALTER TABLE dead_letters ADD COLUMN payload_sealed BLOB;
                ALTER TABLE dead_letters ADD COLUMN payload_redacted INTEGER NOT NULL DEFAULT 0 CHECK (payload_redacted IN (0, 1));
                UPDATE dead_letters SET payload_redacted = 1 WHERE instr(payload, '[REDACTED]') > 0;
                """)
        }
        // Foreign layer entries that `schedule apply --adopt` replaced, and the secret one of them exposed, so the job
        // counts as adopted cleanly only once that secret was rotated after the adoption.
        migrator.registerMigration("012_adoptions") { db in
            try db.execute(sql: """
                CREATE TABLE adoptions (
                    id INTEGER PRIMARY KEY,
                    layer TEXT NOT NULL,
                    app TEXT NOT NULL,
                    job TEXT,
                    entry TEXT NOT NULL,
                    foreign_id TEXT NOT NULL,
                    adopted_at INTEGER NOT NULL,
                    leak_scope TEXT,
                    leak_key TEXT,
                    CHECK ((leak_scope IS NULL) = (leak_key IS NULL))
                );
                CREATE INDEX adoptions_by_app ON adoptions(app, adopted_at);
                """)
        }
        return migrator
    }
}
