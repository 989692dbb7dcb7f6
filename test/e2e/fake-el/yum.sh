#!/bin/sh
# Usage: yum -y install PACKAGE... | yum clean all   (installed as /usr/local/bin/yum)
#
# A stand-in for an Enterprise Linux release's yum (test/e2e/yum-toolchain.e2e.test.ts). The
# compiler is already in the image; what this release's repositories hold decides whether the
# static C++ library appears: FAKE_EL_STATIC_CXX names the one package that ships libstdc++.a
# (libstdc++-devel on EL6, libstdc++-static on EL7, "none" for a broken repository). Like yum,
# it says "No package ... available." for anything else and still exits 0. It records its open
# file limit, which rpm would walk descriptor by descriptor.
set -eu
# shellcheck disable=SC3045 # dash and busybox ash have ulimit -n; this runs under dash
ulimit -n > /var/log/fake-yum.nofile
[ "${1:-}" = clean ] && exit 0
for package in "$@"; do
    case "$package" in
        -y | install) ;;
        gcc-c++ | make | patch | binutils) echo "Package $package already installed" ;;
        "$FAKE_EL_STATIC_CXX")
            echo "Installing $package"
            mv /opt/fake-el/libstdc++.a "$(dirname "$(gcc -print-libgcc-file-name)")/libstdc++.a"
            ;;
        *) echo "No package $package available." ;;
    esac
done
exit 0
