#!/bin/sh
# Usage: installed as gcc, g++, cc and c++ (in /usr/local/bin, before the real compiler in PATH)
# with GCC_FRONT_VERSION=4.4 or 4.8 set in the image.
#
# A compiler front that answers options the way an old gcc driver does, then runs this image's
# real gcc with what that old driver would have passed on. Only the behaviour the build script
# probes is imitated:
#   4.4 (CentOS 6): "-static-libstdc++" is unknown: warned about, dropped, exit status unchanged;
#                   -std=gnu++11 / c++11 and newer are refused; C++ defaults to gnu++98.
#   4.8 (CentOS 7): -static-libstdc++ and -std=gnu++11 work; -std=gnu++14 / c++14 and newer are
#                   refused; C++ defaults to gnu++98.
set -eu

name=${0##*/}
real=/usr/bin/$name
version=${GCC_FRONT_VERSION:?GCC_FRONT_VERSION must be 4.4 or 4.8}

refuse() {
    printf "%s: error: unrecognized command line option '%s'\n" "$name" "$1" >&2
    exit 1
}

standard_given=no
count=$#
while [ "$count" -gt 0 ]; do
    arg=$1
    shift
    count=$((count - 1))
    case "$arg" in
        -static-libstdc++)
            if [ "$version" = 4.4 ]; then
                printf "%s: unrecognized option '%s'\n" "$name" "$arg" >&2
                continue
            fi
            ;;
        -std=gnu++0x | -std=c++0x | -std=gnu++98 | -std=c++98 | -std=gnu++03 | -std=c++03)
            standard_given=yes
            ;;
        -std=gnu++11 | -std=c++11 | -std=gnu++1y | -std=c++1y)
            [ "$version" = 4.8 ] || refuse "$arg"
            standard_given=yes
            ;;
        -std=*++*)
            refuse "$arg"
            ;;
    esac
    set -- "$@" "$arg"
done

# gcc before 6 compiles C++ as gnu++98 unless told otherwise.
case "$name" in
    g++ | c++) [ "$standard_given" = yes ] || set -- -std=gnu++98 "$@" ;;
esac
exec "$real" "$@"
