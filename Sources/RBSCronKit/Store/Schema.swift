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
        // A dead letter keeps what its replay must send: the body as sent, sealed under the master key, when the
        // displayed payload had to be redacted (it held a secret). Letters written before this cannot be told
        // apart except by their text, so those showing a redaction are marked and never replayed as they read.
        migrator.registerMigration("004_dead_letter_payloads") { db in
            try db.execute(sql: """
                ALTER TABLE dead_letters ADD COLUMN payload_sealed BLOB;
                ALTER TABLE dead_letters ADD COLUMN payload_redacted INTEGER NOT NULL DEFAULT 0 CHECK (payload_redacted IN (0, 1));
                UPDATE dead_letters SET payload_redacted = 1 WHERE instr(payload, '[REDACTED]') > 0;
                """)
        }
        return migrator
    }
}
