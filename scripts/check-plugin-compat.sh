#!/usr/bin/env bash
# Compiles the plugin's sources against the libobs headers of a given obs-studio source tree, with warnings as
# errors, without linking: it tells whether the plugin builds for an OBS release that is not installed here.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/check-plugin-compat.sh OBS_SOURCE_DIR

Compiles every file of obs/src (no link) against OBS_SOURCE_DIR/libobs, with the flags of the plugin's
build (C11 with GNU extensions as CMake sets it, -O2, -Wall -Wextra -Werror, HAVE_OBSCONFIG_H and obs/compat/obsconfig.h), SIMDe and libzmq.
OBS_SOURCE_DIR is an obs-studio source tree (a checkout, a release archive, or the headers folder
scripts/fetch-obs-headers.sh caches). Prints one line per file and exits non-zero on the first error.

Environment:
  CC   the C compiler (default: cc)
EOF
}

fail() { printf 'check-plugin-compat.sh: %s\n' "$1" >&2; [ $# -gt 1 ] && printf '  fix: %s\n' "$2" >&2; exit 1; }

case "${1:-}" in
  --help | -h) usage; exit 0 ;;
  "") fail "no obs-studio source tree given." "scripts/check-plugin-compat.sh OBS_SOURCE_DIR (see --help)" ;;
esac
[ $# -eq 1 ] || fail "give one obs-studio source tree." "see --help"
obs_source_dir=${1%/}
[ -f "$obs_source_dir/libobs/obs-module.h" ] || fail "$obs_source_dir has no libobs/obs-module.h." "give the top folder of an obs-studio source tree"

repo_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
compiler=${CC:-cc}
if ! command -v pkg-config >/dev/null || ! pkg-config --exists libzmq; then
  fail "libzmq (ZeroMQ) development files are missing." "Debian/Ubuntu: sudo apt-get install libzmq3-dev; macOS: brew install zeromq"
fi

# The include order of the real build: libobs, our obsconfig.h, then SIMDe from the system (or Homebrew).
flags=(-std=gnu11 -O2 -Wall -Wextra -Werror -c -o /dev/null -DHAVE_OBSCONFIG_H -DBLURCAM_PLUGIN_VERSION='"check"'
  -isystem "$obs_source_dir/libobs" -isystem "$repo_dir/obs/compat")
if [ "$(uname -s)" = Darwin ] && command -v brew >/dev/null; then
  flags+=(-isystem "$(brew --prefix simde)/include" -Wno-strict-prototypes -Wno-shorten-64-to-32)
fi
read -r -a zmq_flags <<<"$(pkg-config --cflags libzmq)"

version=$(sed -nE 's/^#define LIBOBS_API_(MAJOR|MINOR|PATCH)_VER ([0-9]+).*/\2/p' "$obs_source_dir/libobs/obs-config.h" | paste -sd. -)
echo "libobs $version from $obs_source_dir, $("$compiler" --version | head -n 1)"
for source in "$repo_dir"/obs/src/*.c; do
  "$compiler" "${flags[@]}" ${zmq_flags[@]+"${zmq_flags[@]}"} "$source" ||
    fail "obs/src/$(basename "$source") does not compile against libobs $version (errors above)." "change the plugin so it builds with both this and the installed libobs"
  echo "ok $(basename "$source")"
done
echo "all $(find "$repo_dir/obs/src" -name '*.c' | wc -l | tr -d ' ') plugin sources compile against libobs $version"
