#!/bin/sh
# tripwire-init.sh - create a signed Tripwire baseline: state directory, keys, configuration,
# policy and database.
#
# Usage: tripwire-init.sh [OPTIONS] [PATH...]
#
# PATH arguments, --policy FILE and --profile NAME select the baseline exactly as for
# tripwire-check.sh; give both scripts the same arguments. An existing baseline is never replaced
# without --force. Without passphrases (environment or files), strong random ones are generated
# from /dev/urandom and stored, mode 0600, in the state directory; the output says so.
#
# Options:
#   --state-dir DIR             where baselines, keys and reports live (default: $TRIPWIRE_STATE_DIR,
#                               else ${XDG_STATE_HOME:-$HOME/.local/state}/sensu-tripwire)
#   --profile NAME              the baseline's name (default: derived from the paths, else "default")
#   --policy FILE               monitor what the Tripwire policy text in FILE says
#   --severity N                severity of the rules for PATH arguments (default 100)
#   --attributes SPEC           the properties those rules compare (default '$(ReadOnly) +Sc':
#                               ReadOnly, SHA-1 and the inode change time, which shows setcap)
#   --force                     replace an existing baseline of this profile (after an integrity failure)
#   --new-keys                  generate new keys (and passphrases, unless given); the old key and
#                               passphrase files are kept with a .replaced-TIME suffix. Baselines of
#                               other profiles must then be re-created too.
#   --key-size 1024|2048        size of generated keys (default 2048)
#   --print-policy              print the policy this profile would get, and change nothing
#   --site-passphrase-file F    read the site passphrase from F (mode 0600)
#   --local-passphrase-file F   read the local passphrase from F (mode 0600)
#   --lock-timeout SECONDS      wait this long for another run on the same profile (default 60)
#   -h, --help                  show this help
#
# Exit status: 0 baseline created, 1 failure, 2 usage error.
#
# Environment: TRIPWIRE_STATE_DIR, TRIPWIRE_SITE_PASSPHRASE, TRIPWIRE_LOCAL_PASSPHRASE,
# TRIPWIRE_SITE_PASSPHRASE_FILE, TRIPWIRE_LOCAL_PASSPHRASE_FILE, TRIPWIRE_LOCK_TIMEOUT.
# shellcheck source-path=SCRIPTDIR
set -eu

tw_prog=tripwire-init.sh
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

tw_opt_force=0
tw_opt_new_keys=0
tw_opt_print=0
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
        --force) tw_opt_force=1 ;;
        --new-keys) tw_opt_new_keys=1 ;;
        --print-policy) tw_opt_print=1 ;;
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

if [ "$tw_opt_print" = 1 ]; then
    tw_make_policy "$tw_rundir/twpol.txt"
    cat "$tw_rundir/twpol.txt"
    exit 0
fi
if tw_has_baseline && [ "$tw_opt_force" = 0 ]; then
    tw_when=$(sed -n 's/^created=//p' "$tw_marker")
    err "profile $tw_profile already has a baseline (created $tw_when) in $tw_pdir; use --force to replace it"
fi
if [ "$tw_opt_force" = 0 ] && { [ -e "$tw_db" ] || [ -e "$tw_cfg" ] || [ -e "$tw_pol" ]; }; then
    err "profile $tw_profile has baseline files in $tw_pdir but no record of their creation; use --force to replace them"
fi

if [ "$tw_opt_new_keys" = 1 ]; then
    tw_lock_acquire "$tw_state/locks/keys" "$tw_opt_lock_timeout" "the key files"
    tw_stamp=$(tw_now_utc)
    for tw_f in site.key local.key site.passphrase local.passphrase; do
        if [ -e "$tw_state/$tw_f" ]; then
            mv -f "$tw_state/$tw_f" "$tw_state/$tw_f.replaced-$tw_stamp" || err "cannot move $tw_state/$tw_f aside"
            say "kept the old $tw_f as $tw_state/$tw_f.replaced-$tw_stamp"
        fi
    done
    # Generated passphrases belonged to the old keys; new ones are generated with the new keys.
    case $tw_site_pw_src in
        "$tw_state"/site.passphrase) tw_site_pw="" ;;
    esac
    case $tw_local_pw_src in
        "$tw_state"/local.passphrase) tw_local_pw="" ;;
    esac
    tw_lock_release "$tw_state/locks/keys"
fi

tw_create_baseline

tw_nerr=$(awk -F '\t' '$1 == "warning" { n++ } END { print n + 0 }' "$tw_rundir/init.diag")
printf '%s: baseline created for profile %s: %s objects, in %s\n' "$tw_prog" "$tw_profile" "$tw_init_objects" "$tw_pdir"
tw_note=$(tw_generated_note)
[ -z "$tw_note" ] || printf '%s: %s\n' "$tw_prog" "$tw_note"
if [ "$tw_nerr" -gt 0 ]; then
    printf '%s: %s objects could not be read; later checks will list them as scan errors:\n' "$tw_prog" "$tw_nerr"
    awk -F '\t' '$1 == "warning" { n++; if (n <= 20) print "  " ($3 != "" ? $3 ": " : "") $2 ($4 != "" ? " (" $4 ")" : "") }' \
        "$tw_rundir/init.diag"
fi
exit 0
