#!/bin/sh
# tripwire-update.sh - accept the changes found by the last check into the baseline (after a
# legitimate deploy), from that check's report, and sign the updated database.
#
# Usage: tripwire-update.sh [OPTIONS] [PATH...]
#
# Give it the same PATH arguments, --policy or --profile as the check. It refuses a baseline that
# fails its integrity checks, and it accepts exactly what the last check reported, proven by that
# check's signed report (signed with the local key, made by this profile's check against the
# database as it is now): changes made after that check are reported by the next one. A report
# the check could not sign (it had no local passphrase) proves nothing, since anyone able to run
# tripwire can write one: --recheck then runs a signed check now and accepts what it finds. When
# the arguments ask for another policy than the baseline's (other paths under --profile, an
# edited --policy file, a new default entry), it applies it with `tripwire --update-policy` in
# secure mode high. New files are written beside the old ones, verified, then renamed over them. For paths whose glob now expands
# differently, it creates the baseline of the new set of paths.
#
# Options:
#   --state-dir DIR             where baselines, keys and reports live (default: $TRIPWIRE_STATE_DIR,
#                               else ${XDG_STATE_HOME:-$HOME/.local/state}/sensu-tripwire)
#   --profile NAME              the baseline's name (default: derived from the paths, else "default")
#   --policy FILE               the policy file the check was given
#   --max-list N                list at most N of the accepted changes (default 20)
#   --recheck                   accept what a signed check run now finds (listed), instead of the
#                               last check's report
#   --local-passphrase-file F   read the local passphrase from F (mode 0600)
#   --severity N                severity of the rules for PATH arguments (default 100)
#   --attributes SPEC           the properties those rules compare (default '$(ReadOnly) +Sc':
#                               ReadOnly, SHA-1 and the inode change time, which shows setcap)
#   --site-passphrase-file F    read the site passphrase from F (mode 0600); needed only to apply
#                               a changed policy
#   --lock-timeout SECONDS      wait this long for another run on the same profile (default 60)
#   -h, --help                  show this help
#
# Exit status: 0 accepted (or nothing to accept), 1 failure, 2 usage error.
#
# Environment: TRIPWIRE_STATE_DIR, TRIPWIRE_SITE_PASSPHRASE, TRIPWIRE_LOCAL_PASSPHRASE,
# TRIPWIRE_SITE_PASSPHRASE_FILE, TRIPWIRE_LOCAL_PASSPHRASE_FILE, TRIPWIRE_LOCK_TIMEOUT.
# shellcheck source-path=SCRIPTDIR
set -eu

tw_prog=tripwire-update.sh
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
    printf '%s: cannot find its own directory\n' "$tw_prog" >&2
    exit 1
}
for tw_lib in common.sh state.sh secrets.sh profile.sh policy.sh report.sh; do
    if [ ! -r "$tw_root/libexec/sensu-tripwire/$tw_lib" ]; then
        printf '%s: missing %s\n' "$tw_prog" "$tw_root/libexec/sensu-tripwire/$tw_lib" >&2
        exit 1
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
tw_setup 0 2 1 1

tw_opt_max_list=20
tw_opt_recheck=0
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
        --max-list)
            tw_need_arg "$@"
            tw_need_uint "$1" "$2"
            tw_opt_max_list=$2
            shift
            ;;
        --max-list=*)
            tw_need_uint --max-list "${1#*=}"
            tw_opt_max_list=${1#*=}
            ;;
        --recheck) tw_opt_recheck=1 ;;
        --)
            shift
            for tw_arg in "$@"; do
                tw_add_path "$tw_arg"
            done
            break
            ;;
        -*) usage_err "unknown option $1" ;;
        *) tw_add_path "$1" ;;
    esac
    shift
done

tw_open_profile
tw_enter_rundir

if ! tw_has_baseline; then
    err "profile $tw_profile has no baseline in $tw_state; create it with tripwire-init.sh (or run the check once)"
fi
tw_verify_baseline || integrity_err "$tw_integrity_msg; refusing to update profile $tw_profile. Investigate, then re-create the baseline with tripwire-init.sh --force"
[ -n "$tw_local_pw" ] || err "no local passphrase: set TRIPWIRE_LOCAL_PASSPHRASE or --local-passphrase-file to sign the updated database"

# ---- 1. The changes the last check reported ----------------------------------------------------
tw_get() {
    [ -f "$tw_pdir/last-check" ] || return 0
    sed -n "s/^$1=//p" "$tw_pdir/last-check" | head -n 1
}

# tw_report_header FIELD: a field of the report's or database's header on stdin ("Database file
# used", "Database last updated on"), as twprint shows it.
tw_report_header() {
    awk -v f="$1:" 'index($0, f) == 1 { v = substr($0, length(f) + 1); sub(/^[ \t]+/, "", v); print v; exit }'
}

# tw_prove_report REPORT: the report is signed with our local key, was made by a check of this
# profile, against the database as it is now (not an older report replayed). Integrity failure
# otherwise.
tw_prove_report() {
    tw_ex=$("$tw_twadmin" --examine -c "$tw_cfg" -S "$tw_site_key" -L "$tw_local_key" "$1" </dev/null 2>&1) || true
    case $tw_ex in
        *"Encoding: Asymmetric Encryption"*) ;;
        *"Encoding: "*)
            integrity_err "the report $1 is not signed, so nothing proves that the check made it (anyone who can run tripwire can write one); the baseline is unchanged. Give the check the local passphrase so that it signs its reports, or run tripwire-update.sh --recheck to accept what a signed check finds now"
            ;;
        *) integrity_err "cannot read the report $1" ;;
    esac
    case $tw_ex in
        *"Local Keyfile: $tw_local_key"*) ;;
        *) integrity_err "the signature of the report $1 does not verify with $tw_local_key" ;;
    esac
    "$tw_twprint" --print-report -c "$tw_cfg" -L "$tw_local_key" -r "$1" -t 2 -s </dev/null \
        >"$tw_rundir/report.head" 2>/dev/null || integrity_err "twprint cannot read the report $1"
    "$tw_twprint" --print-dbfile -c "$tw_cfg" -L "$tw_local_key" -d "$tw_db" </dev/null 2>/dev/null |
        awk '/^Object Summary/ { exit } { print }' >"$tw_rundir/db.head" || true
    _used=$(tw_report_header "Database file used" <"$tw_rundir/report.head")
    if [ "$_used" != "$tw_db" ]; then
        integrity_err "the report $1 is not a report of this profile: it was made with the database ${_used:-(none named)}, not $tw_db; the baseline is unchanged"
    fi
    _then=$(tw_report_header "Database last updated on" <"$tw_rundir/report.head")
    _now=$(tw_report_header "Database last updated on" <"$tw_rundir/db.head")
    if [ -z "$_now" ] || [ "$_then" != "$_now" ]; then
        integrity_err "the report $1 was made against the database as it was before its update of ${_now:-(unknown)}, not as it is now (a replayed report?); run the check again"
    fi
    # A database never updated says "Never" in both: the report must also be younger than it.
    _made=$(tw_report_header "Report created on" <"$tw_rundir/report.head" | tw_sortable_time)
    _born=$(tw_report_header "Database generated on" <"$tw_rundir/db.head" | tw_sortable_time)
    if [ -z "$_made" ] || [ -z "$_born" ] || [ "$_made" -lt "$_born" ]; then
        integrity_err "the report $1 is older than the database (a replayed report?); run the check again"
    fi
}

# tw_sortable_time: Tripwire's "Sun Nov 29 21:05:55 2026" on stdin as 20261129210555.
tw_sortable_time() {
    awk 'NF == 5 { m = index("JanFebMarAprMayJunJulAugSepOctNovDec", $2); t = $4; gsub(/:/, "", t)
        if (m > 0 && t ~ /^[0-9]+$/) printf "%s%02d%02d%s\n", $5, (m + 2) / 3, $3, t }'
}

# tw_list_report REPORT: the report's changes, at most --max-list of them.
tw_list_report() {
    "$tw_twprint" --print-report -c "$tw_cfg" -L "$tw_local_key" -r "$1" -t 1 -s \
        </dev/null 2>/dev/null | awk -v max="$tw_opt_max_list" "$tw_names_awk_lib"'
        BEGIN { n = 0; max += 0 }
        /^(Added|Removed|Modified):/ {
            n++
            if (n > max) next
            k = $0; sub(/:.*/, "", k)
            p = $0; sub(/^[A-Za-z]+:[ \t]*/, "", p)
            print "  " k ": \"" show(twpath(p)) "\""
        }
        END { if (n > max) printf "  \342\200\246 and %d more\n", n - max }'
}

# tw_update_db REPORT: write the updated database beside the old one, verify it, and only then
# rename it over the old one: a run killed at any moment leaves a usable baseline.
tw_update_db() {
    _live=$tw_db
    rm -f "$_live.new" "$_live.new.bak"
    cp "$_live" "$_live.new" || tw_write_err "$_live.new"
    tw_rc=0
    tw_feed "$tw_local_pw" | "$tw_tripwire" --update -a -c "$tw_cfg" -p "$tw_pol" -d "$_live.new" \
        -S "$tw_site_key" -L "$tw_local_key" -r "$1" >"$tw_rundir/update.out" 2>"$tw_rundir/update.err" || tw_rc=$?
    rm -f "$_live.new.bak"
    if grep -q 'Incorrect local passphrase' "$tw_rundir/update.out" "$tw_rundir/update.err"; then
        rm -f "$_live.new"
        err "the local passphrase (from $tw_local_pw_src) does not open $tw_local_key; the baseline is unchanged"
    fi
    if [ "$tw_rc" -ne 0 ]; then
        rm -f "$_live.new"
        tw_why=$(tw_parse_diagnostics "$tw_rundir/update.err" | awk -F '\t' '{ print $2 " " $3 " " $4; exit }')
        err "tripwire --update failed (exit $tw_rc): ${tw_why:-$(tail -n 3 "$tw_rundir/update.err" | tr '\n' ' ')}; the baseline is unchanged"
    fi
    tw_db=$_live.new
    if ! tw_verify_baseline; then
        tw_db=$_live
        rm -f "$_live.new"
        err "the updated database does not verify ($tw_integrity_msg); the baseline is unchanged"
    fi
    tw_db=$_live
    mv -f "$_live.new" "$_live" || err "cannot rename $_live.new to $_live; the baseline is unchanged"
}

tw_did=""
if [ "$tw_opt_recheck" = 1 ]; then
    # A signed check, now, by this process: its report needs no other proof.
    tw_report=$tw_rundir/recheck.twr
    tw_rc=0
    tw_feed "$tw_local_pw" | "$tw_tripwire" --check -E -c "$tw_cfg" -p "$tw_pol" -d "$tw_db" -S "$tw_site_key" \
        -L "$tw_local_key" -r "$tw_report" >"$tw_rundir/recheck.out" 2>"$tw_rundir/recheck.err" || tw_rc=$?
    if [ "$tw_rc" -ge 8 ] || [ ! -s "$tw_report" ]; then
        err "tripwire --check failed (exit $tw_rc): $(tail -n 3 "$tw_rundir/recheck.err" | tr '\n' ' ')"
    fi
    if [ "$tw_rc" = 0 ]; then
        say "a signed check now finds no changes"
    else
        printf '%s: accepting the changes a signed check finds now:\n' "$tw_prog"
        tw_list_report "$tw_report"
        tw_update_db "$tw_report"
        tw_did="accepted the changes found now"
    fi
else
    tw_name=$(tw_get report)
    tw_violations=$(tw_get violations)
    tw_when=$(tw_get time)
    if [ ! -f "$tw_pdir/last-check" ]; then
        say "no check has run on profile $tw_profile since its baseline was created: no changes to accept"
    elif [ -n "$(tw_get accepted)" ]; then
        say "the changes of the last check ($tw_when) were already accepted"
    elif [ "${tw_violations:-0}" = 0 ]; then
        say "the last check ($tw_when) found no changes"
    else
        case $tw_name in
            "") err "the last check ($tw_when) had no local passphrase to sign its report, so nothing proves what it found; the baseline is unchanged. Run tripwire-update.sh --recheck to accept what a signed check finds now" ;;
            */* | .*) integrity_err "$tw_pdir/last-check names no valid report" ;;
        esac
        tw_report=$tw_reports/$tw_name
        [ -f "$tw_report" ] || err "the report of the last check, $tw_report, is gone; run the check again"
        tw_prove_report "$tw_report"
        printf '%s: accepting the changes found by the check at %s (report %s):\n' "$tw_prog" "$tw_when" "$tw_report"
        tw_list_report "$tw_report"
        tw_update_db "$tw_report"
        printf 'accepted=%s\n' "$(tw_now_utc)" >>"$tw_pdir/last-check" || tw_write_err "$tw_pdir/last-check"
        tw_did="accepted the changes of the last check"
    fi
fi

# ---- 2. A policy that differs from the baseline's (other paths, an edited --policy file) --------
if tw_policy_drift; then
    [ -n "$tw_site_pw" ] || err "the policy differs from the baseline's; applying it needs the site passphrase (TRIPWIRE_SITE_PASSPHRASE or --site-passphrase-file)"
    printf '%s: applying the new policy to profile %s:\n' "$tw_prog" "$tw_profile"
    if [ "$tw_kind" = paths ]; then
        tw_path_changes
        printf '%s\n' "$tw_paths_added" | awk "$tw_names_awk_lib"'NF { print "  new path: " show($0) }'
        printf '%s\n' "$tw_paths_dropped" | awk "$tw_names_awk_lib"'NF { print "  no longer monitored: " show($0) }'
    else
        awk -v max="$tw_opt_max_list" '
            BEGIN { n = 0; max += 0 }
            FILENAME == ARGV[1] { had[$0] = 1; next }
            { has[$0] = 1; if (!($0 in had) && n++ < max) print "  added line: " $0 }
            END { for (l in had) if (!(l in has) && n++ < max) print "  removed line: " l }
        ' "$tw_rundir/have.cmp" "$tw_rundir/want.cmp"
    fi
    # Secure mode high: Tripwire refuses when objects in both policies changed since the database
    # was written, so nothing unreviewed slips into the baseline with the new policy.
    # The new policy and database are written beside the old ones and verified before they
    # replace them (the rename of the two is the only moment a kill leaves them unmatched: CRITICAL,
    # never a silently wrong baseline).
    tw_live_pol=$tw_pol
    tw_live_db=$tw_db
    rm -f "$tw_pol.new" "$tw_pol.new.bak" "$tw_db.new" "$tw_db.new.bak"
    cp "$tw_pol" "$tw_pol.new" || tw_write_err "$tw_pol.new"
    cp "$tw_db" "$tw_db.new" || tw_write_err "$tw_db.new"
    tw_rc=0
    tw_feed "$tw_site_pw" "$tw_local_pw" | "$tw_tripwire" --update-policy -Z high -c "$tw_cfg" -p "$tw_pol.new" \
        -d "$tw_db.new" -S "$tw_site_key" -L "$tw_local_key" "$tw_rundir/twpol.txt" \
        >"$tw_rundir/polupdate.out" 2>"$tw_rundir/polupdate.err" || tw_rc=$?
    rm -f "$tw_pol.new.bak" "$tw_db.new.bak"
    [ "$tw_rc" -eq 0 ] || rm -f "$tw_pol.new" "$tw_db.new"
    if grep -q 'Incorrect' "$tw_rundir/polupdate.out" "$tw_rundir/polupdate.err"; then
        err "a passphrase does not open its key; the baseline is unchanged"
    fi
    if [ "$tw_rc" -ne 0 ]; then
        tw_why=$(tw_parse_diagnostics "$tw_rundir/polupdate.err" | awk -F '\t' '{ print $2 " " $3 " " $4; exit }')
        if grep -q 'Policy Update: ' "$tw_rundir/polupdate.out" && [ "$tw_rc" -eq 8 ] && [ -z "$tw_why" ]; then
            tw_why="files changed since the baseline was last updated; run the check, review and accept its changes, then run this again"
        fi
        err "tripwire --update-policy failed (exit $tw_rc): ${tw_why:-$(tail -n 3 "$tw_rundir/polupdate.err" | tr '\n' ' ')}"
    fi
    tw_pol=$tw_live_pol.new
    tw_db=$tw_live_db.new
    if ! tw_verify_baseline; then
        rm -f "$tw_pol" "$tw_db"
        err "the updated policy and database do not verify ($tw_integrity_msg); the baseline is unchanged"
    fi
    tw_pol=$tw_live_pol
    tw_db=$tw_live_db
    if ! { mv -f "$tw_pol.new" "$tw_pol" && mv -f "$tw_db.new" "$tw_db"; }; then
        err "cannot rename the updated policy and database into place"
    fi
    cp "$tw_rundir/twpol.txt" "$tw_pdir/twpol.txt" || err "cannot write $tw_pdir/twpol.txt"
    if [ "$tw_kind" = paths ]; then
        printf '%s\n' "$tw_paths" >"$tw_pdir/paths" || err "cannot write $tw_pdir/paths"
    fi
    tw_did="${tw_did:+$tw_did and }applied the new policy"
fi

if [ -z "$tw_did" ]; then
    say "nothing to accept for profile $tw_profile"
    exit 0
fi
printf '%s: %s; the baseline of profile %s is signed again (%s)\n' "$tw_prog" "$tw_did" "$tw_profile" "$tw_local_key"
exit 0
