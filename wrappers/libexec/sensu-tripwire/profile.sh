# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154 # one program in several files: variables cross them
# Profiles and their baselines: which profile a check uses, its signed files, verifying and
# creating them (the policy text comes from policy.sh).
# Sourced after common.sh, never run.

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
    while :; do
        case $_p in
            *//*) _p=${_p%%//*}/${_p#*//} ;;
            ?*/) _p=${_p%/} ;;
            */.) _p=${_p%/.} ;;
            */./*) _p=${_p%%/./*}/${_p#*/./} ;;
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
        _h=$(sha256sum)
        _h=${_h%% *}
        printf '%s\n' "${_h%"${_h#????????????????}"}"
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

# tw_baseline_created: when the profile's baseline was created, from its record: tw_baseline_iso
# (UTC, ISO 8601) and tw_baseline_epoch (seconds, 0 when not recorded).
tw_baseline_created() {
    tw_baseline_iso=""
    tw_baseline_epoch=""
    # The record is a few lines: read by the shell itself, the first of each kind.
    [ ! -r "$tw_marker" ] || while IFS= read -r _l || [ -n "$_l" ]; do
        case $_l in
            created=[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z)
                [ -n "$tw_baseline_iso" ] || tw_baseline_iso=${_l#created=}
                ;;
            epoch=*) [ -n "$tw_baseline_epoch" ] || tw_baseline_epoch=${_l#epoch=} ;;
        esac
    done <"$tw_marker"
    if [ -n "$tw_baseline_iso" ]; then
        # YYYYMMDDTHHMMSSZ -> YYYY-MM-DDTHH:MM:SSZ
        _t=${tw_baseline_iso#????????T}
        _d=${tw_baseline_iso%T*}
        _md=${_d#????}
        _ms=${_t#??}
        tw_baseline_iso=${_d%????}-${_md%??}-${_md#??}T${_t%????Z}:${_ms%??Z}:${_ms#??}
    fi
    case $tw_baseline_epoch in
        "" | *[!0-9]*) tw_baseline_epoch=0 ;;
    esac
    [ -n "$tw_baseline_iso" ] || tw_baseline_iso="an unrecorded time"
}

# tw_has_baseline: the profile's baseline was created (and not deliberately removed).
tw_has_baseline() {
    [ -f "$tw_marker" ]
}

# tw_verify_baseline: check that every baseline file is present, signed by our keys, and exactly
# what Tripwire wrote (nothing appended). On failure: sets tw_integrity_msg and returns 1.
# With tw_db_verified_by_check=1 (the check, which runs tripwire on the database next) the
# database is left to that run: verifying a signed file checks a signature on every 4 KB block,
# so examining the database here as well costs as much again as the whole comparison. tripwire
# refuses a database that does not verify with the local key ("File could not be decrypted") or
# has data after its signed data (our patch 0003), and tripwire-check.sh fails on tripwire's
# warning for an unsigned one.
tw_db_verified_by_check=0
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
    # Binaries without patch 0003 need the one-byte-shorter copies (tw_verify_exact), examined
    # in the same run: one process fewer (each of Debian's spends up to a second seeding its
    # random numbers from the clock).
    [ "${tw_exact_reader:-0}" = 1 ] || tw_short_copies
    # twadmin writes its temporary files to the current directory: run it in our private one.
    _ex=$(cd "$tw_rundir" && set -- && { [ "$tw_db_verified_by_check" = 1 ] || set -- "$tw_db"; } &&
        { [ "${tw_exact_reader:-0}" = 1 ] || set -- "$@" "$tw_rundir/short.cfg" "$tw_rundir/short.pol" "$tw_rundir/short.db"; } &&
        "$tw_twadmin" --examine -c "$tw_cfg" -S "$tw_site_key" -L "$tw_local_key" \
        "$tw_cfg" "$tw_pol" "$@" </dev/null 2>&1) || true
    [ "${tw_exact_reader:-0}" = 1 ] || rm -f "$tw_rundir/short.cfg" "$tw_rundir/short.pol" "$tw_rundir/short.db"
    tw_integrity_msg=$(printf '%s\n' "$_ex" | awk -v cfg="$tw_cfg" -v pol="$tw_pol" -v db="$tw_db" -v skipdb="$tw_db_verified_by_check" \
        -v site="$tw_site_key" -v loc="$tw_local_key" -v work="$tw_rundir/" '
        BEGIN { n = 0 }
        function finish() {
            if (file == "" || index(file, work) == 1) { file = ""; enc = ""; delete keys; return }
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
            else if (!(db in seen) && skipdb != 1 && n == 0) bad[++n] = "the database " db " could not be examined"
            if (n > 0) print bad[1]
        }')
    if [ -n "$tw_integrity_msg" ] && [ -n "$(tw_full_note "$tw_state")" ]; then
        # twadmin decrypts into temporary files: on a full file system that fails like a bad
        # signature. Unknown, not an integrity failure (a missing file was caught above).
        err "cannot verify the signatures of the baseline ($tw_integrity_msg)"
    fi
    if [ -n "$tw_integrity_msg" ]; then
        tw_why_unverified
        return 1
    fi
    tw_verify_exact "$_ex" && tw_verify_bound
}

# tw_examined_by EXAMINATION FILE: the key files twadmin --examine found to verify FILE.
tw_examined_by() {
    printf '%s\n' "$1" | awk -v want="$2" '
        /^File: "/ { f = $0; sub(/^File: "/, "", f); sub(/"$/, "", f); next }
        /^[ \t]*(Site|Local) Keyfile: / && f == want { k = $0; sub(/^[ \t]*(Site|Local) Keyfile: /, "", k); print k }'
}

# tw_why_unverified: when a baseline file did not verify and Tripwire says data follows its
# signed data (patch 0003), say that instead: it was appended to, not re-signed or replaced.
# Only on this failure path, so the extra reading costs a healthy check nothing.
tw_why_unverified() {
    for _f in "cfg:$tw_cfg" "pol:$tw_pol" "db:$tw_db"; do
        case $tw_integrity_msg in
            *" ${_f#*:} "*) ;;
            *) continue ;;
        esac
        case ${_f%%:*} in
            cfg) set -- --print-cfgfile -c "$tw_cfg" ;;
            pol) set -- --print-polfile -c "$tw_cfg" -p "$tw_pol" -S "$tw_site_key" ;;
            *) set -- --print-dbfile -c "$tw_cfg" -d "$tw_db" -L "$tw_local_key" ;;
        esac
        _cmd=$tw_twadmin
        [ "${_f%%:*}" != db ] || _cmd=$tw_twprint
        if (cd "$tw_rundir" && "$_cmd" "$@" </dev/null 2>&1 >/dev/null) | grep -q 'Data follows the end of the signed data'; then
            tw_integrity_msg="bytes were appended after the signed data of ${_f#*:}"
        fi
        return 0
    done
}

# tw_short_copies: copies of the configuration, policy and database one byte shorter, in the work
# directory as short.cfg, short.pol and short.db.
tw_short_copies() {
    for _f in "cfg:$tw_cfg" "pol:$tw_pol" "db:$tw_db"; do
        _path=${_f#*:}
        _size=$(wc -c <"$_path" | tr -d ' ')
        [ "$_size" -gt 1 ] 2>/dev/null || continue
        dd if="$_path" of="$tw_rundir/short.${_f%%:*}" bs="$((_size - 1))" count=1 2>/dev/null ||
            tw_write_err "$tw_rundir/short.${_f%%:*}"
    done
}

# tw_verify_exact EXAMINATION: no bytes after the signed data of the configuration, policy or
# database. Our binaries refuse such bytes themselves (patch 0003, see tw_find_binaries): nothing
# to do. Other builds of Tripwire (Debian's, say) stop reading where the signed data ends and
# ignore what follows: for them a copy one byte shorter of each file (tw_short_copies, examined
# in EXAMINATION) must no longer verify (it does when the last byte was not Tripwire's), which
# verifies the database's signatures a second time. Sets tw_integrity_msg and returns 1 on
# failure.
tw_verify_exact() {
    [ "${tw_exact_reader:-0}" != 1 ] || return 0
    for _f in "cfg:$tw_cfg" "pol:$tw_pol" "db:$tw_db"; do
        if tw_examined_by "$1" "$tw_rundir/short.${_f%%:*}" | grep -Fqx -e "$tw_site_key" -e "$tw_local_key"; then
            tw_integrity_msg="bytes were appended after the signed data of ${_f#*:}"
            return 1
        fi
    done
}

# tw_policy_binding: the first line of every policy a profile gets; signed into its policy, it
# binds the policy (and the database, which Tripwire binds to the policy) to the profile.
tw_policy_binding() {
    printf '# sensu-tripwire profile %s\n' "${tw_pdir##*/}"
}

# tw_verify_bound: the signed configuration names this profile's files, and the signed policy was
# made for this profile: validly signed files of another profile copied over this one are an
# integrity failure, not a difference to accept. Sets tw_integrity_msg and returns 1 on failure.
tw_verify_bound() {
    _cfgtext=$(cd "$tw_rundir" && "$tw_twadmin" --print-cfgfile -c "$tw_cfg" </dev/null 2>/dev/null) || _cfgtext=""
    _bad=$(printf '%s\n' "$_cfgtext" | awk -v pol="$tw_pdir/tw.pol" -v db="$tw_pdir/db.twd" -v sk="$tw_site_key" \
        -v lk="$tw_local_key" -v tmp="$tw_pdir/tmp/" '
        BEGIN { want["POLFILE"] = pol; want["DBFILE"] = db; want["SITEKEYFILE"] = sk
                want["LOCALKEYFILE"] = lk; want["TEMPDIRECTORY"] = tmp }
        { k = $1; v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+$/, "", v) }
        k in want { got[k] = v }
        END { for (k in want) if (got[k] != want[k]) { print k " is " (k in got ? got[k] : "missing"); exit } }')
    if [ -n "$_bad" ]; then
        tw_integrity_msg="the signed configuration $tw_cfg is not this profile's ($_bad)"
        return 1
    fi
    # The printed policy is kept for tw_policy_drift: one signature verification fewer.
    tw_baseline_pol_printed=0
    (cd "$tw_rundir" && "$tw_twadmin" --print-polfile -c "$tw_cfg" -p "$tw_pol" -S "$tw_site_key" </dev/null \
        >"$tw_rundir/baseline-pol.txt" 2>"$tw_rundir/print-pol.err") && tw_baseline_pol_printed=1
    _first=""
    # The first line that is not blank (read by the shell: no process for one line).
    [ ! -r "$tw_rundir/baseline-pol.txt" ] || while IFS= read -r _l || [ -n "$_l" ]; do
        case $_l in
            *[!"$tw_blank"]*) _first=$_l; break ;;
        esac
    done <"$tw_rundir/baseline-pol.txt"
    if [ "$_first" != "$(tw_policy_binding)" ]; then
        case $_first in
            "# sensu-tripwire profile "*)
                tw_integrity_msg="the signed policy $tw_pol differs from any policy of profile ${tw_pdir##*/}: it was made for profile ${_first#\# sensu-tripwire profile }"
                ;;
            *) tw_integrity_msg="the signed policy $tw_pol is bound to no profile (made elsewhere, or by an older sensu-tripwire)" ;;
        esac
        return 1
    fi
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
    # The database tripwire --init has just signed with our local key is not verified block by
    # block here (as long again as the scan): every check verifies it as it reads it (see
    # tw_verify_baseline); nothing appended to it, and the configuration and policy, are.
    _by_check=$tw_db_verified_by_check
    tw_db_verified_by_check=1
    if ! tw_verify_baseline; then
        err "the new baseline does not verify: $tw_integrity_msg"
    fi
    tw_db_verified_by_check=$_by_check
    if ! { printf 'created=%s\nepoch=%s\nobjects=%s\nkind=%s\n' "$(tw_now_utc)" "$(tw_epoch)" "$tw_init_objects" "$tw_kind" \
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
    { [ -d "$tw_state/locks" ] && [ -d "$tw_state/tmp" ]; } || mkdir -p "$tw_state/locks" "$tw_state/tmp" || tw_write_err "$tw_state/locks"
    tw_lock_acquire "$tw_state/locks/$tw_profile" "$tw_opt_lock_timeout" "profile $tw_profile"
    tw_make_rundir
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
