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

PROBE=/build/probe
PROBE_LIBS=""

# Every probe decides by what the compiler produced, never by its exit status alone: gcc before
# 4.6 only warns "unrecognized option '-static-libstdc++'", exits 0 and links as if the option
# were not there.
write_probe() {
    mkdir -p "$PROBE"
    # Uses libstdc++ for real (std::string, iostream), so a shared libstdc++ shows as NEEDED.
    cat > "$PROBE/probe.cpp" <<'EOF'
#include <iostream>
#include <string>
int main(int argc, char **argv) {
    std::string name(argv[0]);
    std::cout << name.size() << argc << std::endl;
    return 0;
}
EOF
}

# probe_link DRIVER FLAGS...: compiles and links the probe (then PROBE_LIBS); succeeds only when
# the driver exited 0 and said nothing about an option it does not recognise or support.
probe_link() {
    driver=$1
    shift
    rm -f "$PROBE/probe"
    # shellcheck disable=SC2086 # PROBE_LIBS is a list of flags without spaces inside
    "$driver" "$@" -o "$PROBE/probe" "$PROBE/probe.cpp" $PROBE_LIBS > "$PROBE/stderr" 2>&1 || return 1
    ! grep -i -E 'unrecogni[sz]ed|unknown|not supported' "$PROBE/stderr" >/dev/null
}

# The shared libraries the probe needs, on one line.
probe_needed() {
    readelf -d "$PROBE/probe" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p' | tr '\n' ' '
}

probe_needs_cxx_runtime() {
    case " $(probe_needed)" in *" libstdc++"* | *" libgcc_s"*) return 0 ;; esac
    return 1
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

write_probe

# gcc 11 and later default to C++17, where Crypto++'s `byte` collides with std::byte; older
# compilers (CentOS 6's gcc 4.4, CentOS 7's 4.8) refuse gnu++14 and default to C++98 or C++14,
# which need nothing.
cxxflags="-O2"
if probe_link g++ -std=gnu++14; then
    cxxflags="$cxxflags -std=gnu++14"
else
    say "the compiler does not take -std=gnu++14: using its default C++ standard"
fi

# The binaries must need nothing on the target but the C library: libstdc++ and libgcc go in
# statically. Where -static-libstdc++ is not honoured (gcc < 4.5), the C++ runtime is linked
# from its static archive explicitly and the link is driven by gcc, so no shared libstdc++ is
# added. Either way the probe's NEEDED entries decide.
make_args=""
libs=""
link_driver=g++
# shellcheck disable=SC2086 # cxxflags is a list of flags without spaces inside
if probe_link g++ $cxxflags -static-libstdc++ -static-libgcc && ! probe_needs_cxx_runtime; then
    ldflags="-static-libstdc++ -static-libgcc"
else
    link_driver=gcc
    say "-static-libstdc++ is not honoured: linking libstdc++.a explicitly, with CXXLD=gcc"
    archive=$(g++ -print-file-name=libstdc++.a)
    # g++ prints the bare name back when it cannot find the file.
    case "$archive" in
        /*) [ -f "$archive" ] || err "libstdc++.a is missing ($archive does not exist): the toolchain image must install the static C++ library" ;;
        *) err "libstdc++.a is missing: the toolchain image must install the static C++ library (libstdc++-static on EL7, libstdc++-devel on EL6)" ;;
    esac
    ldflags="-static-libgcc"
    make_args="CXXLD=gcc"
    libs="-Wl,-Bstatic -lstdc++ -Wl,-Bdynamic -lm"
    PROBE_LIBS=$libs
    # shellcheck disable=SC2086 # cxxflags is a list of flags without spaces inside
    probe_link gcc $cxxflags $ldflags || err "linking a C++ program with gcc and $archive failed: $(cat "$PROBE/stderr")"
    ! probe_needs_cxx_runtime || err "a C++ program linked with $archive still needs: $(probe_needed)"
fi

say "C++ probe linked with: $ldflags${make_args:+ $make_args}; it needs: $(probe_needed)"
export LIBS="$libs"

# Size: every function and datum in a section of its own lets the linker drop what no program
# uses, most of the statically linked libstdc++ among it (the debian12 asset: 3.36 MB with -O2 alone, about 1.8 MB so).
# A compiler or linker that refuses these flags builds without them (the probe decides).
size_cxxflags="-Os -ffunction-sections -fdata-sections"
# shellcheck disable=SC2086 # the flag lists hold no spaces inside a flag
if probe_link "$link_driver" $cxxflags $size_cxxflags $ldflags -Wl,--gc-sections && ! probe_needs_cxx_runtime; then
    cxxflags="$(printf '%s\n' "$cxxflags" | sed 's/^-O2//') $size_cxxflags"
    cxxflags=${cxxflags# }
    ldflags="$ldflags -Wl,--gc-sections"
    say "size: $size_cxxflags -Wl,--gc-sections"
else
    say "the compiler or linker refuses $size_cxxflags -Wl,--gc-sections: building without them (larger binaries)"
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
