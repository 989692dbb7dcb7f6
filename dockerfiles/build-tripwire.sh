#!/bin/sh
# Usage: build-tripwire.sh
#
# Runs inside a toolchain container with networking disabled (builders/stages/compile.ts puts it
# there). Reads the verified source tarball and our patches from /build/in, configures and
# compiles Tripwire at the fixed path /build/tripwire (so every build of the same inputs embeds
# the same paths), strips the four shipped binaries and leaves them in /build/out/bin.
# Exits non-zero on any failure; its output is the compile log.
set -eu

say() { printf '==> %s\n' "$*"; }
err() { printf 'build-tripwire: error: %s\n' "$*" >&2; exit 1; }

IN=/build/in
SRC=/build/tripwire
OUT=/build/out/bin
SHIPPED="tripwire twadmin twprint siggen"

compiler_accepts() {
    printf 'int main() { return 0; }\n' > /build/probe.cpp
    g++ "$@" -o /build/probe /build/probe.cpp >/dev/null 2>&1
}

# The compile is hermetic: the container has no network but loopback. Say so in the log.
interfaces=""
for interface in /sys/class/net/*; do interfaces="$interfaces${interface##*/} "; done
say "network interfaces: $interfaces"

say "unpacking $(basename "$IN/source.tar.gz")"
mkdir -p /build/unpack "$OUT"
tar -xzf "$IN/source.tar.gz" -C /build/unpack
set -- /build/unpack/*
if [ "$#" -ne 1 ] || [ ! -d "$1" ]; then
    err "the source tarball must hold exactly one top-level directory"
fi
mv "$1" "$SRC"
cd "$SRC"

for patch_file in "$IN"/patches/*.patch; do
    [ -e "$patch_file" ] || continue
    say "applying $(basename "$patch_file")"
    patch -p1 < "$patch_file"
done

if [ "${TW_AUTORECONF:-0}" = 1 ]; then
    say "regenerating the build system (autoreconf)"
    autoreconf -fi
fi

# gcc 11 and later default to C++17, where Crypto++'s `byte` collides with std::byte; older
# compilers (CentOS 6's gcc 4.4) do not know gnu++14 and need nothing.
cxxflags="-O2"
if compiler_accepts -std=gnu++14; then cxxflags="$cxxflags -std=gnu++14"; fi

# The binaries must need nothing on the target but the C library: libstdc++ and libgcc go in
# statically. gcc < 4.5 lacks -static-libstdc++; there the C++ runtime is linked from its
# static archive explicitly and the link is driven by gcc so no shared libstdc++ is added.
make_args=""
if compiler_accepts -static-libstdc++ -static-libgcc; then
    ldflags="-static-libstdc++ -static-libgcc"
else
    ldflags="-static-libgcc"
    make_args="CXXLD=gcc"
    export LIBS="-Wl,-Bstatic -lstdc++ -Wl,-Bdynamic -lm"
fi

say "configure (CXXFLAGS=$cxxflags LDFLAGS=$ldflags)"
./configure --disable-openssl --enable-urandom CXXFLAGS="$cxxflags" LDFLAGS="$ldflags"

# Only the libraries and the four shipped programs: not the man pages, not the twtest unit-test
# binary, which is as large as the rest together.
subdirs="cryptlib core db fco fs tw twcrypto twparser util twprint twadmin siggen tripwire"
say "make -j$(nproc) -C src SUBDIRS=\"$subdirs\""
# shellcheck disable=SC2086 # make_args is empty or one assignment
make -j"$(nproc)" -C src SUBDIRS="$subdirs" $make_args

for binary in $SHIPPED; do
    built=$(find "$SRC/bin" -type f -name "$binary" | head -n 1)
    [ -n "$built" ] || err "make finished but produced no $binary"
    cp "$built" "$OUT/$binary"
    strip "$OUT/$binary"
    chmod 0755 "$OUT/$binary"
    # Anything beyond the C library (and its split-out parts) would fail on a host without it.
    extra=$(readelf -d "$OUT/$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p' \
        | grep -v -E '^(libc\.so|libm\.so|libpthread\.so|libdl\.so|librt\.so|ld-linux|libc\.musl|ld-musl)' || true)
    [ -z "$extra" ] || err "$binary needs libraries the target may not have: $extra"
done
say "built: $SHIPPED"
