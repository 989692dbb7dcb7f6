#!/bin/sh
# Usage: rpm -q --qf '%{VERSION}' --whatprovides redhat-release   (installed as /usr/local/bin/rpm)
# Answers the one query Dockerfile.yum makes: the release's major version, FAKE_EL_MAJOR.
set -eu
printf '%s' "$FAKE_EL_MAJOR"
