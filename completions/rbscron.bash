#!/bin/bash

__rbscron_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__rbscron_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__rbscron_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__rbscron_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_rbscron() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--no-color --version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=(--db --color)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|import|export|schedule|trigger|health-check|keepalive|stats|cleanup|secret|audit|alert|completion|help)
        # Offer subcommand argument completions
        "_rbscron_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list import export schedule trigger health-check keepalive stats cleanup secret audit alert completion help' -- "${cur}"))
        ;;
    esac
}

_rbscron_list() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __rbscron_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    apps|jobs|secrets|schedules)
        # Offer subcommand argument completions
        "_rbscron_list_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'apps jobs secrets schedules' -- "${cur}"))
        ;;
    esac
}

_rbscron_list_apps() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color --app --layer -o --output)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion list apps -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--layer')
        __rbscron_add_completions -W 'vercel'$'\n''qstash'$'\n''pg_cron'$'\n''manual'$'\n''fanout'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    esac
}

_rbscron_list_jobs() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color --app --layer -o --output)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion list jobs -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--layer')
        __rbscron_add_completions -W 'vercel'$'\n''qstash'$'\n''pg_cron'$'\n''manual'$'\n''fanout'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    esac
}

_rbscron_list_secrets() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color --app --layer -o --output)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion list secrets -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--layer')
        __rbscron_add_completions -W 'vercel'$'\n''qstash'$'\n''pg_cron'$'\n''manual'$'\n''fanout'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    esac
}

_rbscron_list_schedules() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --remote --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color --app --layer -o --output --vercel-json)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion list schedules -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--layer')
        __rbscron_add_completions -W 'vercel'$'\n''qstash'$'\n''pg_cron'$'\n''manual'$'\n''fanout'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--vercel-json')
        return
        ;;
    esac
}

_rbscron_import() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --dry-run --yes --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output)
    __rbscron_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    esac
}

_rbscron_export() {
    repeating_flags=()
    non_repeating_flags=(--no-color --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        return
        ;;
    esac
}

_rbscron_schedule() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __rbscron_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    next|timeline|check|plan|apply|migrate|pause|resume)
        # Offer subcommand argument completions
        "_rbscron_schedule_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'next timeline check plan apply migrate pause resume' -- "${cur}"))
        ;;
    esac
}

_rbscron_schedule_next() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output --from --count --tz --dialect)
    __rbscron_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--from')
        return
        ;;
    '--count')
        return
        ;;
    '--tz')
        return
        ;;
    '--dialect')
        __rbscron_add_completions -W 'vixie'$'\n''vercel'$'\n''qstash'$'\n''pg_cron'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion schedule next -- positional@0 "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_rbscron_schedule_timeline() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --budget --exit-code --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output --hours --from --app --tz --burst)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--hours')
        return
        ;;
    '--from')
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion schedule timeline -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--tz')
        return
        ;;
    '--burst')
        return
        ;;
    esac
}

_rbscron_schedule_check() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --exit-code --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output --app --from)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion schedule check -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--from')
        return
        ;;
    esac
}

_rbscron_schedule_plan() {
    repeating_flags=()
    non_repeating_flags=(--no-color --prune-foreign --json --no-headers --exit-code --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color --layer --app --vercel-json --out -o --output)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '--layer')
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion schedule plan -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--vercel-json')
        return
        ;;
    '--out')
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    esac
}

_rbscron_schedule_apply() {
    repeating_flags=()
    non_repeating_flags=(--no-color --prune-foreign --json --no-headers --dry-run --adopt --yes --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color --layer --app --vercel-json --out -o --output)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '--layer')
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion schedule apply -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--vercel-json')
        return
        ;;
    '--out')
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    esac
}

_rbscron_schedule_migrate() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --write --exit-code --version -h --help)
    repeating_options=(--move)
    non_repeating_options=(--db --color -o --output --layer --app --vercel-json --from)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--layer')
        __rbscron_add_completions -W 'vercel'$'\n''qstash'$'\n''pg_cron'$'\n''manual'$'\n''fanout'
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion schedule migrate -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--vercel-json')
        return
        ;;
    '--move')
        return
        ;;
    '--from')
        return
        ;;
    esac
}

_rbscron_schedule_pause() {
    repeating_flags=()
    non_repeating_flags=(--no-color --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color)
    __rbscron_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion schedule pause -- positional@0 "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_rbscron_schedule_resume() {
    repeating_flags=()
    non_repeating_flags=(--no-color --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color)
    __rbscron_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion schedule resume -- positional@0 "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_rbscron_trigger() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --dry-run --insecure --force --due --include-unobserved --blind --explain --replay-dead-letters --discard --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output --timeout --retries --body --max-age --backoff-base --backoff-cap --breaker-threshold --breaker-cooldown --group --app --schedule --at --parallel --window --grace --backfill-via --via --limit --ping)
    __rbscron_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--timeout')
        return
        ;;
    '--retries')
        return
        ;;
    '--body')
        return
        ;;
    '--max-age')
        return
        ;;
    '--backoff-base')
        return
        ;;
    '--backoff-cap')
        return
        ;;
    '--breaker-threshold')
        return
        ;;
    '--breaker-cooldown')
        return
        ;;
    '--group')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion trigger -- --group "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion trigger -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--schedule')
        __rbscron_add_completions -W 'hourly'$'\n''daily'$'\n''weekly'
        return
        ;;
    '--at')
        return
        ;;
    '--parallel')
        return
        ;;
    '--window')
        return
        ;;
    '--grace')
        return
        ;;
    '--backfill-via')
        __rbscron_add_completions -W 'auto'$'\n''qstash'$'\n''direct'
        return
        ;;
    '--via')
        __rbscron_add_completions -W 'vercel'$'\n''qstash'$'\n''pg_cron'$'\n''manual'$'\n''fanout'
        return
        ;;
    '--limit')
        return
        ;;
    '--ping')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion trigger -- positional@0 "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_rbscron_health-check() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --no-record --insecure --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output --app --timeout --concurrency --slow)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion health-check -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--timeout')
        return
        ;;
    '--concurrency')
        return
        ;;
    '--slow')
        return
        ;;
    esac
}

_rbscron_keepalive() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --status --sql --insecure --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output --app --out --timeout)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion keepalive -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--out')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_rbscron_stats() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --exit-code --sync --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output --app --job --since --html)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion stats -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--job')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion stats -- --job "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--since')
        return
        ;;
    '--html')
        return
        ;;
    esac
}

_rbscron_cleanup() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --dry-run --vacuum --remote --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output --older-than --runs --health-checks --dead-letters --keepalive-pings --layer --app)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--older-than')
        return
        ;;
    '--runs')
        return
        ;;
    '--health-checks')
        return
        ;;
    '--dead-letters')
        return
        ;;
    '--keepalive-pings')
        return
        ;;
    '--layer')
        __rbscron_add_completions -W 'vercel'$'\n''qstash'$'\n''pg_cron'$'\n''manual'$'\n''fanout'
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion cleanup -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_rbscron_secret() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __rbscron_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    set|list|get|rotate|rm)
        # Offer subcommand argument completions
        "_rbscron_secret_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'set list get rotate rm' -- "${cur}"))
        ;;
    esac
}

_rbscron_secret_set() {
    repeating_flags=()
    non_repeating_flags=(--no-color --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color --from-env --from-file)
    __rbscron_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '--from-env')
        return
        ;;
    '--from-file')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion secret set -- positional@0 "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_rbscron_secret_list() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output --app)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion secret list -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_rbscron_secret_get() {
    repeating_flags=()
    non_repeating_flags=(--no-color --reveal --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color)
    __rbscron_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion secret get -- positional@0 "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_rbscron_secret_rotate() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --generate --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output --grace --from-env --from-file)
    __rbscron_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--grace')
        return
        ;;
    '--from-env')
        return
        ;;
    '--from-file')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion secret rotate -- positional@0 "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_rbscron_secret_rm() {
    repeating_flags=()
    non_repeating_flags=(--no-color --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color)
    __rbscron_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion secret rm -- positional@0 "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_rbscron_audit() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --yes --dry-run --signed-probes --insecure --version -h --help)
    repeating_options=(--job)
    non_repeating_options=(--db --color -o --output --app --max-age --parallel --timeout)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion audit -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--job')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion audit -- --job "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--max-age')
        return
        ;;
    '--parallel')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_rbscron_alert() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __rbscron_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    check|list|route|silence)
        # Offer subcommand argument completions
        "_rbscron_alert_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'check list route silence' -- "${cur}"))
        ;;
    esac
}

_rbscron_alert_check() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --refresh --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output --repeat --ping --failures --min-success-rate --window --breaker-threshold --breaker-cooldown --timeout)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--repeat')
        return
        ;;
    '--ping')
        return
        ;;
    '--failures')
        return
        ;;
    '--min-success-rate')
        return
        ;;
    '--window')
        return
        ;;
    '--breaker-threshold')
        return
        ;;
    '--breaker-cooldown')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_rbscron_alert_list() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output --resolved-within)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--resolved-within')
        return
        ;;
    esac
}

_rbscron_alert_route() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __rbscron_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|list|rm|test)
        # Offer subcommand argument completions
        "_rbscron_alert_route_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add list rm test' -- "${cur}"))
        ;;
    esac
}

_rbscron_alert_route_add() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --replace --version -h --help)
    repeating_options=(--app --layer --severity)
    non_repeating_options=(--db --color -o --output --webhook --slack --from-env --from-file)
    __rbscron_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--webhook')
        return
        ;;
    '--slack')
        return
        ;;
    '--app')
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion alert route add -- --app "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    '--layer')
        __rbscron_add_completions -W 'vercel'$'\n''qstash'$'\n''pg_cron'$'\n''manual'$'\n''fanout'
        return
        ;;
    '--severity')
        __rbscron_add_completions -W 'critical'$'\n''warning'
        return
        ;;
    '--from-env')
        return
        ;;
    '--from-file')
        return
        ;;
    esac
}

_rbscron_alert_route_list() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    esac
}

_rbscron_alert_route_rm() {
    repeating_flags=()
    non_repeating_flags=(--no-color --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color)
    __rbscron_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_rbscron_alert_route_test() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output)
    __rbscron_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    esac
}

_rbscron_alert_silence() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __rbscron_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|list|rm)
        # Offer subcommand argument completions
        "_rbscron_alert_silence_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add list rm' -- "${cur}"))
        ;;
    esac
}

_rbscron_alert_silence_add() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output --for --reason)
    __rbscron_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    '--for')
        return
        ;;
    '--reason')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __rbscron_add_completions -W "$(__rbscron_custom_complete ---completion alert silence add -- positional@0 "${COMP_CWORD}" "$(__rbscron_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_rbscron_alert_silence_list() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output)
    __rbscron_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    esac
}

_rbscron_alert_silence_rm() {
    repeating_flags=()
    non_repeating_flags=(--no-color --json --no-headers --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --color -o --output)
    __rbscron_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--color')
        __rbscron_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '-o'|'--output')
        __rbscron_add_completions -W 'table'$'\n''wide'
        return
        ;;
    esac
}

_rbscron_completion() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __rbscron_offer_flags_options 1

    # Offer positional completions
    case "${positional_number}" in
    1)
        __rbscron_add_completions -W 'zsh'$'\n''bash'$'\n''fish'
        return
        ;;
    esac
}

_rbscron_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __rbscron_offer_flags_options -1
}

complete -o filenames -F _rbscron rbscron
