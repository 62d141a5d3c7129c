import Foundation

/// The SQL of the fire history the schedule migration keeps in the app's own database.
///
/// pg_net only queues a request: pg_cron's `cron.job_run_details` says `succeeded` whatever the endpoint answers,
/// and pg_net keeps the real answer in `net._http_response` for `pg_net.ttl` (6 hours by default). So the invoker
/// writes one `rbscron.fires` row per call, in the same transaction as the request, and a collector that pg_cron
/// runs every five minutes copies pg_net's answer into it (the status, whether pg_net timed out, its error, and
/// the first 300 characters of the body with the secret removed), marking calls pg_net no longer knows as lost and
/// pruning rows older than ``PgCronSQL/historyRetentionDays``. rbscron reads the table through the Management API.
extension PgCronSQL {
    /// Characters of a response body the history keeps.
    public static let excerptCharacters = 300

    /// The history block of the schedule migration for `app`: schema, table and run-now for every app with pg_cron
    /// jobs; with `http`, also the invoker, the collector and the wait for an answer (these need pg_net and Vault).
    static func historySQL(app: String, http: Bool) -> String {
        let schema = invokerSchema
        let urlName = SQLText.literal(vaultBaseURLName(app: app))
        let secretName = SQLText.literal(vaultCronSecretName(app: app))
        let appLiteral = SQLText.literal(app)
        let redact = """

              SELECT regexp_replace(
                       CASE WHEN secret IS NULL OR secret = '' THEN content
                            ELSE replace(replace(content, secret, '[REDACTED]'), btrim(secret), '[REDACTED]') END,
                       '(bearer\\s+)[A-Za-z0-9._~+/=-]+', '\\1[REDACTED]', 'gi')

            """
        let fingerprint = """

              SELECT left(encode(sha256(convert_to(coalesce(secret, '') || ':' || request_id::text, 'UTF8')), 'hex'), 8)

            """
        let invoke = """

            DECLARE
              v_base_url text;
              v_token text;
              v_url text;
              v_headers jsonb;
              v_method text := upper(coalesce(method, ''));
              v_timeout int := LEAST(GREATEST(coalesce(timeout_ms, \(maxTimeoutMs)), 1), \(maxTimeoutMs));
              v_request_id bigint;
              v_trigger text := nullif(current_setting('rbscron.trigger', true), '');
              v_scheduled_for timestamptz := nullif(current_setting('rbscron.scheduled_for', true), '')::timestamptz;
              v_jobid bigint;
              v_runid bigint;
              v_job_name text := job_name;
            BEGIN
              IF path IS NULL OR left(path, 1) <> '/' THEN
                RAISE EXCEPTION 'rbscron: endpoint path % must start with /', coalesce(path, 'NULL');
              END IF;
              IF v_method NOT IN ('POST', 'GET') THEN
                RAISE EXCEPTION 'rbscron: method % is not supported (POST or GET)', coalesce(method, 'NULL');
              END IF;
              SELECT s.decrypted_secret INTO v_base_url FROM vault.decrypted_secrets s WHERE s.name = \(urlName) LIMIT 1;
              SELECT s.decrypted_secret INTO v_token FROM vault.decrypted_secrets s WHERE s.name = \(secretName) LIMIT 1;
              -- Deny by default: no secret, no request, no history row.
              IF v_token IS NULL OR btrim(v_token) = '' THEN
                RAISE EXCEPTION 'rbscron: Vault secret % is missing or empty; refusing to call % without auth', \(secretName), path
                  USING HINT = 'select vault.create_secret(''<CRON_SECRET>'', ' || quote_literal(\(secretName)) || ');';
              END IF;
              IF v_base_url IS NULL OR btrim(v_base_url) = '' THEN
                RAISE EXCEPTION 'rbscron: Vault secret % (the app base URL) is missing or empty', \(urlName)
                  USING HINT = 'select vault.create_secret(''https://...'', ' || quote_literal(\(urlName)) || ');';
              END IF;
              v_url := rtrim(btrim(v_base_url), '/') || path;
              v_headers := jsonb_build_object(
                'Authorization', 'Bearer ' || v_token,
                'Content-Type', 'application/json',
                'User-Agent', 'rbscron-pg_cron');
              IF v_method = 'GET' THEN
                v_request_id := net.http_get(url := v_url, headers := v_headers, timeout_milliseconds := v_timeout);
              ELSE
                v_request_id := net.http_post(url := v_url, headers := v_headers, body := '{}'::jsonb,
                                              timeout_milliseconds := v_timeout);
              END IF;
              -- Who fired: rbscron.run_job_now sets rbscron.trigger; pg_cron's sessions are application_name
              -- 'pg_cron' (over libpq, cron.host) or backend_type 'pg_cron' (cron.use_background_workers).
              IF v_trigger IS NULL THEN
                IF current_setting('application_name') = 'pg_cron'
                   OR EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = pg_backend_pid() AND a.backend_type = 'pg_cron') THEN
                  v_trigger := 'cron';
                ELSE
                  v_trigger := 'direct';
                END IF;
              END IF;
              IF v_trigger = 'cron' THEN
                -- pg_cron passes no job id to the command, but records the session's pid in job_run_details.
                BEGIN
                  SELECT d.jobid, d.runid INTO v_jobid, v_runid FROM cron.job_run_details d
                    WHERE d.job_pid = pg_backend_pid() AND d.status IN ('starting', 'connecting', 'sending', 'running')
                    ORDER BY d.runid DESC LIMIT 1;
                  IF v_job_name IS NULL AND v_jobid IS NOT NULL THEN
                    SELECT j.jobname INTO v_job_name FROM cron.job j WHERE j.jobid = v_jobid;
                  END IF;
                EXCEPTION WHEN insufficient_privilege OR undefined_table OR invalid_schema_name THEN
                  NULL;  -- no access to pg_cron's tables: the row keeps the job name it was given
                END;
              END IF;
              INSERT INTO \(schema).fires (app, job_name, path, method, timeout_ms, trigger, request_id, secret_fp, cron_jobid, cron_runid,
                                        scheduled_for)
              VALUES (\(appLiteral), v_job_name, path, v_method, v_timeout, v_trigger, v_request_id,
                      \(schema).secret_fingerprint(v_token, v_request_id), v_jobid, v_runid, v_scheduled_for);
              RETURN v_request_id;
            END

            """
        let collect = """

            DECLARE
              v_token text;
            BEGIN
              SELECT s.decrypted_secret INTO v_token FROM vault.decrypted_secrets s WHERE s.name = \(secretName) LIMIT 1;
              -- r.created >= f.fired_at - 1 minute: pg_net's ids restart when the extension is re-created; an older
              -- response with the same id is someone else's. The minute is slack, not a margin of doubt: r.created is
              -- the start of the pg_net worker's transaction, which can begin before the fire's row is written (it
              -- takes the request off the queue in a later statement of that transaction).
              WITH done AS (
                UPDATE \(schema).fires f SET
                  status_code  = r.status_code,
                  timed_out    = r.timed_out,
                  error_msg    = left(\(schema).redact(r.error_msg, v_token), 500),
                  -- Redact the whole body, then cut (a cut first could leave half a token). A body answered to a
                  -- call made with an older secret could echo that one, which is no longer known: withhold it.
                  body_excerpt = CASE WHEN f.secret_fp IS DISTINCT FROM \(schema).secret_fingerprint(v_token, f.request_id)
                                      THEN CASE WHEN r.content IS NULL THEN NULL
                                                ELSE '[withheld: the cron secret changed since this call]' END
                                      ELSE left(\(schema).redact(r.content, v_token), \(excerptCharacters)) END,
                  dispatched_at = r.created,
                  collected_at = clock_timestamp(),
                  outcome      = CASE WHEN r.timed_out THEN 'timeout'
                                      WHEN r.status_code IS NULL THEN 'error'
                                      WHEN r.status_code BETWEEN 200 AND 299 THEN 'ok'
                                      ELSE 'http_error' END
                FROM net._http_response r
                WHERE f.collected_at IS NULL AND r.id = f.request_id AND r.created >= f.fired_at - interval '1 minute'
                RETURNING 1)
              SELECT count(*) INTO collected FROM done;
              -- pg_net takes a request off its queue and writes its response in one transaction, so a call that
              -- is in neither table will never be answered: its response outlived pg_net.ttl, or a crash lost it.
              WITH gone AS (
                UPDATE \(schema).fires f SET
                  outcome = 'lost',
                  collected_at = clock_timestamp(),
                  error_msg = 'rbscron: pg_net has no response for this request any more (expired after pg_net.ttl, or lost in a restart)'
                WHERE f.collected_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM net.http_request_queue q WHERE q.id = f.request_id)
                  AND NOT EXISTS (SELECT 1 FROM net._http_response r WHERE r.id = f.request_id AND r.created >= f.fired_at - interval '1 minute')
                RETURNING 1)
              SELECT count(*) INTO lost FROM gone;
              WITH old AS (DELETE FROM \(schema).fires f WHERE f.fired_at < now() - retention RETURNING 1)
              SELECT count(*) INTO pruned FROM old;
              DELETE FROM \(schema).backfills b WHERE b.scheduled_for < now() - retention;
              RETURN NEXT;
            END

            """
        let runNow = """

            DECLARE
              v_command text;
              v_before bigint;
            BEGIN
              SELECT j.command INTO v_command FROM cron.job j WHERE j.jobname = run_job_now.job_name;
              IF NOT FOUND THEN
                RAISE EXCEPTION 'rbscron: no pg_cron job named %', job_name;
              END IF;
              IF left(v_command, 11) <> '/* rbscron:' THEN
                RAISE EXCEPTION 'rbscron: job % was not scheduled by rbscron; refusing to run it', job_name;
              END IF;
              SELECT coalesce(max(f.id), 0) INTO v_before FROM \(schema).fires f;
              PERFORM pg_catalog.set_config('rbscron.trigger', 'manual', true);
              EXECUTE v_command;
              PERFORM pg_catalog.set_config('rbscron.trigger', '', true);
              RETURN QUERY SELECT f.* FROM \(schema).fires f
                WHERE f.id > v_before AND f.trigger = 'manual' AND f.fired_at >= pg_catalog.now() ORDER BY f.id;
            END

            """
        let backfill = """

            DECLARE
              v_command text;
              v_before bigint;
            BEGIN
              SELECT j.command INTO v_command FROM cron.job j
                WHERE j.jobname = backfill.job_name OR j.jobname LIKE backfill.job_name || '.%'
                ORDER BY j.jobname LIMIT 1;
              IF NOT FOUND THEN
                RAISE EXCEPTION 'rbscron: no pg_cron job named %', job_name;
              END IF;
              IF left(v_command, 11) <> '/* rbscron:' THEN
                RAISE EXCEPTION 'rbscron: job % was not scheduled by rbscron; refusing to run it', job_name;
              END IF;
              INSERT INTO \(schema).backfills AS b (job_name, scheduled_for, claimed_by)
                VALUES (backfill.job_name, backfill.scheduled_for, backfill.claimed_by)
                ON CONFLICT DO NOTHING;
              IF NOT FOUND THEN
                RETURN;  -- claimed already
              END IF;
              SELECT coalesce(max(f.id), 0) INTO v_before FROM \(schema).fires f;
              PERFORM pg_catalog.set_config('rbscron.trigger', 'backfill', true);
              PERFORM pg_catalog.set_config('rbscron.scheduled_for', backfill.scheduled_for::text, true);
              EXECUTE v_command;
              PERFORM pg_catalog.set_config('rbscron.trigger', '', true);
              PERFORM pg_catalog.set_config('rbscron.scheduled_for', '', true);
              RETURN QUERY SELECT f.* FROM \(schema).fires f
                WHERE f.id > v_before AND f.trigger = 'backfill' ORDER BY f.id;
            END

            """
        let wait = """

            DECLARE
              v_deadline timestamptz := clock_timestamp() + make_interval(secs => max_seconds::double precision);
            BEGIN
              LOOP
                PERFORM \(schema).collect_http_responses();
                EXIT WHEN NOT EXISTS (SELECT 1 FROM \(schema).fires f WHERE f.id = fire_id AND f.collected_at IS NULL)
                          OR clock_timestamp() >= v_deadline;
                PERFORM pg_sleep(0.1);
              END LOOP;
              RETURN QUERY SELECT f.* FROM \(schema).fires f WHERE f.id = fire_id;
            END

            """
        let core = """
            -- The fire history (see the header): one row per HTTP call, answered by the collector.
            CREATE SCHEMA IF NOT EXISTS \(schema);
            REVOKE ALL ON SCHEMA \(schema) FROM PUBLIC;
            CREATE TABLE IF NOT EXISTS \(schema).fires (
              id            bigserial   PRIMARY KEY,
              app           text        NOT NULL,
              job_name      text,                        -- rbs-<app>-<job>; NULL for an ad-hoc call
              path          text        NOT NULL,
              method        text        NOT NULL,
              timeout_ms    int         NOT NULL,
              trigger       text        NOT NULL,        -- cron | backfill | manual (run_job_now) | direct (by hand)
              fired_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
              request_id    bigint      NOT NULL,        -- pg_net's request id (its queue's and its responses' id)
              secret_fp     text,                        -- fingerprint of the cron secret used (see secret_fingerprint)
              cron_jobid    bigint,                      -- pg_cron's job and run, when pg_cron fired it
              cron_runid    bigint,
              outcome       text        NOT NULL DEFAULT 'pending',  -- pending | ok | http_error | timeout | error | lost
              status_code   int,
              timed_out     boolean,
              error_msg     text,                        -- pg_net's message, redacted, first 500 characters
              body_excerpt  text,                        -- the body, secret removed, first \(excerptCharacters) characters
              dispatched_at timestamptz,                 -- when pg_net's worker took the request (not the answer time)
              collected_at  timestamptz                  -- NULL while pending
            );
            -- The fire a backfill was made for (rbscron.backfill); added to histories made before it existed.
            ALTER TABLE \(schema).fires ADD COLUMN IF NOT EXISTS scheduled_for timestamptz;
            CREATE INDEX IF NOT EXISTS fires_pending_idx ON \(schema).fires (request_id) WHERE collected_at IS NULL;
            CREATE INDEX IF NOT EXISTS fires_job_time_idx ON \(schema).fires (job_name, fired_at DESC);
            CREATE INDEX IF NOT EXISTS fires_time_idx ON \(schema).fires (fired_at);
            CREATE INDEX IF NOT EXISTS fires_runid_idx ON \(schema).fires (cron_runid);
            REVOKE ALL ON TABLE \(schema).fires FROM PUBLIC;
            REVOKE ALL ON SEQUENCE \(schema).fires_id_seq FROM PUBLIC;

            -- Claims of due mode's backfills: one row per (job, fire), so two runners never both fire the same missed
            -- fire, whatever machine they run on. Pruned with the fire history.
            CREATE TABLE IF NOT EXISTS \(schema).backfills (
              job_name      text        NOT NULL,
              scheduled_for timestamptz NOT NULL,
              claimed_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
              claimed_by    text,
              PRIMARY KEY (job_name, scheduled_for)
            );
            REVOKE ALL ON TABLE \(schema).backfills FROM PUBLIC;

            -- When each of rbscron's pg_cron entries was first scheduled (pg_cron keeps no such date): a fire before it
            -- was not pg_cron's to make, so it is never counted as missed.
            CREATE TABLE IF NOT EXISTS \(schema).schedules (
              job_name            text        PRIMARY KEY,
              first_scheduled_at  timestamptz NOT NULL DEFAULT clock_timestamp()
            );
            REVOKE ALL ON TABLE \(schema).schedules FROM PUBLIC;

            -- Removes the secret (and any "Bearer <token>") from text about to be stored.
            CREATE OR REPLACE FUNCTION \(schema).redact(content text, secret text)
            RETURNS text LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
            AS \(SQLText.dollarQuoted(redact, base: "redact"));

            -- A salted, truncated hash of the cron secret a call was made with: the collector withholds a body when
            -- the secret was rotated since (the body could echo the old value, which is no longer known).
            CREATE OR REPLACE FUNCTION \(schema).secret_fingerprint(secret text, request_id bigint)
            RETURNS text LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
            AS \(SQLText.dollarQuoted(fingerprint, base: "fp"));

            -- Runs a job's own command once (pg_cron has no "run now"), its fires marked manual; only rbscron's jobs.
            -- Commit, then wait_for_fire(id): pg_net sees a request only once it is committed.
            CREATE OR REPLACE FUNCTION \(schema).run_job_now(job_name text)
            RETURNS SETOF \(schema).fires LANGUAGE plpgsql
            AS \(SQLText.dollarQuoted(runNow, base: "run"));
            REVOKE ALL ON FUNCTION \(schema).run_job_now(text) FROM PUBLIC;

            -- Due mode's backfill of one missed fire: claims (job, fire) and runs the job's command once, its fire marked
            -- backfill with the fire it stands for; returns nothing when the fire was claimed already (by any runner).
            CREATE OR REPLACE FUNCTION \(schema).backfill(job_name text, scheduled_for timestamptz, claimed_by text)
            RETURNS SETOF \(schema).fires LANGUAGE plpgsql
            AS \(SQLText.dollarQuoted(backfill, base: "backfill"));
            REVOKE ALL ON FUNCTION \(schema).backfill(text, timestamptz, text) FROM PUBLIC;
            """
        guard http else { return core }
        return core + "\n\n" + """
            -- Invoker: POST/GET <base URL><path> through pg_net with the app's cron secret, at most \(maxTimeoutMs) ms
            -- (Supabase drops edge calls after about 15 s), recorded in \(schema).fires. Returns pg_net's request id.
            CREATE OR REPLACE FUNCTION \(schema).invoke_cron_endpoint(path text, method text, timeout_ms int, job_name text)
            RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
            AS \(SQLText.dollarQuoted(invoke, base: "invoke"));
            REVOKE ALL ON FUNCTION \(schema).invoke_cron_endpoint(text, text, int, text) FROM PUBLIC;

            -- The form the jobs of earlier migrations call: they keep working (recorded under pg_cron's job name)
            -- until this migration's jobs replace them.
            CREATE OR REPLACE FUNCTION \(schema).invoke_cron_endpoint(path text, method text, timeout_ms int)
            RETURNS bigint LANGUAGE sql SET search_path = pg_catalog, pg_temp
            AS $invoke3$ SELECT \(schema).invoke_cron_endpoint(path, method, timeout_ms, NULL::text) $invoke3$;
            REVOKE ALL ON FUNCTION \(schema).invoke_cron_endpoint(text, text, int) FROM PUBLIC;

            -- Copies pg_net's answers into \(schema).fires, marks calls pg_net no longer knows as lost, prunes old rows.
            CREATE OR REPLACE FUNCTION \(schema).collect_http_responses(retention interval DEFAULT interval '\(historyRetentionDays) days')
            RETURNS TABLE (collected bigint, lost bigint, pruned bigint) LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
            AS \(SQLText.dollarQuoted(collect, base: "collect"));
            REVOKE ALL ON FUNCTION \(schema).collect_http_responses(interval) FROM PUBLIC;

            -- Waits (at most max_seconds), collecting, until a committed fire has its answer.
            CREATE OR REPLACE FUNCTION \(schema).wait_for_fire(fire_id bigint, max_seconds numeric DEFAULT 20)
            RETURNS SETOF \(schema).fires LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
            AS \(SQLText.dollarQuoted(wait, base: "wait"));
            REVOKE ALL ON FUNCTION \(schema).wait_for_fire(bigint, numeric) FROM PUBLIC;
            """
    }

    // MARK: Functions the SQL jobs call

    /// A SQL job that is one call of a function without arguments (`SELECT keep_alive()`, `SELECT public.f();`):
    /// the function's schema (nil when unqualified) and name, lower-cased.
    static func functionCalls(in sql: String) -> [(schema: String?, name: String)] {
        let text = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let match = text.wholeMatch(of: /(?i)select\s+(?:([a-z_][a-z0-9_]*)\s*\.\s*)?([a-z_][a-z0-9_]*)\s*\(\s*\)\s*;?/) else {
            return []
        }
        return [(match.output.1.map { String($0).lowercased() }, String(match.output.2).lowercased())]
    }

    /// The functions of the seed's keep-alive pattern, created by the migration when a job calls them, so a job
    /// never fails on every run for want of a function (the seed's definitions, `CREATE OR REPLACE`).
    static let knownFunctions: [String: String] = [
        "keep_alive": "CREATE OR REPLACE FUNCTION public.keep_alive() RETURNS void LANGUAGE sql AS $$ SELECT 1; $$;",
        "cleanup_cron_history": """
            CREATE OR REPLACE FUNCTION public.cleanup_cron_history() RETURNS void LANGUAGE sql AS $$
            DELETE FROM cron.job_run_details WHERE end_time < NOW() - INTERVAL '7 days';
            $$;
            """,
    ]

    /// Creates the known functions the SQL jobs call, and checks in the preflight that every other function they
    /// call exists, so the migration stops with a sentence instead of scheduling a job that fails on every run.
    static func supportFunctionsSQL(_ calls: [(job: JobRef, call: (schema: String?, name: String))]) -> String? {
        guard !calls.isEmpty else { return nil }
        var created: [String] = []
        var checks: [String] = []
        for (job, call) in calls {
            if call.schema == nil || call.schema == "public", let definition = knownFunctions[call.name] {
                if !created.contains(definition) { created.append(definition) }
                continue
            }
            let schemaTest = call.schema.map { "n.nspname = \(SQLText.literal($0))" } ?? "pg_function_is_visible(p.oid)"
            let shown = (call.schema.map { "\($0)." } ?? "") + call.name + "()"
            checks.append("""
                  IF NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                                 WHERE p.proname = \(SQLText.literal(call.name)) AND \(schemaTest)) THEN
                    RAISE EXCEPTION 'rbscron: job % calls %, which does not exist in this database; create it, then apply this migration again', \(SQLText.literal(job.description)), \(SQLText.literal(shown));
                  END IF;
                """)
        }
        var out: [String] = []
        if !created.isEmpty {
            out.append("-- Functions the SQL jobs call, created here so they never fail for want of them.")
            out += created
        }
        if !checks.isEmpty {
            let body = "\nBEGIN\n" + checks.joined(separator: "\n") + "\nEND\n"
            out.append("-- Functions the SQL jobs call that this migration does not create must exist already.")
            out.append("DO \(SQLText.dollarQuoted(body, base: "calls"));")
        }
        return out.joined(separator: "\n")
    }
}
