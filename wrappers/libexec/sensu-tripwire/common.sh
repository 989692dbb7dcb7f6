# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154 # one program in several files: variables cross them
# Shared code of the sensu-tripwire wrapper scripts: sourced by the scripts in ../../bin, never run.
# This file holds the setup, messages, exits and option helpers; each other concern has its own
# file, sourced after this one by the scripts that need it:
#   state.sh    the state directory, its safety checks, locks and the private work directory
#   secrets.sh  passphrases and keys
#   profile.sh  profiles and their baselines (verify, create)
#   policy.sh   the policy text of a profile
#   report.sh   Tripwire's diagnostics and reports, and the check's output
#
# The caller sets, before sourcing:
#   tw_prog    the script's name, for messages
#   tw_self    the script's own path (symlinks resolved), for --help
#   tw_root    the asset's root directory (the parent of bin/)
# and then calls tw_setup with its exit codes (see tw_setup).
#
# Portable POSIX sh: runs under dash, busybox ash and bash 4.1. Nothing here prints a passphrase.

# Everything here is byte-oriented and predictable: C locale, private files, no CDPATH surprises,
# no globbing.
LC_ALL=C
export LC_ALL
umask 077
unset CDPATH
# No pathname expansion: paths from the command line and from files are used as they are (a path
# `dir[1]` means that directory, not `dir1`). The few places that list files turn it on locally.
set -f

# Passphrases given in the environment move into unexported variables at once: no command the
# scripts run inherits them (see tw_load_passphrases).
tw_env_site_pw=${TRIPWIRE_SITE_PASSPHRASE:-}
tw_env_local_pw=${TRIPWIRE_LOCAL_PASSPHRASE:-}
unset TRIPWIRE_SITE_PASSPHRASE TRIPWIRE_LOCAL_PASSPHRASE

tw_libexec=$tw_root/libexec/sensu-tripwire
tw_share=$tw_root/share/sensu-tripwire
tw_bindir=$tw_root/bin

# ---------------------------------------------------------------------------------------------
# Messages and exits

# say MSG...: a message for the operator, on stderr.
say() {
    printf '%s: %s\n' "$tw_prog" "$*" >&2
}

# tw_setup CHECK_MODE USAGE_RC FAIL_RC INTEGRITY_RC: how this script reports failures.
#   CHECK_MODE 1: failures are printed as a Sensu result ("TRIPWIRE UNKNOWN - ...") on stdout.
tw_setup() {
    tw_check_mode=$1
    tw_rc_usage=$2
    tw_rc_fail=$3
    tw_rc_integrity=$4
    tw_rundir=""
    tw_locks=""
    tw_json_file=""
    trap 'tw_cleanup' EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
    # A reader that goes away early (SIGPIPE) ends the run like any other signal: through
    # tw_cleanup, which releases the lock and removes the work directory.
    trap 'exit 141' PIPE
}

# tw_state_name STATUS: OK, WARNING, CRITICAL or UNKNOWN.
tw_state_name() {
    case $1 in
        0) printf 'OK' ;;
        1) printf 'WARNING' ;;
        2) printf 'CRITICAL' ;;
        *) printf 'UNKNOWN' ;;
    esac
}

# tw_finish STATUS MESSAGE: print a one-line result and exit. In check mode this is the Sensu
# result line; otherwise an error message on stderr.
tw_finish() {
    _st=$1
    shift
    tw_result_printed=1
    if [ "$tw_check_mode" = 1 ]; then
        printf 'TRIPWIRE %s - %s\n' "$(tw_state_name "$_st")" "$*"
        if [ -n "$tw_json_file" ] && ! tw_json_simple "$_st" "$*"; then
            printf 'could not write the JSON result to %s\n' "$tw_json_file"
        fi
    else
        say "error: $*"
    fi
    exit "$_st"
}

# err MESSAGE: an operational failure (UNKNOWN for the check).
err() {
    tw_finish "$tw_rc_fail" "$*$(tw_full_note "${tw_state:-}")"
}

# tw_full_note DIR: "; the file system of DIR is full (N KB free)" when less than 5% of it is free
# (the likely cause of a failure to write; the failed write may have freed a little since), else
# nothing. df -P -k: the second field is the size, the fourth the space available, in KB.
tw_full_note() {
    [ -n "$1" ] && [ -d "$1" ] || return 0
    df -P -k "$1" 2>/dev/null | awk -v d="$1" 'NR == 2 && $2 > 0 && $4 * 20 < $2 {
        printf "; the file system of %s is full (%d KB free)", d, $4 }'
}

# usage_err MESSAGE: a usage error.
usage_err() {
    if [ "$tw_check_mode" = 1 ]; then
        tw_finish "$tw_rc_usage" "usage: $* (see $tw_prog --help)"
    fi
    say "usage: $* (see $tw_prog --help)"
    exit "$tw_rc_usage"
}

# integrity_err MESSAGE: the baseline cannot be trusted (CRITICAL for the check).
integrity_err() {
    tw_finish "$tw_rc_integrity" "baseline integrity failure: $*"
}

# insecure_err MESSAGE: the state could have been tampered with by someone else (CRITICAL for the
# check: nothing in it can be trusted).
insecure_err() {
    tw_finish "$tw_rc_integrity" "$*"
}

# tw_usage: print the usage comment at the top of the calling script.
tw_usage() {
    awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$tw_self"
}

# need_cmd NAME...: fail unless each command exists.
need_cmd() {
    for _c in "$@"; do
        command -v "$_c" >/dev/null 2>&1 || err "need '$_c' (command not found)"
    done
}

tw_cleanup() {
    _rc=$?
    _note=""
    # The check always ends with its result line: a command that failed under set -e (a write to a
    # full file system, say) must not leave Sensu an exit status without one, which it would read
    # as WARNING or CRITICAL. (Printed last, after the cleanup: the output may be a closed pipe.)
    if [ "$tw_check_mode" = 1 ] && [ "${tw_result_printed:-0}" = 0 ] && [ "$_rc" -ne 0 ] && [ "$_rc" -ne 141 ]; then
        tw_result_printed=1
        _note=$(tw_full_note "${tw_state:-}")
        _note="TRIPWIRE UNKNOWN - stopped by an unexpected failure (exit $_rc)$_note"
        _rc=$tw_rc_fail
    fi
    if [ "${tw_init_partial:-0}" = 1 ]; then
        rm -f "$tw_cfg" "$tw_pol" "$tw_db" "$tw_marker"
    fi
    for _l in $tw_locks; do
        tw_lock_release "$_l"
    done
    tw_locks=""
    if [ -n "$tw_rundir" ] && [ -d "$tw_rundir" ]; then
        rm -rf "$tw_rundir"
    fi
    tw_rundir=""
    [ -z "$_note" ] || printf '%s\n' "$_note"
    exit "$_rc"
}

# ---------------------------------------------------------------------------------------------
# Small checks

# tw_is_uint VALUE: a non-negative decimal integer of at most 9 digits.
tw_is_uint() {
    case $1 in
        "" | *[!0-9]*) return 1 ;;
    esac
    [ "${#1}" -le 9 ]
}

# tw_need_uint OPTION VALUE
tw_need_uint() {
    tw_is_uint "$2" || usage_err "$1 needs a non-negative integer, got '$2'"
}

# tw_need_arg OPTION [ARGS...], given the remaining arguments: fail unless the option has a value
# that is not empty and does not look like an option. An option there is the user's next option,
# not a value: `--json --no-init` must not write a file named --no-init.
tw_need_arg() {
    [ "$#" -ge 2 ] || usage_err "$1 needs an argument"
    tw_need_value "$1" "$2"
    case $2 in
        -*) usage_err "$1 needs a value, not the option $2 (write ./$2 for a file of that name)" ;;
    esac
}

# tw_need_value OPTION VALUE: an empty value is a mistake, never "the default".
tw_need_value() {
    [ -n "$2" ] || usage_err "$1 needs a value; an empty one is not allowed"
}

# tw_now_utc: a sortable UTC timestamp for file names.
tw_now_utc() {
    date -u '+%Y%m%dT%H%M%SZ'
}

# tw_epoch: seconds since 1970 (GNU, busybox and BSD date all support %s).
tw_epoch() {
    date '+%s'
}

# tw_slurp FILE: sets tw_ret to FILE's text as "$(cat FILE)" gives it (without its final newlines),
# read by the shell itself: the check reads several small files, and a process each adds up.
tw_slurp() {
    tw_ret=""
    [ -r "$1" ] || return 0
    while IFS= read -r _l || [ -n "$_l" ]; do
        tw_ret="$tw_ret$_l
"
    done <"$1"
    while :; do
        case $tw_ret in
            *"
") tw_ret=${tw_ret%"
"} ;;
            *) break ;;
        esac
    done
}

# A space and a tab: what awk splits fields on (for patterns such as *[!"$tw_blank"]*).
tw_blank=' 	'

# tw_stat PATH: prints "UID TYPE MODE MARK" of PATH (not following a symbolic link): the owner's
# uid, the type letter of `ls -l` (d, -, l, ...), the permissions as four octal digits, and the
# character ls prints after the mode ("+" for extended ACL entries, "." for an SELinux context,
# "-" for none; busybox prints none). Read from `ls -ldn`, which every userland has; the mode is
# decoded from its letters, so a marker after them changes nothing. Decoded by the shell itself:
# the check stats every directory above its state directory, and a process each adds up.
tw_stat() {
    # shellcheck disable=SC2012 # ls -ldn is the portable way to read owner and mode
    _ls=$(ls -ldn -- "$1" 2>/dev/null) || return 0
    # shellcheck disable=SC2086 # mode, links, uid, ... are meant to split (globbing is off)
    set -- $_ls
    [ "$#" -ge 3 ] || return 0
    _m=$1
    _uid=$3
    _type=${_m%"${_m#?}"}
    _rest=${_m#?}
    _special=0
    _digits=""
    for _bit in 4 2 1; do
        _r=${_rest%"${_rest#?}"}
        _rest=${_rest#?}
        _w=${_rest%"${_rest#?}"}
        _rest=${_rest#?}
        _x=${_rest%"${_rest#?}"}
        _rest=${_rest#?}
        _d=0
        [ "$_r" != r ] || _d=$((_d + 4))
        [ "$_w" != w ] || _d=$((_d + 2))
        case $_x in
            x | s | t) _d=$((_d + 1)) ;;
        esac
        case $_x in
            s | S | t | T) _special=$((_special + _bit)) ;;
        esac
        _digits=$_digits$_d
    done
    _mark=${_rest%"${_rest#?}"}
    printf '%s %s %s %s\n' "$_uid" "$_type" "$_special$_digits" "${_mark:--}"
}

# ---------------------------------------------------------------------------------------------
# The binaries: next to this script (the asset's bin/), else on PATH.

# tw_find_binary NAME: sets tw_ret to the binary's path.
tw_find_binary() {
    if [ -x "$tw_bindir/$1" ] && [ -f "$tw_bindir/$1" ]; then
        tw_ret=$tw_bindir/$1
    elif tw_ret=$(command -v "$1" 2>/dev/null) && [ -n "$tw_ret" ]; then
        :
    else
        err "cannot find the '$1' binary in $tw_bindir or on PATH"
    fi
}

tw_find_binaries() {
    tw_find_binary tripwire
    tw_tripwire=$tw_ret
    tw_find_binary twadmin
    tw_twadmin=$tw_ret
    tw_find_binary twprint
    tw_twprint=$tw_ret
    # Our builds' tripwire and twadmin refuse data after a file's signed data (patch 0003; the
    # build lists the patches it applied in tripwire-patches): then tw_verify_exact has nothing
    # to do. Any other binary gets the slower proof.
    tw_exact_reader=0
    if [ "$tw_tripwire" = "$tw_bindir/tripwire" ] && [ "$tw_twadmin" = "$tw_bindir/twadmin" ] &&
        [ -f "$tw_share/tripwire-patches" ]; then
        while IFS= read -r _p || [ -n "$_p" ]; do
            [ "$_p" != 0003-refuse-data-after-the-signed-data.patch ] || tw_exact_reader=1
        done <"$tw_share/tripwire-patches"
    fi
}

# ---------------------------------------------------------------------------------------------
# Options shared by the scripts

tw_paths=""
tw_opt_state_dir=""
tw_opt_profile=""
tw_opt_policy=""
tw_opt_severity=100
# shellcheck disable=SC2016 # Tripwire's variable, literally
tw_opt_attributes='$(ReadOnly) +Sc'
tw_opt_site_pw_file=""
tw_opt_local_pw_file=""
tw_opt_lock_timeout=${TRIPWIRE_LOCK_TIMEOUT:-60}
tw_opt_key_size=2048

# tw_common_opt ARGS...: handle an option every script takes; sets tw_shift to the number of
# arguments used (0 when $1 is not one of them).
tw_common_opt() {
    tw_shift=2
    case $1 in
        --state-dir | --profile | --policy | --severity | --attributes | --site-passphrase-file | \
            --local-passphrase-file | --lock-timeout | --key-size)
            tw_need_arg "$@"
            tw_common_set "$1" "$2"
            ;;
        --state-dir=* | --profile=* | --policy=* | --severity=* | --attributes=* | \
            --site-passphrase-file=* | --local-passphrase-file=* | --lock-timeout=* | --key-size=*)
            tw_shift=1
            tw_common_set "${1%%=*}" "${1#*=}"
            ;;
        *) tw_shift=0 ;;
    esac
}

tw_common_set() {
    tw_need_value "$1" "$2"
    case $1 in
        --state-dir) tw_opt_state_dir=$2 ;;
        --profile)
            tw_check_profile_name "$2"
            tw_opt_profile=$2
            ;;
        --policy) tw_opt_policy=$2 ;;
        --severity)
            tw_need_uint "$1" "$2"
            [ "$2" -le 1000000 ] || usage_err "--severity is at most 1000000 (Tripwire's limit)"
            tw_opt_severity=$2
            ;;
        --attributes)
            tw_check_attributes "$2"
            tw_opt_attributes=$2
            ;;
        --site-passphrase-file) tw_opt_site_pw_file=$2 ;;
        --local-passphrase-file) tw_opt_local_pw_file=$2 ;;
        --lock-timeout)
            tw_need_uint "$1" "$2"
            tw_opt_lock_timeout=$2
            ;;
        --key-size)
            case $2 in
                1024 | 2048) tw_opt_key_size=$2 ;;
                *) usage_err "--key-size is 1024 or 2048" ;;
            esac
            ;;
    esac
}
