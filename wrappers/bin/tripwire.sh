#!/bin/sh
# tripwire.sh - run the bundled tripwire (or twadmin, twprint) with a profile's signed configuration.
#
# Usage: tripwire.sh [OPTIONS] [--] MODE [TRIPWIRE-ARGS...]
#
# Runs `tripwire MODE -c <the profile's tw.cfg> TRIPWIRE-ARGS...` with the binaries of this asset,
# under the profile's lock, after checking that the baseline's files are present and signed. The
# tool runs in a private work directory (its temporary files never land in yours): arguments that
# name existing files, or relative paths with a directory part, are passed as absolute paths; give
# a file the tool is to create in the current directory as ./NAME.
# Tripwire prompts for passphrases itself (type them, or give -P/-Q knowing that they are visible
# to other users until Tripwire has parsed its arguments).
#
# Examples:
#   tripwire.sh --check --interactive               # interactive check of the default profile
#   tripwire.sh --profile web --check -R /var/www   # check one rule of profile "web"
#   tripwire.sh --tool twprint -m d                 # print the default profile's database
#   tripwire.sh --tool twadmin --print-polfile      # print the signed policy
#
# Options (before MODE):
#   --state-dir DIR             where baselines, keys and reports live (default: $TRIPWIRE_STATE_DIR,
#                               else ${XDG_STATE_HOME:-$HOME/.local/state}/sensu-tripwire)
#   --profile NAME              the profile (tripwire-check.sh names it in its output; default "default")
#   --policy FILE               the profile of the check given --policy FILE
#   --tool tripwire|twadmin|twprint   the program to run (default tripwire)
#   --lock-timeout SECONDS      wait this long for another run on the same profile (default 60)
#   -h, --help                  show this help
#
# Exit status: the program's own (for tripwire a bitmask: 1 added, 2 removed, 4 modified, 8 error);
# 8 when this wrapper fails (no baseline, integrity failure, usage error).
#
# Environment: TRIPWIRE_STATE_DIR, TRIPWIRE_LOCK_TIMEOUT.
# shellcheck source-path=SCRIPTDIR
set -eu

tw_prog=tripwire.sh
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
    exit 8
}
for tw_lib in common.sh state.sh secrets.sh profile.sh; do
    if [ ! -r "$tw_root/libexec/sensu-tripwire/$tw_lib" ]; then
        printf '%s: missing %s\n' "$tw_prog" "$tw_root/libexec/sensu-tripwire/$tw_lib" >&2
        exit 8
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
tw_setup 0 8 8 8

tw_tool=tripwire
while [ "$#" -gt 0 ]; do
    case $1 in
        --state-dir | --state-dir=* | --profile | --profile=* | --policy | --policy=* | \
            --lock-timeout | --lock-timeout=*)
            tw_common_opt "$@"
            shift "$tw_shift"
            ;;
        --tool)
            tw_need_arg "$@"
            tw_tool=$2
            shift 2
            ;;
        --tool=*)
            tw_tool=${1#*=}
            shift
            ;;
        -h | --help)
            tw_usage
            exit 0
            ;;
        --)
            shift
            break
            ;;
        *) break ;;
    esac
done
case $tw_tool in
    tripwire | twadmin | twprint) ;;
    *) usage_err "--tool is tripwire, twadmin or twprint, not '$tw_tool'" ;;
esac
[ "$#" -gt 0 ] || usage_err "give a $tw_tool mode, e.g. --check"

tw_open_profile
tw_has_baseline || err "profile $tw_profile has no baseline in $tw_state; create it with tripwire-init.sh"
if ! tw_verify_baseline; then
    if [ "$tw_tool" = tripwire ]; then
        integrity_err "$tw_integrity_msg; refusing to run tripwire with it (inspect it with --tool twadmin --examine)"
    fi
    say "warning: baseline integrity failure: $tw_integrity_msg"
fi
case $tw_tool in
    tripwire) tw_bin=$tw_tripwire ;;
    twadmin) tw_bin=$tw_twadmin ;;
    *) tw_bin=$tw_twprint ;;
esac

# The mode comes first ("-m X" or a long option); the configuration is inserted right after it,
# for the modes that read one.
tw_nmode=0
case $1 in
    -m) [ "$#" -ge 2 ] && tw_nmode=2 ;;
    -m?*) tw_nmode=1 ;;
    --help | --version) ;;
    --*) tw_nmode=1 ;;
esac
tw_with_cfg=0
if [ "$tw_nmode" -gt 0 ]; then
    tw_mode=$1
    [ "$tw_nmode" = 1 ] || tw_mode=$2
    case $tw_tool:$1:$tw_mode in
        tripwire:*:t | tripwire:*:--test | twadmin:*:F | twadmin:*:--create-cfgfile | \
            twadmin:*:G | twadmin:*:--generate-keys | twadmin:*:C | twadmin:*:--change-passphrases) ;;
        *) tw_with_cfg=1 ;;
    esac
fi

# The tool runs in the private work directory: twadmin and twprint write their temporary files
# (decrypted data included) to the current directory, which is neither private nor always
# writable for the caller. Arguments after the mode that name a file in the caller's directory
# (one that exists, or a relative path with a directory part) are passed as absolute paths.
tw_caller=$(pwd -P 2>/dev/null) || tw_caller=""
tw_i=0
tw_n=$#
while [ "$tw_i" -lt "$tw_n" ]; do
    tw_a=$1
    shift
    if [ "$tw_i" -ge "$tw_nmode" ] && [ -n "$tw_caller" ]; then
        case $tw_a in
            /* | -*) ;;
            */*) tw_a=$tw_caller/$tw_a ;;
            *) if [ -e "$tw_a" ] || [ -L "$tw_a" ]; then tw_a=$tw_caller/$tw_a; fi ;;
        esac
    fi
    set -- "$@" "$tw_a"
    tw_i=$((tw_i + 1))
done
tw_enter_rundir

tw_rc=0
if [ "$tw_with_cfg" = 1 ] && [ "$tw_nmode" = 2 ]; then
    tw_m1=$1
    tw_m2=$2
    shift 2
    "$tw_bin" "$tw_m1" "$tw_m2" -c "$tw_cfg" "$@" || tw_rc=$?
elif [ "$tw_with_cfg" = 1 ]; then
    tw_m1=$1
    shift
    "$tw_bin" "$tw_m1" -c "$tw_cfg" "$@" || tw_rc=$?
else
    "$tw_bin" "$@" || tw_rc=$?
fi
exit "$tw_rc"
