#!/bin/sh
# Usage: sh scripts/setup.sh [--platform LIST]
#
# Makes this machine ready to build and test sensu-tripwire, idempotently: installs the Debian
# packages the build and the tests use, the npm dependencies, starts a Docker engine when none
# answers, and bootstraps the base images of the locally buildable platforms. Everything already
# in place is left alone, so it is cheap to run before every build and test run.
#
# --platform LIST (names, "local" or "all", as for build) prepares only what building those
# platforms needs: the engine and the npm dependencies, plus debootstrap, Debian's keyring and the
# base image for each platform whose base image is bootstrapped here. A release runner that builds
# alpine3.9 or centos7 thus installs no debootstrap and reads no Debian mirror.
set -eu

say() { printf 'setup: %s\n' "$*" >&2; }
err() { say "error: $*"; exit 1; }

platforms=""
while [ "$#" -gt 0 ]; do
    case $1 in
        --platform)
            if [ "$#" -lt 2 ] || [ -z "$2" ]; then err "--platform needs a list of platforms (or local, all)"; fi
            platforms=$2
            shift 2
            ;;
        --platform=?*) platforms=${1#--platform=}; shift ;;
        -h | --help) sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) err "unknown argument: $1 (usage: sh scripts/setup.sh [--platform LIST])" ;;
    esac
done

cd "$(dirname "$0")/.."

# Installs the Debian packages of the given NEED:package pairs whose NEED is missing: a command
# (looked up on PATH and in /usr/sbin) or, when NEED is an absolute path, that file or directory.
install_missing() {
    need_pkgs=""
    for pair in "$@"; do
        need=${pair%%:*}
        pkg=${pair#*:}
        case $need in
            /*) [ -e "$need" ] && continue ;;
            *) { command -v "$need" >/dev/null 2>&1 || [ -x "/usr/sbin/$need" ]; } && continue ;;
        esac
        need_pkgs="$need_pkgs $pkg"
    done
    [ -n "$need_pkgs" ] || return 0
    [ "$(id -u)" -eq 0 ] || err "missing packages:$need_pkgs. Install them (as root: apt-get install$need_pkgs) and re-run."
    say "installing Debian packages:$need_pkgs"
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086 # the list is meant to split into package names
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need_pkgs >/dev/null
}

# Debian packages: the engine for every build; for the tests (not when preparing a build of given
# platforms) tripwire, shellcheck, dash and busybox for the wrapper tests, acl (setfacl) for their
# ACL scenarios and libcap2-bin (setcap) for the file-capability one, strace and script (bsdutils)
# for the passphrase-delay test, and Go, otto (the agent's filter interpreter) and ghodss/yaml
# (sensuctl's YAML reader) for the tests that run them.
if [ -n "$platforms" ]; then
    install_missing dockerd:docker.io
else
    gocode=/usr/share/gocode/src/github.com
    install_missing dockerd:docker.io tripwire:tripwire shellcheck:shellcheck dash:dash busybox:busybox-static \
        setfacl:acl setcap:libcap2-bin strace:strace script:bsdutils go:golang-go "$gocode/robertkrimen/otto:golang-github-robertkrimen-otto-dev" \
        "$gocode/ghodss/yaml:golang-github-ghodss-yaml-dev"
fi

# npm dependencies, exactly as locked; the stamp is the lockfile they were installed from.
stamp=node_modules/.sensu-tripwire-installed-lock
if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
    say "installing npm dependencies"
    npm ci --no-audit --no-fund >/dev/null
    cp package-lock.json "$stamp"
fi

# A Docker engine: DOCKER_HOST when set, else the local socket; started here when it is ours to start.
if ! docker_ok=$(npx --no-install tsx builders/cli.ts engine-check 2>&1); then
    if [ -n "${DOCKER_HOST:-}" ]; then
        err "the Docker engine at DOCKER_HOST=$DOCKER_HOST does not answer: $docker_ok"
    fi
    [ "$(id -u)" -eq 0 ] || err "no Docker engine answers and only root can start one here: start dockerd (or set DOCKER_HOST) and re-run"
    say "starting dockerd (log: /var/log/sensu-tripwire-dockerd.log)"
    if command -v setsid >/dev/null 2>&1; then
        setsid dockerd >/var/log/sensu-tripwire-dockerd.log 2>&1 </dev/null &
    else
        nohup dockerd >/var/log/sensu-tripwire-dockerd.log 2>&1 </dev/null &
    fi
    tries=0
    until npx --no-install tsx builders/cli.ts engine-check >/dev/null 2>&1; do
        tries=$((tries + 1))
        [ "$tries" -lt 60 ] || err "dockerd did not answer within 60 s; see /var/log/sensu-tripwire-dockerd.log"
        sleep 1
    done
fi

# Base images this machine makes itself. For the tests: every platform bootstrapped from Debian's
# signed archive and, when SENSU_TRIPWIRE_ROOTFS_DIR is set (.ci/run sets it), those imported from
# pinned root file systems (alpine:3.9). For a build of given platforms: only the bootstrapped ones
# among them (debootstrap and the keyring are needed for nothing else).
if [ -z "$platforms" ]; then
    # debootstrap checks the archive's signatures against Debian's keyring (not on every distro).
    install_missing debootstrap:debootstrap /usr/share/keyrings/debian-archive-keyring.gpg:debian-archive-keyring
    npx --no-install tsx builders/cli.ts images
else
    suites=$(npx --no-install tsx builders/cli.ts suites --platform "$platforms") || exit 1
    if [ -n "$suites" ]; then
        install_missing debootstrap:debootstrap /usr/share/keyrings/debian-archive-keyring.gpg:debian-archive-keyring
        # shellcheck disable=SC2086 # the list is meant to split into suite names
        npx --no-install tsx builders/cli.ts images $suites
    fi
fi
