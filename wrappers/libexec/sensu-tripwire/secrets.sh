# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154 # one program in several files: variables cross them
# Passphrases and keys.
# Sourced after common.sh, never run.

# Passphrases. Sources, in order: TRIPWIRE_{SITE,LOCAL}_PASSPHRASE, a passphrase file
# (--site-passphrase-file / TRIPWIRE_SITE_PASSPHRASE_FILE, same for local), and the passphrases
# generated at init in the state directory. They live in unexported shell variables only, and
# reach Tripwire on its stdin, never on a command line.

# tw_read_pw_file FILE WHAT: set tw_ret to the first line of a passphrase file that nobody else
# can read or write.
tw_read_pw_file() {
    [ -f "$1" ] || err "$2 passphrase file $1 does not exist"
    # shellcheck disable=SC2046 # owner, type, mode and marker are meant to split into words
    set -- "$1" "$2" $(tw_stat "$1")
    [ "$#" -eq 6 ] || err "cannot read the owner and mode of $2 passphrase file $1"
    [ "$4" != l ] || err "refusing $2 passphrase file $1: it is a symbolic link (give the file itself)"
    [ "$3" = "$tw_uid" ] ||
        err "refusing $2 passphrase file $1: owned by uid $3, not by the running user (uid $tw_uid), who could rewrite it"
    case $5 in
        ??[0-7][0-7]) ;;
        *) err "cannot read the mode of $2 passphrase file $1" ;;
    esac
    case $5 in
        ??00) ;;
        *) err "refusing $2 passphrase file $1: group or others have access (mode $5, or an ACL entry); run chmod 600 on it" ;;
    esac
    if tw_acl_entries "$1" "$6"; then
        err "refusing $2 passphrase file $1: it has ACL entries that may give others access; remove them with setfacl -b"
    fi
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
# The padding is cut to size by counting bytes (ibs=1), never with a size computed from the
# passphrase: a command line such as `dd bs=$((1024 - length))` would show its length in ps.
tw_feed() {
    for _fpw in "$@"; do
        {
            printf '%s' "$_fpw"
            dd if=/dev/zero bs=1024 count=1 2>/dev/null
        } | dd ibs=1 count=1024 obs=1024 2>/dev/null
    done | dd obs=4096 2>/dev/null
}

# tw_ensure_keys: make sure both key files exist; generate what is missing (with generated
# passphrases when none were given). Sets tw_generated (a note for the output) when it did.
# Runs under the state lock.
tw_ensure_keys() {
    tw_generated=""
    # A run that started at the same time may have generated the keys and their passphrases
    # after this one looked for them: what is stored now, under the key lock, is what counts.
    for _k in site local; do
        eval "_pw=\$tw_${_k}_pw"
        if [ -z "$_pw" ] && [ -f "$tw_state/$_k.passphrase" ]; then
            tw_read_pw_file "$tw_state/$_k.passphrase" "$_k"
            eval "tw_${_k}_pw=\$tw_ret"
            eval "tw_${_k}_pw_src=\$tw_state/$_k.passphrase"
            tw_ret=""
        fi
    done
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
            # No message of Tripwire's own: it did not get to run (the loader's complaint, such
            # as a C library too old for this build, is all there is to show).
            [ -n "$_out" ] || _out=$(tail -n 3 "$tw_state/keygen.out" | tr '\n' ' ')
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

