#!/usr/bin/env bash
# Builds blurcam's OBS plugin (obs/) into obs/build, and with --install copies it where OBS loads per-user
# plugins. Safe to run again: an up-to-date build and install change nothing. See --help.
set -euo pipefail

repo_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source_dir="$repo_dir/obs"
build_dir="$source_dir/build"
install=false

usage() {
  cat <<'EOF'
Usage: scripts/build-plugin.sh [--install]

Configures and builds the blurcam OBS plugin into obs/build (CMake, libobs, libzmq).

  --install    also copy the plugin into this user's OBS plugin folder:
                 Linux: ~/.config/obs-studio/plugins/blurcam-obs/ (bin/64bit/blurcam-obs.so and data/)
                 macOS: ~/Library/Application Support/obs-studio/plugins/blurcam-obs.plugin
               Restart OBS afterwards so it loads the new plugin.
  --help, -h   print this and exit

Environment:
  BLURCAM_LIBOBS_DIR   folder holding libobsConfig.cmake, when CMake cannot find libobs by itself
                       (on macOS: an obs-studio build of the same version as the installed OBS)
EOF
}

for arg in "$@"; do
  case "$arg" in
    --install) install=true ;;
    --help | -h) usage; exit 0 ;;
    *) echo "build-plugin.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

fail() { printf 'build-plugin.sh: %s\n' "$1" >&2; [ $# -gt 1 ] && printf '  fix: %s\n' "$2" >&2; exit 1; }

command -v cmake >/dev/null || fail "cmake is not installed." "run scripts/install-obs.sh, or install cmake with your package manager"
command -v pkg-config >/dev/null || fail "pkg-config is not installed." "run scripts/install-obs.sh, or install pkg-config (macOS: brew install pkgconf)"
pkg-config --exists libzmq || fail "libzmq (ZeroMQ) development files are missing." "Debian/Ubuntu: sudo apt-get install libzmq3-dev; macOS: brew install zeromq"

# One build at a time in obs/build (test files run in parallel and each makes sure the plugin is built). A lock
# left by a build that died is taken over.
mkdir -p "$build_dir"
lock="$build_dir/.build-lock"
until mkdir "$lock" 2>/dev/null; do
  holder=$(cat "$lock/pid" 2>/dev/null || true)
  if [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null; then rm -rf "$lock"; continue; fi
  sleep 0.2
done
echo $$ >"$lock/pid"
trap 'rm -rf "$lock"' EXIT

configure_args=(-S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo)
[ -n "${BLURCAM_LIBOBS_DIR:-}" ] && configure_args+=("-Dlibobs_DIR=$BLURCAM_LIBOBS_DIR")
if ! cmake "${configure_args[@]}" >"$build_dir/configure.log" 2>&1; then
  cat "$build_dir/configure.log" >&2
  fail "configuring the plugin failed (log above)." "install libobs development files (Debian/Ubuntu: sudo apt-get install libobs-dev), or set BLURCAM_LIBOBS_DIR (see --help)"
fi
jobs=$( (command -v nproc >/dev/null && nproc) || sysctl -n hw.ncpu 2>/dev/null || echo 2)
cmake --build "$build_dir" --parallel "$jobs" || fail "building the plugin failed (compiler output above)." "check that libobs matches your OBS version, then run this script again"

case "$(uname -s)" in
  Darwin)
    built="$build_dir/plugins/blurcam-obs.plugin"
    target="$HOME/Library/Application Support/obs-studio/plugins/blurcam-obs.plugin"
    ;;
  *)
    built="$build_dir/plugins/blurcam-obs"
    target="${XDG_CONFIG_HOME:-$HOME/.config}/obs-studio/plugins/blurcam-obs"
    ;;
esac
[ -e "$built" ] || fail "the build did not produce $built." "delete obs/build and run this script again"
echo "built: $built"

if $install; then
  mkdir -p "$(dirname "$target")"
  # Replace rather than merge, so files dropped from the plugin do not linger.
  rm -rf "$target.new"
  cp -R "$built" "$target.new"
  rm -rf "$target"
  mv "$target.new" "$target"
  [ "$(uname -s)" = Darwin ] && xattr -r -d com.apple.quarantine "$target" 2>/dev/null || true
  echo "installed: $target (restart OBS to load it)"
fi
