# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154 # one program in several files: variables cross them
# The state directory (where it is, who may own it), the locks and the private work directory.
# Sourced after common.sh, never run.

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

# tw_acl_entries PATH MARK: PATH has extended ACL entries (access or default): ls marks them with
# "+" (MARK, from tw_stat); where ls prints no marker (busybox), getfacl answers when installed.
# Without either, an ACL entry still cannot grant more than the group bits of the mode show
# (they are the ACL's mask), and those are checked everywhere.
tw_acl_entries() {
    [ "$2" != + ] || return 0
    command -v getfacl >/dev/null 2>&1 || return 1
    [ -n "$(getfacl -s -c -P -- "$1" 2>/dev/null)" ]
}

# tw_writable_by_others MODE: the group or other write bit of a four-digit octal MODE is set.
tw_writable_by_others() {
    case $1 in
        ??[2367]? | ???[2367]) return 0 ;;
    esac
    return 1
}

# tw_check_dir_safe DIR: DIR must be a real directory, owned by us, writable by nobody else, with
# no ACL entries for anybody else.
tw_check_dir_safe() {
    _d=$1
    if [ -L "$_d" ]; then
        insecure_err "refusing state directory $_d: it is a symbolic link (use the real path)"
    fi
    [ -d "$_d" ] || insecure_err "refusing state directory $_d: not a directory"
    # shellcheck disable=SC2046 # owner, type, mode and marker are meant to split into words
    set -- $(tw_stat "$_d")
    [ "$#" -eq 4 ] || err "cannot read the owner and mode of $_d"
    if [ "$1" != "$tw_uid" ]; then
        insecure_err "refusing state directory $_d: owned by uid $1, not by the running user (uid $tw_uid)"
    fi
    if tw_writable_by_others "$3"; then
        insecure_err "refusing state directory $_d: writable by group or others (mode $3, or an ACL entry); run chmod 700 on it"
    fi
    if tw_acl_entries "$_d" "$4"; then
        insecure_err "refusing state directory $_d: it has ACL entries that may give others access; remove them with setfacl -b"
    fi
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
            # shellcheck disable=SC2046 # owner, type, mode and marker are meant to split into words
            set -- $(tw_stat "$_a")
            [ "$#" -eq 4 ] || insecure_err "cannot read the owner and mode of $_a"
            if [ "$1" != 0 ] && [ "$1" != "$tw_uid" ]; then
                insecure_err "refusing state directory below $_a: owned by uid $1, who could replace what is below it"
            fi
            if [ "$2" != l ] && tw_writable_by_others "$3"; then
                case $3 in
                    [1357]???) ;;
                    *) insecure_err "refusing state directory below $_a: writable by group or others (mode $3) without the sticky bit" ;;
                esac
            fi
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
            *//*) tw_state=${tw_state%%//*}/${tw_state#*//} ;;
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
    { [ -d "$tw_state/profiles" ] && [ -d "$tw_state/baselines" ]; } ||
        mkdir -p "$tw_state/profiles" "$tw_state/baselines" || err "cannot write to the state directory $tw_state"
}

# ---------------------------------------------------------------------------------------------
# Locks: a directory created atomically with mkdir, holding the owner's pid, its start time and
# the boot id. A lock whose owner is gone (crash, kill -9, reboot) is stale and taken over.

# tw_proc_start PID: the process's start time in clock ticks since boot (field 22 of its stat
# file), or "unknown" without /proc.
tw_proc_start() {
    _s=""
    # Read with the shell's own read (no process to start: this runs several times a check).
    if [ -r "/proc/$1/stat" ] && IFS= read -r _s 2>/dev/null <"/proc/$1/stat"; then
        # Field 2, the command name in parentheses, may hold spaces and ")": count from the last ") ".
        _s=${_s##*) }
        # shellcheck disable=SC2086 # the fields are meant to split
        set -- $_s
        _s=${20:-}
    fi
    printf '%s' "${_s:-unknown}"
}

tw_boot_id() {
    _b=""
    if [ -r /proc/sys/kernel/random/boot_id ]; then
        IFS= read -r _b 2>/dev/null </proc/sys/kernel/random/boot_id || :
    fi
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
            if ! { printf '%s\n' "$_me" >"$_ld/owner.tmp" && mv -f "$_ld/owner.tmp" "$_ld/owner"; } 2>/dev/null; then
                # Not left behind ownerless: the next run would wait for it.
                rm -rf "$_ld"
                tw_write_err "$_ld/owner"
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
                    # Operational chatter: kept out of a check's output, which is its result.
                    [ "$tw_check_mode" = 1 ] ||
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
    _owner=""
    [ -r "$_ld/owner" ] && { IFS= read -r _owner <"$_ld/owner" || [ -n "$_owner" ]; } 2>/dev/null || return 0
    # shellcheck disable=SC2086 # the owner line is meant to split into its fields
    set -- $_owner
    [ "${1:-}" = "$$" ] || return 0
    rm -rf "$_ld"
}


# tw_make_rundir: create this run's private work directory, $tw_state/tmp/run.PID, recording its
# owner like a lock, after removing the work directories of runs that are gone. A run killed by
# Sensu's timeout (SIGKILL) cannot clean up after itself; what it left (the report text
# included) goes at the next run, of any profile.
tw_make_rundir() {
    [ -d "$tw_state/tmp" ] || mkdir -p "$tw_state/tmp" || tw_write_err "$tw_state/tmp"
    set +f
    set -- "$tw_state"/tmp/run.*
    set -f
    for _rd in "$@"; do
        [ -d "$_rd" ] || continue
        _pid=${_rd##*/run.}
        case $_pid in
            "" | *[!0-9]*) continue ;;
        esac
        if [ -f "$_rd/owner" ]; then
            tw_lock_owner_alive "$(cat "$_rd/owner" 2>/dev/null)" && continue
        elif [ "$_pid" != "$$" ] && kill -0 "$_pid" 2>/dev/null; then
            # Created a moment ago by a run that is still writing its owner.
            continue
        fi
        rm -rf "$_rd"
    done
    tw_rundir=$tw_state/tmp/run.$$
    [ ! -e "$tw_rundir" ] || rm -rf "$tw_rundir"
    mkdir "$tw_rundir" || tw_write_err "$tw_rundir"
    { printf '%s\n' "$$ $(tw_proc_start $$) $(tw_boot_id)" >"$tw_rundir/owner"; } 2>/dev/null ||
        tw_write_err "$tw_rundir/owner"
}

# tw_write_err PATH: a failure to write PATH, with its cause when it is a full file system (UNKNOWN
# for the check: nothing was compared, and no status would be true).
tw_write_err() {
    _wd=${1%/*}
    while [ -n "$_wd" ] && [ ! -d "$_wd" ]; do
        _wd=${_wd%/*}
    done
    tw_finish "$tw_rc_fail" "cannot write $1$(tw_full_note "${_wd:-/}")"
}

# tw_enter_rundir: make the private work directory the current one. twadmin writes its temporary
# files (decrypted data included) to the current directory, which must therefore be ours; a
# non-root user could not even write to the agent's usual "/".
tw_enter_rundir() {
    cd "$tw_rundir" || err "cannot enter $tw_rundir"
}
