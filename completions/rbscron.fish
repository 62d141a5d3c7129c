function __rbscron_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __rbscron_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __rbscron_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __rbscron_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __rbscron_parse_tokens -S
    set -l unparsed_tokens (__rbscron_tokens -pc)
    switch $unparsed_tokens[1]
    case 'rbscron'
        __rbscron_parse_subcommand 0 'db=' 'no-color' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'list'
            __rbscron_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'apps'
                __rbscron_parse_subcommand 0 'db=' 'no-color' 'app=' 'layer=' 'json' 'version' 'h/help'
            case 'jobs'
                __rbscron_parse_subcommand 0 'db=' 'no-color' 'app=' 'layer=' 'json' 'version' 'h/help'
            case 'secrets'
                __rbscron_parse_subcommand 0 'db=' 'no-color' 'app=' 'layer=' 'json' 'version' 'h/help'
            case 'schedules'
                __rbscron_parse_subcommand 0 'db=' 'no-color' 'app=' 'layer=' 'json' 'remote' 'vercel-json=' 'version' 'h/help'
            end
        case 'import'
            __rbscron_parse_subcommand 1 'db=' 'no-color' 'json' 'dry-run' 'version' 'h/help'
        case 'export'
            __rbscron_parse_subcommand 0 'db=' 'no-color' 'o/output=' 'version' 'h/help'
        case 'schedule'
            __rbscron_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'next'
                __rbscron_parse_subcommand 1 'db=' 'no-color' 'json' 'from=' 'count=' 'tz=' 'dialect=' 'version' 'h/help'
            case 'timeline'
                __rbscron_parse_subcommand 0 'db=' 'no-color' 'json' 'hours=' 'from=' 'app=' 'tz=' 'burst=' 'version' 'h/help'
            case 'check'
                __rbscron_parse_subcommand 0 'db=' 'no-color' 'json' 'app=' 'exit-code' 'version' 'h/help'
            case 'plan'
                __rbscron_parse_subcommand 0 'db=' 'no-color' 'layer=' 'app=' 'vercel-json=' 'out=' 'prune-foreign' 'json' 'exit-code' 'version' 'h/help'
            case 'apply'
                __rbscron_parse_subcommand 0 'db=' 'no-color' 'layer=' 'app=' 'vercel-json=' 'out=' 'prune-foreign' 'json' 'dry-run' 'version' 'h/help'
            case 'pause'
                __rbscron_parse_subcommand 1 'db=' 'no-color' 'version' 'h/help'
            case 'resume'
                __rbscron_parse_subcommand 1 'db=' 'no-color' 'version' 'h/help'
            end
        case 'trigger'
            __rbscron_parse_subcommand -r 1 'db=' 'no-color' 'json' 'dry-run' 'timeout=' 'retries=' 'body=' 'insecure' 'force' 'max-age=' 'backoff-base=' 'backoff-cap=' 'breaker-threshold=' 'breaker-cooldown=' 'group=' 'app=' 'schedule=' 'at=' 'parallel=' 'due' 'window=' 'replay-dead-letters' 'limit=' 'version' 'h/help'
        case 'health-check'
            __rbscron_parse_subcommand 0 'db=' 'no-color' 'json' 'app=' 'timeout=' 'concurrency=' 'slow=' 'no-record' 'insecure' 'version' 'h/help'
        case 'keepalive'
            __rbscron_parse_subcommand 0 'db=' 'no-color' 'json' 'project=' 'status' 'sql' 'out=' 'timeout=' 'insecure' 'version' 'h/help'
        case 'stats'
            __rbscron_parse_subcommand 0 'db=' 'no-color' 'json' 'app=' 'job=' 'since=' 'exit-code' 'sync' 'html=' 'version' 'h/help'
        case 'cleanup'
            __rbscron_parse_subcommand 0 'db=' 'no-color' 'json' 'older-than=' 'runs=' 'health-checks=' 'dead-letters=' 'keepalive-pings=' 'dry-run' 'vacuum' 'remote' 'layer=' 'app=' 'version' 'h/help'
        case 'secret'
            __rbscron_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'set'
                __rbscron_parse_subcommand 2 'db=' 'no-color' 'from-env=' 'from-file=' 'version' 'h/help'
            case 'list'
                __rbscron_parse_subcommand 0 'db=' 'no-color' 'json' 'app=' 'version' 'h/help'
            case 'get'
                __rbscron_parse_subcommand 2 'db=' 'no-color' 'reveal' 'version' 'h/help'
            case 'rotate'
                __rbscron_parse_subcommand 2 'db=' 'no-color' 'json' 'generate' 'grace=' 'from-env=' 'from-file=' 'version' 'h/help'
            case 'rm'
                __rbscron_parse_subcommand 2 'db=' 'no-color' 'version' 'h/help'
            end
        case 'help'
            __rbscron_parse_subcommand -r 1 'version'
        end
    end
end

function __rbscron_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __rbscron_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __rbscron_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __rbscron_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__rbscron_tokens -p)
    if test -z "$(__rbscron_tokens -t)"
        set -l index (count (__rbscron_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'rbscron' -f
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron" -eq 1' -fa 'list' -d 'List the inventory: apps, jobs, secrets or schedules.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron" -eq 1' -fa 'import' -d 'Replace the inventory\'s apps and jobs with a YAML manifest.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron" -eq 1' -fa 'export' -d 'Write the inventory\'s apps and jobs as a YAML manifest.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron" -eq 1' -fa 'schedule' -d 'Fire times, the timeline, checks against each layer\'s rules, and keeping the layers in sync.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron" -eq 1' -fa 'trigger' -d 'Fire jobs now, with their auth, retries, circuit breaker and dead letters.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron" -eq 1' -fa 'health-check' -d 'Check every active app\'s health target in parallel; exit 2 if any is down.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron" -eq 1' -fa 'keepalive' -d 'Keep Supabase projects awake; warn before the free tier\'s 7-day pause.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron" -eq 1' -fa 'stats' -d 'Success rates, latency percentiles, failure streaks and missed fires; --html writes a dashboard.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron" -eq 1' -fa 'cleanup' -d 'Prune local history: runs, health checks, dead letters, keep-alive pings, expired previous secrets.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron" -eq 1' -fa 'secret' -d 'Manage the inventory\'s secrets, encrypted at rest.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron list" -eq 1' -fa 'apps' -d 'List the apps.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron list" -eq 1' -fa 'jobs' -d 'List the jobs with their layer, schedule and auth.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron list" -eq 1' -fa 'secrets' -d 'List secrets (masked), the jobs that use them, and the jobs that lack one (as `secret list`).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron list" -eq 1' -fa 'schedules' -d 'List the scheduled jobs by layer, or with --remote what the layer itself holds.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list apps" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list apps" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list apps" app' -l 'app' -d 'Only this app (its slug, e.g. la-hoja).' -rfka '(__rbscron_custom_completion ---completion list apps -- --app (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list apps" layer' -l 'layer' -d 'Only this layer: vercel, qstash, pg_cron, manual, fanout.' -rfka 'vercel qstash pg_cron manual fanout'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list apps" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list apps" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list apps" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list jobs" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list jobs" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list jobs" app' -l 'app' -d 'Only this app (its slug, e.g. la-hoja).' -rfka '(__rbscron_custom_completion ---completion list jobs -- --app (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list jobs" layer' -l 'layer' -d 'Only this layer: vercel, qstash, pg_cron, manual, fanout.' -rfka 'vercel qstash pg_cron manual fanout'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list jobs" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list jobs" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list jobs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list secrets" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list secrets" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list secrets" app' -l 'app' -d 'Only this app (its slug, e.g. la-hoja).' -rfka '(__rbscron_custom_completion ---completion list secrets -- --app (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list secrets" layer' -l 'layer' -d 'Only this layer: vercel, qstash, pg_cron, manual, fanout.' -rfka 'vercel qstash pg_cron manual fanout'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list secrets" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list secrets" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list secrets" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list schedules" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list schedules" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list schedules" app' -l 'app' -d 'Only this app (its slug, e.g. la-hoja).' -rfka '(__rbscron_custom_completion ---completion list schedules -- --app (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list schedules" layer' -l 'layer' -d 'Only this layer: vercel, qstash, pg_cron, manual, fanout.' -rfka 'vercel qstash pg_cron manual fanout'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list schedules" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list schedules" remote' -l 'remote' -d 'Read the layer itself: QStash\'s schedules, pg_cron\'s cron.job, or the app\'s vercel.json.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list schedules" vercel-json' -l 'vercel-json' -d 'With --remote --layer vercel: the app\'s vercel.json (default ./vercel.json).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list schedules" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron list schedules" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron import" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron import" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron import" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron import" dry-run' -l 'dry-run' -d 'Validate and show what would change; write nothing.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron import" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron export" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron export" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron export" o output' -s 'o' -l 'output' -d 'Write to this file instead of standard output (a link\'s target keeps its mode).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron export" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron schedule" -eq 1' -fa 'next' -d 'The next fire times of a cron expression, or of a job of the inventory.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron schedule" -eq 1' -fa 'timeline' -d 'Every fire across the inventory in a window, with bursts and a per-app heat strip.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron schedule" -eq 1' -fa 'check' -d 'Check every job against its layer\'s rules and limits.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron schedule" -eq 1' -fa 'plan' -d 'Compare the inventory with what a layer holds: create, update, delete, unchanged.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron schedule" -eq 1' -fa 'apply' -d 'Make a layer match the inventory (QStash upserts, vercel.json crons, a pg_cron migration file).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron schedule" -eq 1' -fa 'pause' -d 'Pause the QStash schedule of a qstash job (it stops firing until resumed).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron schedule" -eq 1' -fa 'resume' -d 'Resume the paused QStash schedule of a qstash job.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule next" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule next" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule next" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron schedule next" -eq 1' -fka '(__rbscron_custom_completion ---completion schedule next -- positional@0 (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule next" from' -l 'from' -d 'Fires strictly after this RFC 3339 time (default: now).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule next" count' -l 'count' -d 'How many fires, 1–1000.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule next" tz' -l 'tz' -d 'The IANA zone the expression is meant in, and in which times are shown (default: UTC, or the job\'s zone).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule next" dialect' -l 'dialect' -d 'The expression\'s syntax: vixie, vercel, qstash, pg_cron (default: vixie).' -rfka 'vixie vercel qstash pg_cron'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule next" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule next" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule timeline" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule timeline" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule timeline" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule timeline" hours' -l 'hours' -d 'Window length in hours, 1–744.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule timeline" from' -l 'from' -d 'Window start, RFC 3339 (default: now).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule timeline" app' -l 'app' -d 'Only this app\'s fires (its slug).' -rfka '(__rbscron_custom_completion ---completion schedule timeline -- --app (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule timeline" tz' -l 'tz' -d 'The zone times and the hour ruler are shown in (default: UTC).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule timeline" burst' -l 'burst' -d 'Jobs in one minute that make a burst (at least 2).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule timeline" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule timeline" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule check" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule check" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule check" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule check" app' -l 'app' -d 'Only this app\'s jobs (its slug).' -rfka '(__rbscron_custom_completion ---completion schedule check -- --app (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule check" exit-code' -l 'exit-code' -d 'Exit 2 when any finding is an error.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule check" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule plan" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule plan" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule plan" layer' -l 'layer' -d 'The layer: qstash, vercel or pg_cron.' -rfka 'vercel qstash pg_cron manual fanout'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule plan" app' -l 'app' -d 'Only this app (required for vercel and pg_cron).' -rfka '(__rbscron_custom_completion ---completion schedule plan -- --app (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule plan" vercel-json' -l 'vercel-json' -d 'The app\'s vercel.json (vercel layer; default ./vercel.json).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule plan" out' -l 'out' -d 'Where apply writes the pg_cron migration (default supabase/migrations).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule plan" prune-foreign' -l 'prune-foreign' -d 'QStash: also delete schedules rbscron did not make (no rbs- prefix).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule plan" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule plan" exit-code' -l 'exit-code' -d 'Exit 2 when applying would change something.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule plan" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule plan" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule apply" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule apply" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule apply" layer' -l 'layer' -d 'The layer: qstash, vercel or pg_cron.' -rfka 'vercel qstash pg_cron manual fanout'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule apply" app' -l 'app' -d 'Only this app (required for vercel and pg_cron).' -rfka '(__rbscron_custom_completion ---completion schedule apply -- --app (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule apply" vercel-json' -l 'vercel-json' -d 'The app\'s vercel.json (vercel layer; default ./vercel.json).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule apply" out' -l 'out' -d 'Where apply writes the pg_cron migration (default supabase/migrations).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule apply" prune-foreign' -l 'prune-foreign' -d 'QStash: also delete schedules rbscron did not make (no rbs- prefix).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule apply" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule apply" dry-run' -l 'dry-run' -d 'Show what would change; change nothing.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule apply" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule apply" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule pause" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule pause" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron schedule pause" -eq 1' -fka '(__rbscron_custom_completion ---completion schedule pause -- positional@0 (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule pause" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule pause" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule resume" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule resume" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron schedule resume" -eq 1' -fka '(__rbscron_custom_completion ---completion schedule resume -- positional@0 (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule resume" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron schedule resume" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron trigger" -ge 1' -fka '(__rbscron_custom_completion ---completion trigger -- positional@0 (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" dry-run' -l 'dry-run' -d 'Print the exact requests (credentials masked, the secret\'s source named); send nothing, record nothing.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" timeout' -l 'timeout' -d 'Bound each attempt (default: the job\'s timeout), e.g. 30s; at most 24h.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" retries' -l 'retries' -d 'Attempts after the first, 0 to 10 (default: the job\'s retries).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" body' -l 'body' -d 'The JSON request body.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" insecure' -l 'insecure' -d 'Do not verify TLS certificates (only for a host you trust).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" force' -l 'force' -d 'Fire even when a job\'s circuit breaker is open.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" max-age' -l 'max-age' -d 'Do not retry a run older than this since its first attempt, e.g. 5m.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" backoff-base' -l 'backoff-base' -d 'The first retry waits up to this (doubling each time), e.g. 500ms.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" backoff-cap' -l 'backoff-cap' -d 'No retry waits longer than this (Retry-After included), e.g. 30s.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" breaker-threshold' -l 'breaker-threshold' -d 'Consecutive failed runs that open a job\'s circuit breaker (0 turns it off).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" breaker-cooldown' -l 'breaker-cooldown' -d 'How long an open breaker skips the job before a probe, e.g. 15m.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" group' -l 'group' -d 'Fire this dispatcher\'s fan-out children in order (the fallback when it is broken).' -rfka '(__rbscron_custom_completion ---completion trigger -- --group (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" app' -l 'app' -d 'The app for --schedule; a filter for --due and --replay-dead-letters.' -rfka '(__rbscron_custom_completion ---completion trigger -- --app (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" schedule' -l 'schedule' -d 'Fire the app\'s time-of-day group: hourly, daily or weekly.' -rfka 'hourly daily weekly'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" at' -l 'at' -d 'With --schedule: the group\'s time HH:MM. With --due: the reference time (RFC 3339).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" parallel' -l 'parallel' -d 'Jobs in flight at once: APP/JOB… and --due fire up to N together; a group honours depends_on and priority.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" due' -l 'due' -d 'Fire every scheduled job whose latest fire time is within --window and not yet fired.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" window' -l 'window' -d 'With --due: how far back a fire still counts, e.g. 30m.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" replay-dead-letters' -l 'replay-dead-letters' -d 'Replay unresolved dead letters, each once.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" limit' -l 'limit' -d 'With --replay-dead-letters: at most this many.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron trigger" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron health-check" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron health-check" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron health-check" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron health-check" app' -l 'app' -d 'Only this app (checked even when inactive).' -rfka '(__rbscron_custom_completion ---completion health-check -- --app (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron health-check" timeout' -l 'timeout' -d 'Time allowed for each request, e.g. 10s or 500ms.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron health-check" concurrency' -l 'concurrency' -d 'Requests in flight at once (1 to 1000).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron health-check" slow' -l 'slow' -d 'An app slower than this is degraded, e.g. 2s.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron health-check" no-record' -l 'no-record' -d 'Do not record the results in the inventory.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron health-check" insecure' -l 'insecure' -d 'Do not verify TLS certificates (only for hosts you trust).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron health-check" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron health-check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron keepalive" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron keepalive" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron keepalive" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron keepalive" project' -l 'project' -d 'Only this app\'s Supabase project (the app\'s slug).' -rfka '(__rbscron_custom_completion ---completion keepalive -- --project (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron keepalive" status' -l 'status' -d 'Show the days since each project\'s last successful ping instead of pinging.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron keepalive" sql' -l 'sql' -d 'Print the pg_cron keep-alive migration instead of pinging.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron keepalive" out' -l 'out' -d 'With --sql: write the migration into this folder under its suggested name.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron keepalive" timeout' -l 'timeout' -d 'Time allowed for each request, e.g. 10s.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron keepalive" insecure' -l 'insecure' -d 'Do not verify TLS certificates (only for hosts you trust).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron keepalive" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron keepalive" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron stats" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron stats" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron stats" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron stats" app' -l 'app' -d 'Only this app (its slug).' -rfka '(__rbscron_custom_completion ---completion stats -- --app (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron stats" job' -l 'job' -d 'Only this job: APP/JOB, or a job name (with --app).' -rfka '(__rbscron_custom_completion ---completion stats -- --job (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron stats" since' -l 'since' -d 'The window: runs and checks since this long ago (e.g. 24h, 7d, 90d).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron stats" exit-code' -l 'exit-code' -d 'Exit 2 when a job\'s latest run failed or an observed job missed a fire.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron stats" sync' -l 'sync' -d 'First read QStash delivery events and pg_cron run history into the inventory (needs QSTASH_TOKEN / SUPABASE_ACCESS_TOKEN secrets).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron stats" html' -l 'html' -d 'Also write a self-contained HTML dashboard to this file (- for standard output, alone).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron stats" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron stats" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron cleanup" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron cleanup" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron cleanup" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron cleanup" older-than' -l 'older-than' -d 'Retention for every table (e.g. 14d).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron cleanup" runs' -l 'runs' -d 'Retention for runs (default 90d).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron cleanup" health-checks' -l 'health-checks' -d 'Retention for health checks (default 30d).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron cleanup" dead-letters' -l 'dead-letters' -d 'Retention for dead letters (default 30d).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron cleanup" keepalive-pings' -l 'keepalive-pings' -d 'Retention for keep-alive pings (default 30d).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron cleanup" dry-run' -l 'dry-run' -d 'Count what would be removed; change nothing.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron cleanup" vacuum' -l 'vacuum' -d 'Run VACUUM afterwards to give the space back to the file system.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron cleanup" remote' -l 'remote' -d 'Delete rbscron\'s schedules on the layer that are no longer in the inventory (local history is untouched).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron cleanup" layer' -l 'layer' -d 'With --remote: the layer to clean (qstash).' -rfka 'vercel qstash pg_cron manual fanout'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron cleanup" app' -l 'app' -d 'With --remote: only this app\'s schedules.' -rfka '(__rbscron_custom_completion ---completion cleanup -- --app (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron cleanup" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron cleanup" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron secret" -eq 1' -fa 'set' -d 'Store a secret, read from standard input (no echo on a terminal), --from-env or --from-file.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron secret" -eq 1' -fa 'list' -d 'List secrets (masked), the jobs that use them, and the jobs that lack one.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron secret" -eq 1' -fa 'get' -d 'Print a secret\'s raw value for piping (requires --reveal).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron secret" -eq 1' -fa 'rotate' -d 'Replace a secret\'s value, keep the previous one for a grace period, and print each layer\'s steps.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron secret" -eq 1' -fa 'rm' -d 'Remove a secret.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret set" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret set" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron secret set" -eq 1' -fka '(__rbscron_custom_completion ---completion secret set -- positional@0 (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret set" from-env' -l 'from-env' -d 'Read the value from this environment variable.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret set" from-file' -l 'from-file' -d 'Read the value from this file (one trailing newline is dropped).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret set" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret set" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret list" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret list" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret list" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret list" app' -l 'app' -d 'Only this app\'s secrets and jobs (global secrets are shown too).' -rfka '(__rbscron_custom_completion ---completion secret list -- --app (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret list" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret get" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret get" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron secret get" -eq 1' -fka '(__rbscron_custom_completion ---completion secret get -- positional@0 (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret get" reveal' -l 'reveal' -d 'Really print the value.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret get" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret get" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret rotate" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret rotate" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret rotate" json' -l 'json' -d 'Print JSON (sorted snake_case keys, RFC 3339 times) instead of a table.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron secret rotate" -eq 1' -fka '(__rbscron_custom_completion ---completion secret rotate -- positional@0 (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret rotate" generate' -l 'generate' -d 'Generate the new value instead of reading it.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret rotate" grace' -l 'grace' -d 'How long the previous value stays valid (e.g. 24h, 0s for none).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret rotate" from-env' -l 'from-env' -d 'Read the value from this environment variable.' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret rotate" from-file' -l 'from-file' -d 'Read the value from this file (one trailing newline is dropped).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret rotate" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret rotate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret rm" db' -l 'db' -d 'The inventory file (default: $RBSCRON_DB, else $XDG_DATA_HOME/rbscron/inventory.sqlite).' -rfka ''
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret rm" no-color' -l 'no-color' -d 'Never colour the output (also: NO_COLOR set in the environment).'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_positional "rbscron secret rm" -eq 1' -fka '(__rbscron_custom_completion ---completion secret rm -- positional@0 (count (__rbscron_tokens -pc)) (__rbscron_tokens -tC))'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret rm" version' -l 'version' -d 'Show the version.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron secret rm" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'rbscron' -n '__rbscron_should_offer_completions_for_flags_or_options "rbscron help" version' -l 'version' -d 'Show the version.'
