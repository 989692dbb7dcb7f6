#!/bin/sh
# tripwire-check.sh - the Sensu check: compare the file system with the signed Tripwire baseline.
#
# Usage: tripwire-check.sh [OPTIONS] [PATH...]
#
# PATH arguments are monitored recursively, with a baseline of their own for each distinct set of
# paths (so `tripwire-check.sh /var/www/*` works). Without paths, the default policy of the host's
# family (Debian, RHEL, Alpine) is used, or the operator's --policy FILE. The first run of a profile
# creates its baseline and says so (WARNING, see --new-baseline-status); every later run compares
# the file system against it.
#
# Options:
#   --state-dir DIR             where baselines, keys and reports live (default: $TRIPWIRE_STATE_DIR,
#                               else ${XDG_STATE_HOME:-$HOME/.local/state}/sensu-tripwire)
#   --profile NAME              the baseline's name (default: derived from the paths, else "default")
#   --policy FILE               monitor what the Tripwire policy text in FILE says
#   --severity N                severity of the rules for PATH arguments (default 100)
#   --attributes SPEC           the properties those rules compare (default '$(ReadOnly) +Sc':
#                               ReadOnly, SHA-1 and the inode change time, which shows setcap)
#   --warning N                 WARNING when a violated rule's severity is >= N (default 66)
#   --critical N                CRITICAL when a violated rule's severity is >= N (default 100)
#   --metrics FORMAT            append metrics in a Sensu output_metric_format: nagios_perfdata,
#                               prometheus_text, influxdb_line, graphite_plaintext, opentsdb_line
#   --json FILE                 also write the result (counts, objects by rule and kind, errors) as JSON
#   --max-list N                list at most N objects of each kind, and N scan errors (default 10)
#   --keep-reports N            keep the newest N reports of the profile (default 100, 0: all)
#   --lock-timeout SECONDS      wait this long for another run on the same profile (default 60)
#   --no-init                   never create a baseline here: a missing one is CRITICAL (for hosts
#                               whose baselines are made with tripwire-init.sh when provisioned)
#   --new-baseline-status ok|warning|critical
#                               the status of a run that creates a new baseline (default warning:
#                               a state directory deleted by an intruder must not pass unseen)
#   --site-passphrase-file F    read the site passphrase from F (mode 0600)
#   --local-passphrase-file F   read the local passphrase from F (mode 0600)
#   --key-size 1024|2048        size of keys generated on the first run (default 2048)
#   -h, --help                  show this help
#
# Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. Violations count by the highest severity of
# the violated rules; unreadable files are at least WARNING; a missing, unsigned or tampered
# baseline file is CRITICAL until `tripwire-init.sh --force` re-creates the baseline.
#
# Environment: TRIPWIRE_STATE_DIR, TRIPWIRE_SITE_PASSPHRASE, TRIPWIRE_LOCAL_PASSPHRASE,
# TRIPWIRE_SITE_PASSPHRASE_FILE, TRIPWIRE_LOCAL_PASSPHRASE_FILE, TRIPWIRE_LOCK_TIMEOUT.
# shellcheck source-path=SCRIPTDIR
set -eu

tw_prog=tripwire-check.sh
tw_self=$0
case $tw_self in
    */*) ;;
    *) if [ -f "./$tw_self" ]; then tw_self=./$tw_self; else tw_self=$(command -v "$tw_self" || printf '%s' "$tw_self"); fi ;;
esac
while [ -L "$tw_self" ]; do
    tw_link=$(readlink "$tw_self") || break
    case $tw_link in
        /*) tw_self=$tw_link ;;
        *) tw_self=${tw_self%/*}/$tw_link ;;
    esac
done
tw_root=$(cd -P "${tw_self%/*}/.." 2>/dev/null && pwd -P) || {
    printf 'TRIPWIRE UNKNOWN - %s cannot find its own directory\n' "$tw_prog"
    exit 3
}
for tw_lib in common.sh state.sh secrets.sh profile.sh policy.sh report.sh; do
    if [ ! -r "$tw_root/libexec/sensu-tripwire/$tw_lib" ]; then
        printf 'TRIPWIRE UNKNOWN - %s: missing %s\n' "$tw_prog" "$tw_root/libexec/sensu-tripwire/$tw_lib"
        exit 3
    fi
done
# shellcheck source=../libexec/sensu-tripwire/common.sh
. "$tw_root/libexec/sensu-tripwire/common.sh"
# shellcheck source=../libexec/sensu-tripwire/state.sh
. "$tw_libexec/state.sh"
# shellcheck source=../libexec/sensu-tripwire/secrets.sh
. "$tw_libexec/secrets.sh"
# shellcheck source=../libexec/sensu-tripwire/profile.sh
. "$tw_libexec/profile.sh"
# shellcheck source=../libexec/sensu-tripwire/policy.sh
. "$tw_libexec/policy.sh"
# shellcheck source=../libexec/sensu-tripwire/report.sh
. "$tw_libexec/report.sh"
tw_setup 1 3 3 2

tw_opt_warning=66
tw_opt_critical=100
tw_opt_metrics=""
tw_opt_max_list=10
tw_opt_keep_reports=100
tw_opt_no_init=0
tw_opt_new_status=1

while [ "$#" -gt 0 ]; do
    tw_common_opt "$@"
    if [ "$tw_shift" -gt 0 ]; then
        shift "$tw_shift"
        continue
    fi
    case $1 in
        -h | --help)
            tw_usage
            exit 0
            ;;
        --warning | --critical | --metrics | --json | --max-list | --keep-reports | --new-baseline-status)
            tw_need_arg "$@"
            tw_opt=$1
            tw_val=$2
            shift 2
            ;;
        --warning=* | --critical=* | --metrics=* | --json=* | --max-list=* | --keep-reports=* | \
            --new-baseline-status=*)
            tw_opt=${1%%=*}
            tw_val=${1#*=}
            shift
            ;;
        --no-init)
            tw_opt_no_init=1
            shift
            continue
            ;;
        --)
            shift
            for tw_arg in "$@"; do
                tw_add_path "$tw_arg"
            done
            break
            ;;
        -*) usage_err "unknown option $1" ;;
        *)
            tw_add_path "$1"
            shift
            continue
            ;;
    esac
    tw_need_value "$tw_opt" "$tw_val"
    case $tw_opt in
        --warning) tw_need_uint "$tw_opt" "$tw_val" && tw_opt_warning=$tw_val ;;
        --critical) tw_need_uint "$tw_opt" "$tw_val" && tw_opt_critical=$tw_val ;;
        --metrics) tw_check_metrics_format "$tw_val" && tw_opt_metrics=$tw_val ;;
        --json)
            [ -n "$tw_val" ] || usage_err "--json needs a file name"
            case $tw_val in
                /*) tw_json_file=$tw_val ;;
                *) tw_json_file=$(pwd -P)/$tw_val ;;
            esac
            ;;
        --max-list) tw_need_uint "$tw_opt" "$tw_val" && tw_opt_max_list=$tw_val ;;
        --keep-reports) tw_need_uint "$tw_opt" "$tw_val" && tw_opt_keep_reports=$tw_val ;;
        --new-baseline-status)
            case $tw_val in
                ok) tw_opt_new_status=0 ;;
                warning) tw_opt_new_status=1 ;;
                critical) tw_opt_new_status=2 ;;
                *) usage_err "--new-baseline-status is ok, warning or critical, not '$tw_val'" ;;
            esac
            ;;
    esac
done
[ "$tw_opt_warning" -le "$tw_opt_critical" ] ||
    usage_err "--warning ($tw_opt_warning) must not be above --critical ($tw_opt_critical)"

tw_open_profile
tw_enter_rundir

# A profile is only ever read and written by the checks that select exactly it: a new set of
# paths gets a baseline of its own (see tw_find_overlap for what is said when it overlaps another).
tw_base_profile=$tw_profile

# The result: tw_status and tw_summary, the lines of notes, parsed objects and diagnostics.
tw_notes=$tw_rundir/notes
tw_parsed=$tw_rundir/parsed
tw_diag=$tw_rundir/diag
: >"$tw_notes"
: >"$tw_parsed"
: >"$tw_diag"
tw_added=0
tw_removed=0
tw_modified=0
tw_violations=0
tw_maxsev=0
tw_objects=0
tw_errors=0
tw_report=""
tw_created=0

# tw_emit STATUS SUMMARY: print the result (and metrics, JSON) and exit with STATUS. A --json
# file that cannot be written makes the result UNKNOWN (CRITICAL stays CRITICAL) and says why:
# whoever reads the file must not miss a run.
tw_emit() {
    _status=$1
    _summary="$2 (profile $tw_base_profile)"
    if [ -n "$tw_json_file" ] &&
        ! tw_json_result "$_status" "$_summary" "$tw_parsed" "$tw_diag" "$tw_notes"; then
        [ "$_status" = 2 ] || _status=3
        _summary="$_summary; could not write the JSON result to $tw_json_file"
    fi
    # Straight to stdout, through no file: the result line must get out on a full file system too.
    tw_result_printed=1
    {
        printf 'TRIPWIRE %s - %s\n' "$(tw_state_name "$_status")" "$_summary"
        tw_render_details "$tw_parsed" "$tw_diag" "$tw_opt_max_list"
        [ ! -r "$tw_notes" ] || while IFS= read -r _l || [ -n "$_l" ]; do printf '%s\n' "$_l"; done <"$tw_notes"
    } | tw_output_filter "$tw_opt_metrics" || true
    if [ -n "$tw_opt_metrics" ]; then
        tw_metrics "$tw_opt_metrics" || true
    fi
    exit "$_status"
}

# ---- First run: create the baseline ---------------------------------------------------------
if ! tw_has_baseline; then
    if [ "$tw_opt_no_init" = 1 ]; then
        integrity_err "there is no baseline for profile $tw_profile in $tw_state (--no-init); create it with tripwire-init.sh"
    fi
    if [ -e "$tw_db" ] || [ -e "$tw_cfg" ] || [ -e "$tw_pol" ]; then
        integrity_err "profile $tw_profile has baseline files in $tw_pdir but no record of their creation in $tw_state/baselines; re-create it with tripwire-init.sh --force"
    fi
    tw_create_baseline
    tw_baseline_created
    tw_created=1
    tw_objects=$tw_init_objects
    awk -F '\t' '$1 == "warning"' "$tw_rundir/init.diag" >"$tw_diag"
    tw_errors=$(awk 'END { print NR }' "$tw_diag")
    tw_note=$(tw_generated_note)
    [ -z "$tw_note" ] || printf '%s\n' "$tw_note" >>"$tw_notes"
    printf 'the baseline is in %s; later runs compare against it\n' "$tw_pdir" >>"$tw_notes"
    # A new baseline takes whatever the files hold now as the truth: its own summary and status
    # (--new-baseline-status), and its creation time as a metric on every later run.
    tw_summary="new baseline created, $tw_objects objects"
    tw_status=$tw_opt_new_status
    if [ "$tw_errors" -gt 0 ]; then
        tw_summary="$tw_summary, $tw_errors scan errors"
        [ "$tw_status" -ge 1 ] || tw_status=1
    fi
    # A glob that grew or shrank is a new set of paths, and its new baseline takes whatever the
    # new paths hold as the truth: never silently. (A fixed --profile reports new paths as added.)
    if [ "$tw_kind" = paths ] && [ -z "$tw_opt_profile" ]; then
        tw_find_overlap
        if [ -n "$tw_ret" ]; then
            tw_summary="$tw_summary; these paths overlap those of profile $tw_ret"
            printf 'a new set of paths, overlapping those of profile %s (%s): if this is a glob that now expands differently, what its new paths hold was taken as the baseline unchecked; give such a check a fixed --profile NAME, so that new paths are reported as added\n' \
                "$tw_ret" "$(awk "$tw_names_awk_lib"'NR > 1 { printf ", " } { printf "%s", show($0) }' "$tw_state/profiles/$tw_ret/paths")" >>"$tw_notes"
            [ "$tw_status" -ge 1 ] || tw_status=1
        fi
    fi
    tw_emit "$tw_status" "$tw_summary"
fi

# ---- Later runs: verify the baseline, then compare -------------------------------------------
# The database's signature is verified by the comparison itself (see tw_verify_baseline).
tw_db_verified_by_check=1
tw_verify_baseline || integrity_err "$tw_integrity_msg (profile $tw_base_profile). Investigate, then re-create the baseline with tripwire-init.sh --force"
tw_baseline_created
printf 'the baseline was created at %s\n' "$tw_baseline_iso" >>"$tw_notes"

{ [ -d "$tw_reports" ] && [ -d "$tw_pdir/tmp" ]; } || mkdir -p "$tw_reports" "$tw_pdir/tmp" || err "cannot write to $tw_pdir"
tw_report=$tw_reports/$(tw_now_utc)-$$.twr
# A report that cannot be signed proves nothing to tripwire-update.sh: it stays in the work
# directory and goes with it (no report text outlives the run but the kept, signed reports).
[ -n "$tw_local_pw" ] || tw_report=$tw_rundir/unsigned.twr
tw_rc=0
if [ -n "$tw_local_pw" ]; then
    # -E signs the report with the local key.
    tw_feed "$tw_local_pw" | "$tw_tripwire" --check -E -c "$tw_cfg" -p "$tw_pol" -d "$tw_db" -S "$tw_site_key" -L "$tw_local_key" -r "$tw_report" \
        >"$tw_rundir/check.out" 2>"$tw_rundir/check.err" || tw_rc=$?
else
    "$tw_tripwire" --check -c "$tw_cfg" -p "$tw_pol" -d "$tw_db" -S "$tw_site_key" -L "$tw_local_key" -r "$tw_report" </dev/null \
        >"$tw_rundir/check.out" 2>"$tw_rundir/check.err" || tw_rc=$?
fi
tw_parse_diagnostics "$tw_rundir/check.err" >"$tw_rundir/check.diag"
# tripwire only warns about an unsigned database, which anyone who can write it can make.
if grep -q '^### Warning: Database is not encrypted\.$' "$tw_rundir/check.err"; then
    rm -f "$tw_report"
    integrity_err "the database $tw_db is not signed (profile $tw_base_profile). Investigate, then re-create the baseline with tripwire-init.sh --force"
fi

if [ "$tw_rc" -ge 8 ] || [ ! -s "$tw_report" ]; then
    rm -f "$tw_report"
    if grep -q 'Incorrect local passphrase' "$tw_rundir/check.out" "$tw_rundir/check.err"; then
        err "the local passphrase (from $tw_local_pw_src) does not open $tw_local_key"
    fi
    # Our tripwire refuses a signed file with data after its signed data (patch 0003): the
    # database, as the configuration and policy were examined by the same build just before.
    if grep -q 'Data follows the end of the signed data' "$tw_rundir/check.err"; then
        integrity_err "bytes were appended after the signed data of $tw_db (profile $tw_base_profile). Investigate, then re-create the baseline with tripwire-init.sh --force"
    fi
    # A fatal error about one of the baseline's own files, or about what they contain (a policy
    # or database from elsewhere, unsigned or undecryptable data), means it cannot be trusted.
    tw_bad=$(awk -F '\t' -v cfg="$tw_cfg" -v pol="$tw_pol" -v db="$tw_db" -v sk="$tw_site_key" \
        -v lk="$tw_local_key" '$1 == "error" && ($3 == cfg || $3 == pol || $3 == db || $3 == sk || $3 == lk ||
            $2 ~ /does not match|unencrypted|not encrypted|decrypt|corrupt|[Kk]ey mismatch|Keyfile format|[Aa]rchive|version mismatch|encryption error|Header ID|End of file/) {
            print ($3 != "" ? $3 ": " : "") $2 ($4 != "" ? " " $4 : ""); exit }' "$tw_rundir/check.diag")
    if [ -n "$tw_bad" ]; then
        # Tripwire decrypts into temporary files: on a full file system that fails like damage.
        [ -z "$(tw_full_note "$tw_state")" ] || err "tripwire could not read its baseline: $tw_bad"
        integrity_err "tripwire cannot use $tw_bad (profile $tw_base_profile). Investigate, then re-create the baseline with tripwire-init.sh --force"
    fi
    tw_why=$(awk -F '\t' '$1 == "error" { s = $2; if ($3 != "") s = s " " $3; if ($4 != "") s = s " " $4; print s; exit }' "$tw_rundir/check.diag")
    [ -n "$tw_why" ] || tw_why=$(tail -n 3 "$tw_rundir/check.err" | tr '\n' ' ')
    err "tripwire --check failed (exit $tw_rc): $tw_why"
fi

tw_parse_report "$tw_rundir/check.out" >"$tw_rundir/report.parsed"
# Which properties of each modified object changed (the report's detail level): a file whose only
# change is its inode change time had, for instance, a capability or an ACL set.
if awk -F '\t' '$1 == "O" && $2 == "modified" { found = 1 } END { exit !found }' "$tw_rundir/report.parsed" &&
    "$tw_twprint" --print-report -c "$tw_cfg" -L "$tw_local_key" -r "$tw_report" -t 3 -s </dev/null \
        >"$tw_rundir/detail.txt" 2>/dev/null; then
    tw_parse_properties "$tw_rundir/detail.txt" >"$tw_parsed"
fi
awk -F '\t' '$1 == "T" || $1 == "O"' "$tw_rundir/report.parsed" >>"$tw_parsed"
awk -F '\t' 'BEGIN { OFS = "\t" } $1 == "E" { print "warning", $2, $3, $4 }' "$tw_rundir/report.parsed" >"$tw_diag"
tw_summarize "$tw_parsed" "$tw_diag"

# Tripwire's exit status is a bitmask of what it found (1 added, 2 removed, 4 modified); it must
# agree with what was read from the report, or the report was not understood.
tw_expect=0
[ "$tw_added" -eq 0 ] || tw_expect=$((tw_expect + 1))
[ "$tw_removed" -eq 0 ] || tw_expect=$((tw_expect + 2))
[ "$tw_modified" -eq 0 ] || tw_expect=$((tw_expect + 4))
if [ "$tw_expect" -ne "$tw_rc" ]; then
    err "tripwire exited $tw_rc but its report reads as $tw_added added, $tw_removed removed, $tw_modified modified; see $tw_report"
fi

[ -n "$tw_local_pw" ] || tw_report=""
# Remember the last check for tripwire-update.sh; apply the report retention.
if ! { printf 'report=%s\nviolations=%s\nadded=%s\nremoved=%s\nmodified=%s\nexit=%s\ntime=%s\n' \
    "${tw_report##*/}" "$tw_violations" "$tw_added" "$tw_removed" "$tw_modified" "$tw_rc" \
    "$(tw_now_utc)" >"$tw_pdir/last-check.tmp" && mv -f "$tw_pdir/last-check.tmp" "$tw_pdir/last-check"; } 2>/dev/null; then
    tw_write_err "$tw_pdir/last-check"
fi
if [ "$tw_opt_keep_reports" -gt 0 ]; then
    # Report names start with a UTC timestamp: the glob lists them oldest first.
    set +f
    set -- "$tw_reports"/*.twr
    set -f
    tw_drop=$(($# - tw_opt_keep_reports))
    while [ "$tw_drop" -gt 0 ]; do
        rm -f "$1"
        shift
        tw_drop=$((tw_drop - 1))
    done
fi

# Policy drift: what the arguments ask for now differs from what the baseline was made for.
tw_drift=0
if tw_policy_drift; then
    tw_drift=1
    tw_apply="apply it with tripwire-update.sh and the same arguments"
    if [ "$tw_kind" = paths ]; then
        tw_path_changes
        tw_old_ifs=$IFS
        IFS='
'
        for tw_p in $tw_paths_added; do
            if [ -e "$tw_p" ] || [ -L "$tw_p" ]; then
                printf 'O\tadded\t%s\t%s\t\t%s\n' "$tw_opt_severity" "command line" \
                    "$(tw_policy_quote "$tw_p")" >>"$tw_parsed"
            fi
        done
        IFS=$tw_old_ifs
        tw_new=$(printf '%s' "$tw_paths_added" | awk 'NF' | awk 'END { print NR }')
        tw_gone=$(printf '%s' "$tw_paths_dropped" | awk 'NF' | awk 'END { print NR }')
        if [ "$tw_new" -eq 0 ] && [ "$tw_gone" -eq 0 ]; then
            printf 'the policy for these paths differs from the one in the baseline (another --severity?): %s\n' "$tw_apply" >>"$tw_notes"
        else
            printf 'the paths differ from those of the baseline (%s new, reported as added; %s no longer given, still monitored): %s\n' \
                "$tw_new" "$tw_gone" "$tw_apply" >>"$tw_notes"
        fi
        if [ "$tw_gone" -gt 0 ]; then
            printf '%s\n' "$tw_paths_dropped" | awk "$tw_names_awk_lib"'NF { print "no longer given: " show($0) }' >>"$tw_notes"
        fi
        tw_summarize "$tw_parsed" "$tw_diag"
    elif [ "$tw_kind" = policy ]; then
        printf 'the policy file %s differs from the policy in the baseline: %s\n' "$tw_opt_policy" "$tw_apply" >>"$tw_notes"
    else
        printf "this host's default policy differs from the policy in the baseline (paths appeared or disappeared): %s\n" \
            "$tw_apply" >>"$tw_notes"
    fi
fi

tw_status=0
if [ "$tw_violations" -gt 0 ]; then
    if [ "$tw_maxsev" -ge "$tw_opt_critical" ]; then
        tw_status=2
    elif [ "$tw_maxsev" -ge "$tw_opt_warning" ]; then
        tw_status=1
    fi
fi
if { [ "$tw_errors" -gt 0 ] || [ "$tw_drift" = 1 ]; } && [ "$tw_status" -lt 1 ]; then
    tw_status=1
fi

if [ -z "$tw_local_pw" ]; then
    printf 'the report is not signed (no local passphrase available), so it proves nothing: accept changes with tripwire-update.sh --recheck, which checks again, signed\n' >>"$tw_notes"
fi
if [ "$tw_violations" -gt 0 ] && [ -n "$tw_report" ]; then
    printf 'report: %s; accept legitimate changes with tripwire-update.sh and the same arguments\n' "$tw_report" >>"$tw_notes"
fi

tw_summary="$tw_added added, $tw_removed removed, $tw_modified modified, max severity $tw_maxsev, $tw_objects objects scanned"
[ "$tw_errors" -eq 0 ] || tw_summary="$tw_summary, $tw_errors scan errors"
tw_emit "$tw_status" "$tw_summary"
