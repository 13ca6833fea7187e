#!/usr/bin/env bash
# Builds blurcam's OBS plugin (obs/) into obs/build, and with --install copies it where OBS loads per-user
# plugins. Safe to run again: an up-to-date build and install change nothing. See --help.
# Written for the bash 3.2 that macOS ships.
set -euo pipefail

repo_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source_dir="$repo_dir/obs"
build_dir="$source_dir/build"
install=false
warnings_as_errors=false
[ "${CI:-}" = "true" ] && warnings_as_errors=true

usage() {
  cat <<'EOF'
Usage: scripts/build-plugin.sh [--install] [--warnings-as-errors]

Builds the blurcam OBS plugin into obs/build for the OBS installed on this machine, from:
  - the libobs headers of that OBS's version, fetched once into a per-user cache by
    scripts/fetch-obs-headers.sh (Linux: Debian/Ubuntu's obs-studio source package, with apt;
    macOS: obs-studio's release archive from GitHub);
  - SIMDe (libsimde-dev / brew simde) and libzmq (libzmq3-dev / brew zeromq);
  - the installed OBS's own libobs (Linux: libobs.so.0 of the libobs0 package; macOS:
    libobs.framework inside OBS.app).
No libobs development package and no OBS build is needed. Rebuild after upgrading OBS.

  --install    also copy the plugin into this user's OBS plugin folder:
                 Linux: ~/.config/obs-studio/plugins/blurcam-obs/ (bin/64bit/blurcam-obs.so and data/)
                 macOS: ~/Library/Application Support/obs-studio/plugins/blurcam-obs.plugin
                        (arm64, signed ad hoc, quarantine attribute removed)
               Restart OBS afterwards so it loads the new plugin.
  --warnings-as-errors
               fail on compiler warnings (the tests and CI build this way; implied when CI=true)
  --help, -h   print this and exit

Environment:
  BLURCAM_OBS_SOURCE_DIR   an obs-studio source tree to take the libobs headers from instead of fetching
                           them (its version must not be newer than the installed OBS's)
  BLURCAM_OBS_VERSION      your OBS's version (X.Y.Z) when it cannot be read (macOS) or OBS was not
                           installed with apt (Linux): the headers then come from obs-studio's release archive
  BLURCAM_OBS_APP          macOS: the OBS.app to build for (default: /Applications/OBS.app)
EOF
}

for arg in "$@"; do
  case "$arg" in
    --install) install=true ;;
    --warnings-as-errors) warnings_as_errors=true ;;
    --help | -h) usage; exit 0 ;;
    *) echo "build-plugin.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

fail() { printf 'build-plugin.sh: %s\n' "$1" >&2; [ $# -gt 1 ] && printf '  fix: %s\n' "$2" >&2; exit 1; }

command -v cmake >/dev/null || fail "cmake is not installed." "run scripts/install-obs.sh, or install cmake (Debian/Ubuntu: sudo apt-get install cmake; macOS: brew install cmake)"
command -v pkg-config >/dev/null || fail "pkg-config is not installed." "run scripts/install-obs.sh, or install pkg-config (macOS: brew install pkgconf)"
pkg-config --exists libzmq || fail "libzmq (ZeroMQ) development files are missing." "Debian/Ubuntu: sudo apt-get install libzmq3-dev; macOS: brew install zeromq"

configure_args=(-S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo)
if $warnings_as_errors; then
  configure_args+=(-DBLURCAM_WARNINGS_AS_ERRORS=ON)
else
  configure_args+=(-DBLURCAM_WARNINGS_AS_ERRORS=OFF)
fi

case "$(uname -s)" in
  Darwin)
    obs_app=${BLURCAM_OBS_APP:-/Applications/OBS.app}
    [ -d "$obs_app/Contents/Frameworks/libobs.framework" ] ||
      fail "OBS Studio is not installed ($obs_app/Contents/Frameworks/libobs.framework is missing)." "brew install --cask obs (or run scripts/install-obs.sh), or set BLURCAM_OBS_APP to your OBS.app"
    command -v brew >/dev/null || fail "Homebrew is not installed (it provides SIMDe and libzmq)." "install it from https://brew.sh, then run scripts/install-obs.sh"
    simde_include="$(brew --prefix simde 2>/dev/null)/include"
    [ -f "$simde_include/simde/x86/sse2.h" ] || fail "SIMDe is not installed (libobs's headers include it)." "brew install simde"
    configure_args+=("-DBLURCAM_LIBOBS_LIBRARY=$obs_app/Contents/Frameworks/libobs.framework"
      "-DBLURCAM_SIMDE_INCLUDE_DIR=$simde_include")
    ;;
  *)
    [ -f /usr/include/simde/x86/sse2.h ] || fail "SIMDe is not installed (libobs's headers include it)." "sudo apt-get install libsimde-dev"
    ;;
esac

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

if [ -n "${BLURCAM_OBS_SOURCE_DIR:-}" ]; then
  libobs_include="$BLURCAM_OBS_SOURCE_DIR/libobs"
  [ -f "$libobs_include/obs-module.h" ] ||
    fail "BLURCAM_OBS_SOURCE_DIR ($BLURCAM_OBS_SOURCE_DIR) has no libobs/obs-module.h." "point it at an obs-studio source tree, or unset it to fetch the headers"
else
  libobs_include=$("$repo_dir/scripts/fetch-obs-headers.sh") || exit 1
fi
configure_args+=("-DBLURCAM_LIBOBS_INCLUDE_DIR=$libobs_include")
if ! cmake "${configure_args[@]}" >"$build_dir/configure.log" 2>&1; then
  cat "$build_dir/configure.log" >&2
  fail "configuring the plugin failed (log above)." "install what the log names (scripts/install-obs.sh installs everything), then run this script again"
fi
jobs=$( (command -v nproc >/dev/null && nproc) || sysctl -n hw.ncpu 2>/dev/null || echo 2)
cmake --build "$build_dir" --parallel "$jobs" ||
  fail "building the plugin failed (compiler output above)." "delete obs/build and run this script again; if it fails again, report the compiler output"

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
  # A bundle that came through a browser or an archive tool carries the quarantine flag, and macOS would
  # refuse to load it into OBS.
  if [ "$(uname -s)" = Darwin ]; then xattr -r -d com.apple.quarantine "$target" 2>/dev/null || true; fi
  echo "installed: $target (restart OBS to load it)"
fi
