# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154 # one program in several files: variables cross them
# Shared code of the sensu-tripwire wrapper scripts: sourced by the scripts in ../../bin, never run.
#
# The caller sets, before sourcing:
#   tw_prog    the script's name, for messages
#   tw_self    the script's own path (symlinks resolved), for --help
#   tw_root    the asset's root directory (the parent of bin/)
# and then calls tw_setup with its exit codes (see tw_setup).
#
# Portable POSIX sh: runs under dash, busybox ash and bash 4.1. Nothing here prints a passphrase.

# Everything here is byte-oriented and predictable: C locale, private files, no CDPATH surprises.
LC_ALL=C
export LC_ALL
umask 077
unset CDPATH

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
    if [ "$tw_check_mode" = 1 ]; then
        printf 'TRIPWIRE %s - %s\n' "$(tw_state_name "$_st")" "$*"
        if [ -n "$tw_json_file" ]; then
            tw_json_simple "$_st" "$*" || true
        fi
    else
        say "error: $*"
    fi
    exit "$_st"
}

# err MESSAGE: an operational failure (UNKNOWN for the check).
err() {
    tw_finish "$tw_rc_fail" "$*"
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
    return "$_rc"
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

# tw_need_arg OPTION COUNT: fail unless the option has its argument.
tw_need_arg() {
    [ "$2" -ge 2 ] || usage_err "$1 needs an argument"
}

# tw_now_utc: a sortable UTC timestamp for file names.
tw_now_utc() {
    date -u '+%Y%m%dT%H%M%SZ'
}

# tw_epoch: seconds since 1970 (GNU, busybox and BSD date all support %s).
tw_epoch() {
    date '+%s'
}

# tw_mode_bits PATH: prints "OWNER_UID PERMS" of PATH (not following a symlink), from ls -ldn.
tw_stat() {
    # shellcheck disable=SC2012 # ls -ldn is the portable way to read owner and mode
    ls -ldn -- "$1" 2>/dev/null | awk 'NR == 1 { print $3, $1 }'
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
}

# ---------------------------------------------------------------------------------------------
# The state directory

# tw_home: the running user's home directory, from HOME or the password database.
tw_home() {
    if [ -n "${HOME:-}" ]; then
        printf '%s' "$HOME"
        return 0
    fi
    _uid=$(id -u)
    awk -F: -v uid="$_uid" '$3 == uid { print $6; exit }' /etc/passwd 2>/dev/null
}

# tw_default_state_dir: sets tw_ret to $XDG_STATE_HOME/sensu-tripwire, else
# ~/.local/state/sensu-tripwire.
tw_default_state_dir() {
    case ${XDG_STATE_HOME:-} in
        /*)
            tw_ret=$XDG_STATE_HOME/sensu-tripwire
            return 0
            ;;
    esac
    _h=$(tw_home)
    case $_h in
        "" | / | /nonexistent | /dev/null)
            err "no usable home directory for $(id -un 2>/dev/null || id -u) to keep the state in: set TRIPWIRE_STATE_DIR or pass --state-dir DIR"
            ;;
        /*) tw_ret=${_h%/}/.local/state/sensu-tripwire ;;
        *) err "HOME is not an absolute path ('$_h'): set TRIPWIRE_STATE_DIR or pass --state-dir DIR" ;;
    esac
}

# tw_check_safe_path PATH WHAT: the path may be used inside Tripwire's configuration file, where
# $(...) is expanded and quoting does not exist: letters, digits and / . _ - + @ : , = ~ only.
tw_check_safe_path() {
    case $1 in
        /*) ;;
        *) usage_err "$2 must be an absolute path: '$1'" ;;
    esac
    case $1 in
        *[!A-Za-z0-9/._+@:,=~-]*)
            usage_err "$2 may contain only letters, digits and / . _ - + @ : , = ~ (Tripwire's configuration file cannot quote other characters): '$1'"
            ;;
    esac
    case /$1/ in
        */./* | */../*) usage_err "$2 must not contain . or .. components: '$1'" ;;
    esac
}

# tw_check_dir_safe DIR: DIR must be a real directory, owned by us, writable by nobody else.
tw_check_dir_safe() {
    _d=$1
    if [ -L "$_d" ]; then
        insecure_err "refusing state directory $_d: it is a symbolic link (use the real path)"
    fi
    [ -d "$_d" ] || insecure_err "refusing state directory $_d: not a directory"
    # shellcheck disable=SC2046 # owner and mode are meant to split into two words
    set -- $(tw_stat "$_d")
    [ "$#" -eq 2 ] || err "cannot read the owner and mode of $_d"
    if [ "$1" != "$tw_uid" ]; then
        insecure_err "refusing state directory $_d: owned by uid $1, not by the running user (uid $tw_uid)"
    fi
    case $2 in
        ?????w???? | ????????w?)
            insecure_err "refusing state directory $_d: writable by group or others (mode $2); run chmod 700 on it"
            ;;
    esac
}

# tw_check_ancestors DIR: nobody but root and us can replace DIR: each directory above it is owned
# by root or us and is not writable by others, unless it is sticky (like /tmp). Symbolic links on
# the way must be root's or ours, and the directories they lead to are checked the same way.
tw_check_ancestors() {
    tw_check_chain "${1%/*}" lexical
    _first=${1%/*}
    while [ -n "$_first" ] && [ ! -e "$_first" ]; do
        _first=${_first%/*}
    done
    if [ -n "$_first" ]; then
        _phys=$(cd -P "$_first" 2>/dev/null && pwd -P) || insecure_err "cannot resolve $_first"
        [ "$_phys" = "$_first" ] || tw_check_chain "$_phys" physical
    fi
}

# tw_check_chain DIR: DIR and every directory above it that exists (see tw_check_ancestors).
tw_check_chain() {
    _a=$1
    while [ -n "$_a" ]; do
        if [ -e "$_a" ] || [ -L "$_a" ]; then
            # shellcheck disable=SC2046 # owner and mode are meant to split into two words
            set -- $(tw_stat "$_a")
            [ "$#" -eq 2 ] || insecure_err "cannot read the owner and mode of $_a"
            if [ "$1" != 0 ] && [ "$1" != "$tw_uid" ]; then
                insecure_err "refusing state directory below $_a: owned by uid $1, who could replace what is below it"
            fi
            case $2 in
                l*) ;;
                ?????w???? | ????????w?)
                    case $2 in
                        *[tT]) ;;
                        *) insecure_err "refusing state directory below $_a: writable by group or others (mode $2) without the sticky bit" ;;
                    esac
                    ;;
            esac
        fi
        _a=${_a%/*}
    done
}

# tw_state_init: resolve, create (0700) and check the state directory; sets tw_state.
tw_state_init() {
    tw_uid=$(id -u)
    if [ -n "${tw_opt_state_dir:-}" ]; then
        tw_state=$tw_opt_state_dir
    elif [ -n "${TRIPWIRE_STATE_DIR:-}" ]; then
        tw_state=$TRIPWIRE_STATE_DIR
    else
        tw_default_state_dir
        tw_state=$tw_ret
    fi
    # Normalise: no trailing or doubled slashes.
    while :; do
        case $tw_state in
            *//*) tw_state=$(printf '%s' "$tw_state" | sed 's#//*#/#g') ;;
            ?*/) tw_state=${tw_state%/} ;;
            *) break ;;
        esac
    done
    tw_check_safe_path "$tw_state" "the state directory"
    [ "$tw_state" != / ] || usage_err "the state directory cannot be /"
    tw_check_ancestors "$tw_state"
    if [ ! -e "$tw_state" ] && [ ! -L "$tw_state" ]; then
        # umask 077: every directory created here is 0700.
        mkdir -p "$tw_state" 2>/dev/null ||
            err "cannot create the state directory $tw_state (set TRIPWIRE_STATE_DIR or --state-dir to a directory you can write)"
        chmod 700 "$tw_state" || err "cannot chmod 700 $tw_state"
    fi
    tw_check_dir_safe "$tw_state"
    mkdir -p "$tw_state/profiles" "$tw_state/baselines" || err "cannot write to the state directory $tw_state"
}

# ---------------------------------------------------------------------------------------------
# Locks: a directory created atomically with mkdir, holding the owner's pid, its start time and
# the boot id. A lock whose owner is gone (crash, kill -9, reboot) is stale and taken over.

# tw_proc_start PID: the process's start time in clock ticks since boot (field 22 of its stat
# file), or "unknown" without /proc.
tw_proc_start() {
    _s=""
    if [ -r "/proc/$1/stat" ]; then
        _s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }')
    fi
    printf '%s' "${_s:-unknown}"
}

tw_boot_id() {
    _b=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null) || _b=""
    printf '%s' "${_b:-unknown}"
}

# tw_lock_owner_alive OWNER_LINE: "PID START BOOT ..." names a process that still runs (the same
# pid after a reboot or a pid reused by another process does not count).
tw_lock_owner_alive() {
    # shellcheck disable=SC2086 # the owner line is meant to split into its fields
    set -- $1
    [ "$#" -ge 3 ] || return 1
    if [ "$2" = unknown ] || [ "$3" = unknown ]; then
        # Without /proc: whether the pid exists is all there is to know.
        kill -0 "$1" 2>/dev/null
        return
    fi
    [ "$3" = "$(tw_boot_id)" ] || return 1
    [ -d "/proc/$1" ] || return 1
    [ "$(tw_proc_start "$1")" = "$2" ]
}

# tw_lock_acquire DIR TIMEOUT WHAT: take the lock DIR, waiting up to TIMEOUT seconds.
tw_lock_acquire() {
    _ld=$1
    _timeout=$2
    _what=$3
    _me="$$ $(tw_proc_start $$) $(tw_boot_id) $(tw_epoch) $tw_prog"
    _waited=0
    _ownerless=0
    while :; do
        if mkdir "$_ld" 2>/dev/null; then
            if ! { printf '%s\n' "$_me" >"$_ld/owner.tmp" && mv -f "$_ld/owner.tmp" "$_ld/owner"; }; then
                err "cannot write the lock $_ld"
            fi
            tw_locks="$tw_locks $_ld"
            return 0
        fi
        _owner=""
        if [ -f "$_ld/owner" ]; then
            _owner=$(cat "$_ld/owner" 2>/dev/null) || _owner=""
        fi
        _stale=0
        if [ -n "$_owner" ]; then
            _ownerless=0
            tw_lock_owner_alive "$_owner" || _stale=1
        else
            # Created but not yet described: its creator is between mkdir and writing the
            # owner, or died right there. Give it a few seconds.
            _ownerless=$((_ownerless + 1))
            [ "$_ownerless" -le 5 ] || _stale=1
        fi
        if [ "$_stale" = 1 ]; then
            # Take over under a second lock, so two waiters never both remove a live lock.
            if mkdir "$_ld.takeover" 2>/dev/null; then
                _now=""
                [ -f "$_ld/owner" ] && _now=$(cat "$_ld/owner" 2>/dev/null)
                if [ "$_now" = "$_owner" ]; then
                    say "taking over the stale lock of $_what (${_owner:-no owner recorded})"
                    rm -rf "$_ld"
                fi
                rmdir "$_ld.takeover" 2>/dev/null || true
                continue
            elif [ -d "$_ld.takeover" ]; then
                # A takeover lock left by a waiter that died mid-takeover is removed after a
                # while; its only job is to keep concurrent takeovers apart.
                _tk=$(cat "$_ld.takeover/age" 2>/dev/null || printf 0)
                printf '%s\n' "$((_tk + 1))" >"$_ld.takeover/age" 2>/dev/null || true
                [ "$_tk" -lt 10 ] || rm -rf "$_ld.takeover"
            fi
        fi
        if [ "$_waited" -ge "$_timeout" ]; then
            # shellcheck disable=SC2086 # the owner line is meant to split into its fields
            set -- $_owner
            _since=""
            if [ "$#" -ge 4 ]; then
                _since=" for $(($(tw_epoch) - $4)) s"
            fi
            err "$_what is locked by ${5:-another process} (pid ${1:-unknown})$_since; gave up after $_timeout s (--lock-timeout)"
        fi
        sleep 1
        _waited=$((_waited + 1))
    done
}

# tw_lock_release DIR: remove the lock if it is ours.
tw_lock_release() {
    _ld=$1
    [ -d "$_ld" ] || return 0
    _owner=$(cat "$_ld/owner" 2>/dev/null) || return 0
    # shellcheck disable=SC2086 # the owner line is meant to split into its fields
    set -- $_owner
    [ "${1:-}" = "$$" ] || return 0
    rm -rf "$_ld"
}

# ---------------------------------------------------------------------------------------------
# Passphrases. Sources, in order: TRIPWIRE_{SITE,LOCAL}_PASSPHRASE, a passphrase file
# (--site-passphrase-file / TRIPWIRE_SITE_PASSPHRASE_FILE, same for local), and the passphrases
# generated at init in the state directory. They live in unexported shell variables only, and
# reach Tripwire on its stdin, never on a command line.

# tw_read_pw_file FILE WHAT: set tw_ret to the first line of a passphrase file that nobody else
# can read or write.
tw_read_pw_file() {
    [ -f "$1" ] || err "$2 passphrase file $1 does not exist"
    # shellcheck disable=SC2046 # owner and mode are meant to split into two words
    set -- "$1" "$2" $(tw_stat "$1")
    case ${4:-} in
        ????r????? | ?????w???? | ???????r?? | ????????w?)
            err "refusing $2 passphrase file $1: readable or writable by group or others (mode $4); run chmod 600 on it"
            ;;
    esac
    tw_ret=""
    IFS= read -r tw_ret <"$1" || [ -n "$tw_ret" ] || err "$2 passphrase file $1 is empty"
}

# tw_check_pw VALUE WHAT
tw_check_pw() {
    [ -n "$1" ] || err "the $2 passphrase is empty"
    [ "${#1}" -le 1000 ] || err "the $2 passphrase is longer than 1000 bytes"
    case $1 in
        *"
"*) err "the $2 passphrase contains a newline" ;;
    esac
}

# tw_pick_pw KIND ENV_VALUE FILE: the KIND (site|local) passphrase from the environment, else
# from FILE, else the one stored in the state directory. Sets tw_ret to it (empty when there is
# none) and tw_ret_src to where it came from. A function call: nothing reaches a command line.
tw_pick_pw() {
    tw_ret=""
    tw_ret_src=""
    if [ -n "$2" ]; then
        tw_ret=$2
        case $1 in
            site) tw_ret_src=TRIPWIRE_SITE_PASSPHRASE ;;
            *) tw_ret_src=TRIPWIRE_LOCAL_PASSPHRASE ;;
        esac
    elif [ -n "$3" ]; then
        tw_read_pw_file "$3" "$1"
        tw_ret_src=$3
    elif [ -f "$tw_state/$1.passphrase" ]; then
        tw_read_pw_file "$tw_state/$1.passphrase" "$1"
        tw_ret_src=$tw_state/$1.passphrase
    fi
}

# tw_load_passphrases: fill tw_site_pw / tw_local_pw (empty when unknown) and tw_*_pw_src.
tw_load_passphrases() {
    tw_pick_pw site "$tw_env_site_pw" "${tw_opt_site_pw_file:-${TRIPWIRE_SITE_PASSPHRASE_FILE:-}}"
    tw_site_pw=$tw_ret
    tw_site_pw_src=$tw_ret_src
    tw_pick_pw local "$tw_env_local_pw" "${tw_opt_local_pw_file:-${TRIPWIRE_LOCAL_PASSPHRASE_FILE:-}}"
    tw_local_pw=$tw_ret
    tw_local_pw_src=$tw_ret_src
    tw_env_site_pw=""
    tw_env_local_pw=""
    tw_ret=""
    [ -z "$tw_site_pw" ] || tw_check_pw "$tw_site_pw" site
    [ -z "$tw_local_pw" ] || tw_check_pw "$tw_local_pw" local
}

# tw_random_pw: set tw_ret to 192 random bits from the kernel, as 48 hex digits.
tw_random_pw() {
    [ -r /dev/urandom ] || err "cannot read /dev/urandom to generate a passphrase"
    tw_ret=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
    [ "${#tw_ret}" -eq 48 ] || err "could not read 24 random bytes from /dev/urandom"
}

# tw_store_pw FILE VALUE: write a generated passphrase, 0600, atomically.
tw_store_pw() {
    _tmp=$(mktemp "$1.XXXXXX") || err "mktemp failed for $1"
    if ! { printf '%s\n' "$2" >"$_tmp" && chmod 600 "$_tmp" && mv -f "$_tmp" "$1"; }; then
        rm -f "$_tmp"
        err "cannot write $1"
    fi
}

# tw_feed PASSPHRASE...: what Tripwire reads at its prompts, on stdout. Tripwire reads each
# answer with one read(0, buf, 1024); an answer is therefore one 1024-byte block (the passphrase
# padded with NULs), and all blocks go out in a single write, so no read can see half of one.
tw_feed() {
    for _fpw in "$@"; do
        printf '%s' "$_fpw"
        dd if=/dev/zero bs="$((1024 - ${#_fpw}))" count=1 2>/dev/null
    done | dd obs=4096 2>/dev/null
}

# ---------------------------------------------------------------------------------------------
# Profiles: each set of command-line paths (or --profile NAME, or --policy FILE) has its own
# baseline in $tw_state/profiles/NAME; $tw_state/baselines/NAME records that it was created.

# tw_normalize_path PATH: set tw_ret to the absolute path without . components, doubled or
# trailing slashes. Paths with .. components are refused (they mean different things lexically and
# through symbolic links).
tw_normalize_path() {
    _p=$1
    case $_p in
        /*) ;;
        ./*) _p=$(pwd -P)/${_p#./} ;;
        *) _p=$(pwd -P)/$_p ;;
    esac
    _p=$(printf '%s' "$_p" | sed -e 's#//*#/#g')
    while :; do
        case $_p in
            ?*/) _p=${_p%/} ;;
            */.) _p=${_p%/.} ;;
            */./*) _p=$(printf '%s' "$_p" | sed -e 's#/\./#/#g') ;;
            *) break ;;
        esac
    done
    [ -n "$_p" ] || _p=/
    case /$_p/ in
        */../*) usage_err "paths must not contain '..': $1" ;;
    esac
    tw_ret=$_p
}

# tw_hash: a short digest of stdin (sha256 when available, else POSIX cksum).
tw_hash() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum | awk '{ print substr($1, 1, 16) }'
    else
        cksum | awk '{ printf "%08x%08x\n", $1, $2 }'
    fi
}

tw_check_profile_name() {
    case $1 in
        "" | [!A-Za-z0-9]* | *[!A-Za-z0-9._-]*)
            usage_err "--profile takes letters, digits, '.', '_' and '-', starting with a letter or digit: '$1'"
            ;;
    esac
    [ "${#1}" -le 64 ] || usage_err "--profile NAME is limited to 64 characters"
}

# tw_profile_resolve: from tw_opt_profile, tw_paths (newline-separated), tw_opt_policy, set
# tw_profile, tw_pdir and tw_kind (paths, policy, default).
tw_profile_resolve() {
    if [ -n "$tw_paths" ] && [ -n "${tw_opt_policy:-}" ]; then
        usage_err "give either PATH arguments or --policy FILE, not both"
    fi
    if [ -n "$tw_paths" ]; then
        tw_kind=paths
    elif [ -n "${tw_opt_policy:-}" ]; then
        tw_kind=policy
        case $tw_opt_policy in
            /*) ;;
            *) tw_opt_policy=$(pwd -P)/$tw_opt_policy ;;
        esac
        if [ ! -f "$tw_opt_policy" ] || [ ! -r "$tw_opt_policy" ]; then
            usage_err "cannot read the policy file $tw_opt_policy"
        fi
    else
        tw_kind=default
    fi
    if [ -n "${tw_opt_profile:-}" ]; then
        tw_check_profile_name "$tw_opt_profile"
        tw_profile=$tw_opt_profile
    else
        case $tw_kind in
            paths) tw_profile=paths-$(printf '%s\n' "$tw_paths" | tw_hash) ;;
            policy) tw_profile=policy-$(printf '%s\n' "$tw_opt_policy" | tw_hash) ;;
            default) tw_profile=default ;;
        esac
    fi
    tw_pdir=$tw_state/profiles/$tw_profile
    tw_marker=$tw_state/baselines/$tw_profile
}

# tw_add_path ARG: add a command-line path to tw_paths (sorted, unique, newline-separated).
tw_add_path() {
    case $1 in
        *"
"*) usage_err "paths containing a newline are not supported" ;;
        "") usage_err "empty path argument" ;;
    esac
    tw_normalize_path "$1"
    _n=$tw_ret
    # shellcheck disable=SC2016 # a literal $(
    case $_n in
        *'$('*) usage_err "Tripwire's policy language cannot express a path containing '\$(': $_n" ;;
    esac
    if [ -z "$tw_paths" ]; then
        tw_paths=$_n
    else
        tw_paths=$(printf '%s\n%s\n' "$tw_paths" "$_n" | sort -u)
    fi
}

# ---------------------------------------------------------------------------------------------
# Baseline files of a profile

tw_set_files() {
    tw_site_key=$tw_state/site.key
    tw_local_key=$tw_state/local.key
    tw_cfg=$tw_pdir/tw.cfg
    tw_pol=$tw_pdir/tw.pol
    tw_db=$tw_pdir/db.twd
    tw_reports=$tw_pdir/reports
}

# tw_has_baseline: the profile's baseline was created (and not deliberately removed).
tw_has_baseline() {
    [ -f "$tw_marker" ]
}

# tw_verify_baseline: check that every baseline file is present and signed by our keys.
# On failure: sets tw_integrity_msg and returns 1.
tw_verify_baseline() {
    tw_integrity_msg=""
    for _f in "$tw_site_key:site key" "$tw_local_key:local key" "$tw_cfg:configuration" \
        "$tw_pol:policy" "$tw_db:database"; do
        _path=${_f%%:*}
        _what=${_f#*:}
        if [ -L "$_path" ]; then
            tw_integrity_msg="the $_what $_path is a symbolic link"
            return 1
        fi
        if [ ! -f "$_path" ]; then
            tw_integrity_msg="the $_what $_path is missing"
            return 1
        fi
        if [ ! -s "$_path" ]; then
            tw_integrity_msg="the $_what $_path is empty"
            return 1
        fi
    done
    # twadmin writes its temporary files to the current directory: run it in our private one.
    _ex=$(cd "$tw_rundir" && "$tw_twadmin" --examine -c "$tw_cfg" -S "$tw_site_key" -L "$tw_local_key" \
        "$tw_cfg" "$tw_pol" "$tw_db" </dev/null 2>&1) || true
    tw_integrity_msg=$(printf '%s\n' "$_ex" | awk -v cfg="$tw_cfg" -v pol="$tw_pol" -v db="$tw_db" \
        -v site="$tw_site_key" -v loc="$tw_local_key" '
        BEGIN { n = 0 }
        function finish() {
            if (file == "") return
            want = (file == db) ? loc : site
            kind = (file == cfg) ? "configuration" : (file == pol) ? "policy" : "database"
            if (enc != "Asymmetric Encryption")
                bad[++n] = "the " kind " " file " is not signed" (enc == "" ? " (unreadable)" : " (" enc ")")
            else if (!(want in keys))
                bad[++n] = "the signature of the " kind " " file " does not verify with " want
            seen[file] = 1
            file = ""; enc = ""; delete keys
        }
        /^File: "/ { finish(); file = $0; sub(/^File: "/, "", file); sub(/"$/, "", file); next }
        /^Encoding: / { enc = $0; sub(/^Encoding: /, "", enc); next }
        /^[ \t]*(Site|Local) Keyfile: / { k = $0; sub(/^[ \t]*(Site|Local) Keyfile: /, "", k); keys[k] = 1; next }
        END {
            finish()
            if (!(cfg in seen) && n == 0) bad[++n] = "the configuration " cfg " could not be examined"
            else if (!(pol in seen) && n == 0) bad[++n] = "the policy " pol " could not be examined"
            else if (!(db in seen) && n == 0) bad[++n] = "the database " db " could not be examined"
            if (n > 0) print bad[1]
        }')
    [ -z "$tw_integrity_msg" ]
}

# ---------------------------------------------------------------------------------------------
# Tripwire's diagnostics on stderr: "### Warning: ...", "### Filename: ...", "### detail".

# tw_parse_diagnostics FILE: one line per diagnostic: KIND<TAB>MESSAGE<TAB>OBJECT<TAB>DETAIL,
# KIND "warning" (scan errors; Tripwire continued) or "error" (fatal).
#
# Tripwire wraps these lines at 76 characters, breaking at the last space that fits: a line is
# taken as the continuation of the one before when the first word of the line would not have fit
# after it, unless it starts a "Filename:". That is a guess where a long line is followed by a new
# one; the scan errors are therefore read from a report (tw_exact_errors), which does not wrap.
tw_parse_diagnostics() {
    awk '
        function flush() {
            if (n > 0) {
                for (i = 1; i <= n; i++) {
                    l = line[i]
                    if (l ~ /^Filename: /) {
                        f = l; sub(/^Filename: /, "", f)
                        if (obj == "") obj = f; else if (obj != f) detail = (detail == "" ? f : detail "; " f)
                    } else detail = (detail == "" ? l : detail "; " l)
                }
            }
            if (msg != "") printf "%s\t%s\t%s\t%s\n", kind, msg, obj, detail
            msg = ""; obj = ""; detail = ""; n = 0
        }
        BEGIN { n = 0 }
        { gsub(/\t/, " ") }
        /^### (Warning|Error): / {
            flush()
            kind = ($0 ~ /^### Warning/) ? "warning" : "error"
            msg = $0; sub(/^### (Warning|Error): /, "", msg); next
        }
        /^### (Continuing|Exiting)\.\.\./ { flush(); next }
        /^### / {
            t = substr($0, 5)
            w = t; sub(/ .*/, "", w)
            if (n > 0 && last + 1 + length(w) > 75 && t !~ /^Filename: /) line[n] = line[n] " " t
            else line[++n] = t
            last = length(t)
            next
        }
        END { flush() }
    ' "$1"
}

# tw_init_baseline: create the profile's configuration, policy and database, all signed.
# Needs tw_policy_text (a file with the plain policy) and both passphrases. Prints nothing; sets
# tw_init_objects and leaves the diagnostics in $tw_rundir/init.diag. On failure, tw_cleanup
# removes the half-made files, so that the next run starts afresh.
tw_init_baseline() {
    tw_init_partial=1
    mkdir -p "$tw_pdir" "$tw_pdir/tmp" "$tw_reports" || err "cannot create $tw_pdir"
    chmod 700 "$tw_pdir" || err "cannot chmod 700 $tw_pdir"
    rm -f "$tw_marker"
    # The plain texts are kept next to the signed files, for the operator to read.
    sed -e "s|@PROFILE_DIR@|$tw_pdir|g" -e "s|@STATE_DIR@|$tw_state|g" \
        "$tw_share/twcfg.txt" >"$tw_pdir/twcfg.txt" || err "cannot write $tw_pdir/twcfg.txt"
    cp "$tw_policy_text" "$tw_pdir/twpol.txt" || err "cannot write $tw_pdir/twpol.txt"
    rm -f "$tw_cfg" "$tw_pol" "$tw_db"
    if ! tw_feed "$tw_site_pw" | "$tw_twadmin" --create-cfgfile -c "$tw_cfg" -S "$tw_site_key" \
        "$tw_pdir/twcfg.txt" >"$tw_rundir/cfg.out" 2>&1 || grep -q 'Incorrect' "$tw_rundir/cfg.out"; then
        rm -f "$tw_cfg"
        if grep -q 'Incorrect' "$tw_rundir/cfg.out"; then
            err "the site passphrase (from $tw_site_pw_src) does not open $tw_site_key"
        fi
        err "twadmin could not create the signed configuration: $(tr '\n' ' ' <"$tw_rundir/cfg.out")"
    fi
    if ! tw_feed "$tw_site_pw" | "$tw_twadmin" --create-polfile -c "$tw_cfg" -S "$tw_site_key" \
        "$tw_pdir/twpol.txt" >"$tw_rundir/pol.out" 2>&1 || grep -q 'Incorrect' "$tw_rundir/pol.out"; then
        rm -f "$tw_pol"
        err "twadmin could not create the signed policy: $(grep '###' "$tw_rundir/pol.out" | tr '\n' ' ')"
    fi
    # -v lists every object (on stderr); that is how the objects are counted without a second scan.
    _rc=0
    tw_feed "$tw_local_pw" | "$tw_tripwire" --init -v -c "$tw_cfg" -p "$tw_pol" -d "$tw_db" \
        -S "$tw_site_key" -L "$tw_local_key" >"$tw_rundir/init.out" 2>"$tw_rundir/init.err" || _rc=$?
    tw_parse_diagnostics "$tw_rundir/init.err" >"$tw_rundir/init.diag"
    if [ "$_rc" -ne 0 ] || [ ! -s "$tw_db" ] || grep -q 'Incorrect' "$tw_rundir/init.out"; then
        rm -f "$tw_db"
        if grep -q 'Incorrect' "$tw_rundir/init.out"; then
            err "the local passphrase (from $tw_local_pw_src) does not open $tw_local_key"
        fi
        _why=$(awk -F '\t' '$1 == "error" { print $2 " " $3 " " $4; exit }' "$tw_rundir/init.diag")
        err "tripwire --init failed (exit $_rc): ${_why:-$(tail -n 3 "$tw_rundir/init.err" | tr '\n' ' ')}"
    fi
    tw_init_objects=$(cat "$tw_rundir/init.out" "$tw_rundir/init.err" | grep -c '^--- Generating information for: ' || true)
    if ! tw_verify_baseline; then
        err "the new baseline does not verify: $tw_integrity_msg"
    fi
    if ! { printf 'created=%s\nobjects=%s\nkind=%s\n' "$(tw_now_utc)" "$tw_init_objects" "$tw_kind" \
        >"$tw_marker.tmp" && mv -f "$tw_marker.tmp" "$tw_marker"; }; then
        err "cannot write $tw_marker"
    fi
    rm -f "$tw_pdir/last-check"
    tw_init_partial=0
}

# tw_exact_errors: after an init that met scan errors, list them exactly: Tripwire's stderr wraps
# long lines ambiguously, its report does not, so a check (unsigned, into the work directory)
# provides the report. Replaces $tw_rundir/init.diag's warnings when it succeeds.
tw_exact_errors() {
    awk -F '\t' '$1 == "warning" { found = 1 } END { exit !found }' "$tw_rundir/init.diag" || return 0
    if "$tw_tripwire" --check -c "$tw_cfg" -p "$tw_pol" -d "$tw_db" -S "$tw_site_key" -L "$tw_local_key" \
        -r "$tw_rundir/errors.twr" </dev/null >"$tw_rundir/errors.out" 2>/dev/null ||
        [ -s "$tw_rundir/errors.twr" ]; then
        tw_parse_report "$tw_rundir/errors.out" |
            awk -F '\t' 'BEGIN { OFS = "\t" } $1 == "E" { print "warning", $2, $3, $4 }' >"$tw_rundir/exact.diag"
        if [ -s "$tw_rundir/exact.diag" ]; then
            mv -f "$tw_rundir/exact.diag" "$tw_rundir/init.diag"
        fi
    fi
    rm -f "$tw_rundir/errors.twr"
}

# tw_ensure_keys: make sure both key files exist; generate what is missing (with generated
# passphrases when none were given). Sets tw_generated (a note for the output) when it did.
# Runs under the state lock.
tw_ensure_keys() {
    tw_generated=""
    if [ -f "$tw_site_key" ] && [ -f "$tw_local_key" ]; then
        [ -n "$tw_site_pw" ] || err "no site passphrase: set TRIPWIRE_SITE_PASSPHRASE or a passphrase file to sign with $tw_site_key"
        [ -n "$tw_local_pw" ] || err "no local passphrase: set TRIPWIRE_LOCAL_PASSPHRASE or a passphrase file to sign with $tw_local_key"
        return 0
    fi
    if [ -f "$tw_site_key" ] || [ -f "$tw_local_key" ] || [ -L "$tw_site_key" ] || [ -L "$tw_local_key" ]; then
        if [ -n "$(ls "$tw_state/baselines" 2>/dev/null)" ]; then
            integrity_err "only one of $tw_site_key and $tw_local_key exists"
        fi
        err "only one of $tw_site_key and $tw_local_key exists; remove it or use tripwire-init.sh --force --new-keys"
    fi
    for _k in site local; do
        eval "_pw=\$tw_${_k}_pw"
        if [ -z "$_pw" ]; then
            tw_random_pw
            _pw=$tw_ret
            tw_ret=""
            tw_store_pw "$tw_state/$_k.passphrase" "$_pw"
            eval "tw_${_k}_pw=\$_pw"
            eval "tw_${_k}_pw_src=\$tw_state/$_k.passphrase"
            tw_generated="$tw_generated $_k"
        fi
        _opt=-S
        [ "$_k" = site ] || _opt=-L
        # The key file does not exist (checked above): twadmin never reaches its Overwrite prompt,
        # which would loop forever on a closed stdin.
        if ! tw_feed "$_pw" "$_pw" | "$tw_twadmin" --generate-keys -K "${tw_opt_key_size:-2048}" \
            "$_opt" "$tw_state/$_k.key" >"$tw_state/keygen.out" 2>&1 ||
            grep -q 'Incorrect' "$tw_state/keygen.out"; then
            _out=$(grep '###' "$tw_state/keygen.out" | tr '\n' ' ')
            rm -f "$tw_state/$_k.key" "$tw_state/keygen.out"
            err "twadmin could not generate the $_k key: $_out"
        fi
        rm -f "$tw_state/keygen.out"
        chmod 600 "$tw_state/$_k.key" || err "cannot chmod 600 $tw_state/$_k.key"
    done
}

# tw_generated_note: what the operator must know about generated passphrases.
tw_generated_note() {
    case $tw_generated in
        "") ;;
        " site local") printf 'generated random site and local passphrases, stored (mode 0600) in %s and %s' \
            "$tw_state/site.passphrase" "$tw_state/local.passphrase" ;;
        *) printf 'generated a random%s passphrase, stored (mode 0600) in %s' "$tw_generated" \
            "$tw_state/${tw_generated# }.passphrase" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# Options shared by the scripts

tw_paths=""
tw_opt_state_dir=""
tw_opt_profile=""
tw_opt_policy=""
tw_opt_severity=100
tw_opt_site_pw_file=""
tw_opt_local_pw_file=""
tw_opt_lock_timeout=${TRIPWIRE_LOCK_TIMEOUT:-60}
tw_opt_key_size=2048

# tw_common_opt ARGS...: handle an option every script takes; sets tw_shift to the number of
# arguments used (0 when $1 is not one of them).
tw_common_opt() {
    tw_shift=2
    case $1 in
        --state-dir | --profile | --policy | --severity | --site-passphrase-file | \
            --local-passphrase-file | --lock-timeout | --key-size)
            tw_need_arg "$1" "$#"
            tw_common_set "$1" "$2"
            ;;
        --state-dir=* | --profile=* | --policy=* | --severity=* | --site-passphrase-file=* | \
            --local-passphrase-file=* | --lock-timeout=* | --key-size=*)
            tw_shift=1
            tw_common_set "${1%%=*}" "${1#*=}"
            ;;
        *) tw_shift=0 ;;
    esac
}

tw_common_set() {
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

# tw_open_profile: everything a script does before touching a profile: binaries, state
# directory, profile, passphrases, the profile's lock and a private work directory.
tw_open_profile() {
    tw_is_uint "$tw_opt_lock_timeout" || usage_err "TRIPWIRE_LOCK_TIMEOUT must be a number of seconds"
    need_cmd awk sed grep od dd mktemp sort tr cat cp mv rm mkdir chmod head tail date id ls uname sleep
    tw_find_binaries
    tw_state_init
    tw_profile_resolve
    tw_set_files
    tw_load_passphrases
    mkdir -p "$tw_state/locks" "$tw_state/tmp" || err "cannot write to $tw_state"
    tw_lock_acquire "$tw_state/locks/$tw_profile" "$tw_opt_lock_timeout" "profile $tw_profile"
    tw_rundir=$(mktemp -d "$tw_state/tmp/run.XXXXXX") || err "mktemp failed in $tw_state/tmp"
}

# tw_enter_rundir: make the private work directory the current one. twadmin writes its temporary
# files (decrypted data included) to the current directory, which must therefore be ours; a
# non-root user could not even write to the agent's usual "/".
tw_enter_rundir() {
    cd "$tw_rundir" || err "cannot enter $tw_rundir"
}

# tw_create_baseline: generate the policy, the keys if needed, and a new signed baseline.
tw_create_baseline() {
    if [ "$tw_kind" = paths ]; then
        _old_ifs=$IFS
        IFS='
'
        for _p in $tw_paths; do
            if [ ! -e "$_p" ] && [ ! -L "$_p" ]; then
                IFS=$_old_ifs
                err "cannot make a baseline of $_p: no such file or directory (a glob that matched nothing?)"
            fi
        done
        IFS=$_old_ifs
    fi
    tw_make_policy "$tw_rundir/twpol.txt"
    tw_policy_text=$tw_rundir/twpol.txt
    tw_lock_acquire "$tw_state/locks/keys" "$tw_opt_lock_timeout" "the key files"
    tw_ensure_keys
    tw_lock_release "$tw_state/locks/keys"
    tw_init_baseline
    if [ "$tw_kind" = paths ]; then
        printf '%s\n' "$tw_paths" >"$tw_pdir/paths"
    fi
    tw_exact_errors
}
