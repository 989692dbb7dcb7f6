#!/bin/sh
# Usage: sh scripts/setup.sh
#
# Makes this machine ready to build and test sensu-tripwire, idempotently: installs the Debian
# packages the build and the tests use, the npm dependencies, starts a Docker engine when none
# answers, and bootstraps the base images of the locally buildable platforms. Everything already
# in place is left alone, so it is cheap to run before every build and test run.
set -eu

say() { printf 'setup: %s\n' "$*" >&2; }
err() { say "error: $*"; exit 1; }

cd "$(dirname "$0")/.."

# Debian packages: the engine and debootstrap for the pipeline; tripwire, shellcheck, dash and
# busybox for the wrapper tests; strace and script (util-linux) for the passphrase-delay test.
need_pkgs=""
for pair in dockerd:docker.io debootstrap:debootstrap tripwire:tripwire shellcheck:shellcheck \
            dash:dash busybox:busybox-static strace:strace script:bsdutils; do
    cmd=${pair%%:*}
    pkg=${pair#*:}
    if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ]; then
        need_pkgs="$need_pkgs $pkg"
    fi
done
# debootstrap checks the archive's signatures against Debian's keyring (not on every distro).
if [ ! -f /usr/share/keyrings/debian-archive-keyring.gpg ]; then
    need_pkgs="$need_pkgs debian-archive-keyring"
fi
if [ -n "$need_pkgs" ]; then
    [ "$(id -u)" -eq 0 ] || err "missing packages:$need_pkgs. Install them (as root: apt-get install$need_pkgs) and re-run."
    say "installing Debian packages:$need_pkgs"
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086 # the list is meant to split into package names
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need_pkgs >/dev/null
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

# Base images of the locally buildable platforms, bootstrapped from Debian's signed archive, and,
# when SENSU_TRIPWIRE_ROOTFS_DIR is set (.ci/run sets it), those imported from pinned root file
# systems (alpine:3.9).
npx --no-install tsx builders/cli.ts images
