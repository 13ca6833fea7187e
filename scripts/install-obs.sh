#!/usr/bin/env bash
# blurcam's one install path, for a fresh machine and for CI. See --help.
set -euo pipefail

repo_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
assume_yes=false
skip_system=false
skip_obs_settings=false
dev=false
[ "${CI:-}" = "true" ] && assume_yes=true && dev=true

usage() {
  cat <<'EOF'
Usage: scripts/install-obs.sh [--dev] [--yes] [--skip-system] [--skip-obs-settings]

Sets blurcam up on this machine. Safe to run again: steps already done change nothing.

  1. System packages
       Debian/Ubuntu (apt): obs-studio libsimde-dev libopencv-dev libzmq3-dev cmake pkg-config g++ make
                            xz-utils curl xvfb ffmpeg procps
                            with --dev, also what the test suite and train/ need: chromium clang-14
                            libclang-rt-14-dev python3-torch python3-torchvision python3-opencv python3-numpy
                            python3-matplotlib python3-tqdm python3-onnx python3-pytest (about 1 GB)
       macOS (Homebrew):    obs (cask), opencv, zeromq, simde, cmake, pkgconf
  2. npm packages, with the switches this project needs (no downloads outside the npm registry),
     then the native pixel loops (src/native/, C), the TypeScript build and the model conversion (models/*.onnx).
  3. The blurcam OBS plugin: built from obs/ for the installed OBS and copied into your OBS plugin folder
       Linux: ~/.config/obs-studio/plugins/blurcam-obs/
       macOS: ~/Library/Application Support/obs-studio/plugins/blurcam-obs.plugin
     The first build fetches the libobs headers of your OBS's version into ~/.cache/blurcam (Linux: OBS's
     Debian/Ubuntu source package, with apt; macOS: ~/Library/Caches/blurcam, obs-studio's source archive
     from GitHub); see scripts/build-plugin.sh --help. If the plugin cannot be built, step 4 still runs
     and the script then exits with an error that says why.
  4. OBS's websocket server (`blurcam configure-obs`): turned on, with authentication. A password you
     already set in OBS is kept; otherwise a random one is generated. It is stored for blurcam in its
     config file (Linux: ~/.config/blurcam/config.json, macOS: ~/Library/Application Support/blurcam/
     config.json), readable only by you, and never printed. Every settings file is copied to
     FILE.blurcam-backup-<time> before it changes. OBS must be closed for this step: it rewrites its
     settings when it quits.

Options:
  --dev                 also install what the test suite (npm test) and training your own model (train/)
                        need: see step 1 (implied when CI=true)
  --yes, -y             do not ask before installing system packages, and stop instead of waiting
                        for OBS to close (implied when CI=true)
  --skip-system         skip step 1 (you installed the packages yourself)
  --skip-obs-settings   skip step 4 (you manage OBS's websocket settings yourself; give blurcam the
                        password with BLURCAM_OBS_PASSWORD or its config file)
  --help, -h            print this and exit
EOF
}

for arg in "$@"; do
  case "$arg" in
    --yes | -y) assume_yes=true ;;
    --dev) dev=true ;;
    --skip-system) skip_system=true ;;
    --skip-obs-settings) skip_obs_settings=true ;;
    --help | -h) usage; exit 0 ;;
    *) echo "install-obs.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'install-obs.sh: %s\n' "$1" >&2; [ $# -gt 1 ] && printf '  fix: %s\n' "$2" >&2; exit 1; }

confirm() {
  $assume_yes && return 0
  [ -t 0 ] || fail "$1 needs confirmation, and there is no terminal to ask." "run again with --yes"
  read -r -p "$1 [Y/n] " answer
  case "$answer" in "" | y | Y | yes) return 0 ;; *) fail "stopped at your request." ;; esac
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

check_node() {
  command -v node >/dev/null || fail "Node.js is not installed." "install Node.js 20.19 or newer (https://nodejs.org or your package manager)"
  local version major minor
  version=$(node -p 'process.versions.node')
  major=${version%%.*}
  minor=$(echo "$version" | cut -d. -f2)
  if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; }; then
    fail "Node.js $version is too old." "install Node.js 20.19 or newer"
  fi
}

install_system_linux() {
  command -v apt-get >/dev/null || fail "this Linux has no apt-get." "install the packages listed in --help with your package manager, then run with --skip-system"
  local packages=(obs-studio libsimde-dev libopencv-dev libzmq3-dev cmake pkg-config g++ make xz-utils curl xvfb ffmpeg procps)
  if $dev; then
    # The status page's browser test, the plugin's fuzz test, and train/ (Debian's PyTorch, for /usr/bin/python3).
    packages+=(chromium clang-14 libclang-rt-14-dev)
    packages+=(python3-torch python3-torchvision python3-opencv python3-numpy python3-matplotlib python3-tqdm python3-onnx python3-pytest)
  fi
  local missing=()
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "all system packages are installed"
    return
  fi
  confirm "Install with apt: ${missing[*]}?"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

install_system_macos() {
  command -v brew >/dev/null || fail "Homebrew is not installed." "install it from https://brew.sh, then run this script again"
  local formulae=(opencv zeromq simde cmake pkgconf)
  local missing=()
  for formula in "${formulae[@]}"; do
    brew list --formula "$formula" >/dev/null 2>&1 || missing+=("$formula")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    confirm "Install with Homebrew: ${missing[*]}?"
    brew install "${missing[@]}"
  fi
  if [ ! -d /Applications/OBS.app ]; then
    confirm "Install OBS Studio (Homebrew cask 'obs')?"
    brew install --cask obs
  fi
}

install_npm_packages() {
  export OPENCV4NODEJS_DISABLE_AUTOBUILD=1
  export ONNXRUNTIME_NODE_INSTALL=skip
  export JOBS="${JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}"
  if [ "$(uname -s)" = "Darwin" ]; then
    local opencv_prefix
    opencv_prefix=$(brew --prefix opencv)
    export OPENCV_INCLUDE_DIR="$opencv_prefix/include/opencv4"
    export OPENCV_LIB_DIR="$opencv_prefix/lib"
    export OPENCV_BIN_DIR="$opencv_prefix/bin"
  fi
  cd "$repo_dir"
  # npm ci when the lock file is there: the same versions as tested, and a clean node_modules.
  # Its `prepare` script builds the native pixel loops and the TypeScript and converts the models.
  if [ -f package-lock.json ] && [ ! -d node_modules ]; then
    npm ci --no-audit --no-fund
  else
    npm install --no-audit --no-fund
  fi
}

# A plugin that does not build leaves the rest of the set-up useful (the websocket settings, blurcam with
# --output FILE), so the remaining steps run and the script fails at the end.
plugin_installed=false
install_plugin() {
  if "$repo_dir/scripts/build-plugin.sh" --install; then
    plugin_installed=true
  else
    echo "The OBS plugin was not built (the lines above say why); the remaining steps go on." >&2
  fi
}

# Whether an OBS of this user runs on these settings (an OBS started with another HOME, as tests do,
# reads other files).
obs_is_running() {
  local pid
  for pid in $(pgrep -x -u "$(id -u)" "$([ "$platform" = macos ] && echo OBS || echo obs)" 2>/dev/null); do
    [ "$platform" = macos ] && return 0
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "HOME=$HOME" && return 0
  done
  return 1
}

configure_obs_websocket() {
  # OBS writes its settings back when it quits, which would undo this step.
  while obs_is_running; do
    $assume_yes && fail "OBS is running, and it would overwrite its websocket settings when it quits." \
      "quit OBS (File > Exit) and run this script again, or add --skip-obs-settings"
    [ -t 0 ] || fail "OBS is running, and there is no terminal to ask you to quit it." "quit OBS and run this script again"
    read -r -p "OBS is running. Quit it (File > Exit), then press Enter; or type 's' to skip this step: " answer
    case "$answer" in s | S) echo "skipped: OBS's websocket settings are unchanged"; return ;; esac
  done
  node "$repo_dir/bin/blurcam.js" configure-obs
}

check_node
case "$(uname -s)" in
  Linux) platform=linux ;;
  Darwin) platform=macos ;;
  *) fail "$(uname -s) is not supported." "blurcam runs on macOS and on Debian/Ubuntu Linux" ;;
esac

if $skip_system; then
  step "System packages: skipped (--skip-system)"
else
  step "System packages ($platform)"
  "install_system_$platform"
fi

step "npm packages, TypeScript build, model conversion"
install_npm_packages

step "OBS plugin"
install_plugin

if $skip_obs_settings; then
  step "OBS websocket settings: skipped (--skip-obs-settings)"
else
  step "OBS websocket settings"
  configure_obs_websocket
fi

if ! $plugin_installed; then
  fail "the OBS plugin did not build (see the build-plugin.sh message above); the other steps are done." \
    "fix what it names, then run scripts/build-plugin.sh --install (or this script again)"
fi
step "Done"
echo "Try it: npx blurcam start --input demo --output demo.mp4 --frames 150"
echo "With OBS: npx blurcam start --launch-obs   (see docs/setup-$platform.md)"
