#!/usr/bin/env bash
# Fuzzes the plugin's receive path (obs/test/blurcam-receive-fuzz.c: the frame parser, the receive step and
# the pixel planes OBS reads, plus the endpoint check) with clang's libFuzzer under AddressSanitizer and UBSan.
# Builds into obs/build/fuzz. Prints one summary line; exits non-zero on any crash or sanitizer report.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/fuzz-plugin.sh [RUNS] [SEED]

  RUNS   inputs to execute (default 1000000)
  SEED   libFuzzer's random seed (default 1, so a run can be repeated)

Needs clang with libFuzzer (Debian/Ubuntu: sudo apt-get install clang-14 libclang-rt-14-dev; the compiler is
taken from $CC, else clang-14, else clang). The corpus grows in obs/build/fuzz/corpus across runs; a crashing
input is written to obs/build/fuzz/crash-*.
USAGE
}

case "${1:-}" in --help | -h) usage; exit 0 ;; esac
runs=${1:-1000000}
seed=${2:-1}
[[ "$runs" =~ ^[0-9]+$ && "$seed" =~ ^[0-9]+$ ]] || { usage >&2; exit 2; }

fail() { printf 'fuzz-plugin.sh: %s\n' "$1" >&2; [ $# -gt 1 ] && printf '  fix: %s\n' "$2" >&2; exit 1; }

repo_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir="$repo_dir/obs/build/fuzz"
compiler=${CC:-$(command -v clang-14 || command -v clang || true)}
[ -n "$compiler" ] || fail "clang is not installed." "sudo apt-get install clang-14 libclang-rt-14-dev (or set CC to a clang)"

mkdir -p "$build_dir"
if ! CC="$compiler" cmake -S "$repo_dir/obs" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBLURCAM_BUILD_FUZZERS=ON \
  -DBLURCAM_BUILD_TESTS=OFF -DBLURCAM_BUILD_PLUGIN=OFF >"$build_dir/configure.log" 2>&1; then
  cat "$build_dir/configure.log" >&2
  fail "configuring the fuzz build failed (log above)." "install clang-14 and libclang-rt-14-dev, and the plugin's build dependencies (scripts/install-obs.sh)"
fi
cmake --build "$build_dir" --target blurcam-receive-fuzz >"$build_dir/build.log" 2>&1 ||
  { cat "$build_dir/build.log" >&2; fail "building the fuzz target failed (log above)." "check that libclang-rt-14-dev (libFuzzer) is installed"; }

# Seeds: each a 2-byte length and a message. A 1x1 BGRA frame, a 2x2 I420 frame, and garbage between two frames.
seeds="$build_dir/seeds"
mkdir -p "$seeds" "$build_dir/corpus"
header() { # width height format stride payload
  printf 'BLCM\x01\x00\x30\x00'
  for value in "$@" 0; do printf "\\x$(printf %02x $((value & 255)))\\x$(printf %02x $((value >> 8 & 255)))\\x00\\x00"; done
  printf '\x07\x00\x00\x00\x00\x00\x00\x00\x2a\x00\x00\x00\x00\x00\x00\x00'
}
{ printf '\x34\x00'; header 1 1 1 4 4; printf '\x10\x20\x30\xff'; } >"$seeds/bgra-1x1"
{ printf '\x36\x00'; header 2 2 2 2 6; printf '\x10\x20\x30\x40\x80\x80'; } >"$seeds/i420-2x2"
{ printf '\x05\x00hello'; printf '\x34\x00'; header 1 1 1 4 4; printf '\x01\x02\x03\x04'; printf '\x03\x00BLC'; } >"$seeds/garbage-and-frame"

cd "$build_dir"
log="$build_dir/last-run.log"
started=$(date +%s.%N)
status=0
./blurcam-receive-fuzz -runs="$runs" -seed="$seed" -max_len=70000 -print_final_stats=1 \
  -dict="$repo_dir/obs/test/blurcam-frame.dict" corpus "$seeds" >"$log" 2>&1 || status=$?
seconds=$(echo "$(date +%s.%N) - $started" | bc)
executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
corpus=$(find corpus -type f | wc -l)
crashes=$(find . -maxdepth 1 -name 'crash-*' -newer "$seeds/bgra-1x1" | wc -l)
if [ "$status" -ne 0 ]; then
  tail -40 "$log" >&2
  fail "the fuzzer found a failure after ${executed:-?} executions (log above, input in $build_dir)." "run the crash file through ./blurcam-receive-fuzz to reproduce it"
fi
printf 'fuzz: %s executions in %.1f s, corpus %s inputs, crashes %s (seed %s)\n' "$executed" "$seconds" "$corpus" "$crashes" "$seed"
