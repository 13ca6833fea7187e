#!/usr/bin/env bash
# Prints the folder of libobs headers that matches the installed OBS, fetching them once into a per-user
# cache. scripts/build-plugin.sh compiles the plugin against them. See --help.
# Written for the bash 3.2 that macOS ships: no empty-array expansions under set -u, no mapfile.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/fetch-obs-headers.sh [--from debian|github] [--obs-version X.Y.Z]

Prints the path of a libobs/ header folder of the installed OBS's version, and fetches it the first time
(later runs print the cached copy and download nothing). Only the headers (*.h under libobs/) are kept.

  --from debian   (default on Linux without a version given) from the Debian/Ubuntu source package of the installed OBS (the package
                  that holds libobs.so.0), downloaded with `apt-get source`, which checks it against the
                  signed archive index. A private deb-src list is made from your apt sources; neither your apt
                  configuration nor the system's package lists change, and no root is needed.
  --from github   (default on macOS, and with a version given) from obs-studio's source archive of the newest release tag that is not
                  newer than the installed OBS (OBS refuses plugins built for a newer libobs). The tags are
                  listed with `git ls-remote`; the archive is downloaded with curl.
  --obs-version X.Y.Z
                  use this OBS version instead of asking the installed OBS
                  (macOS: CFBundleShortVersionString of OBS.app/Contents/Info.plist). The same as
                  BLURCAM_OBS_VERSION=X.Y.Z, which reaches this script through build-plugin.sh.
  --help, -h      print this and exit

Environment:
  BLURCAM_OBS_APP         the OBS.app to read the version from (default: /Applications/OBS.app)
  BLURCAM_OBS_VERSION     see --obs-version
  BLURCAM_OBS_SOURCE_URL  the obs-studio repository (default: https://github.com/obsproject/obs-studio);
                          archives are read from URL/archive/refs/tags/TAG.tar.gz
  XDG_CACHE_HOME          the cache is $XDG_CACHE_HOME/blurcam/obs-headers (default: ~/.cache on Linux,
                          ~/Library/Caches on macOS)
EOF
}

fail() { printf 'fetch-obs-headers.sh: %s\n' "$1" >&2; [ $# -gt 1 ] && printf '  fix: %s\n' "$2" >&2; exit 1; }
note() { printf '%s\n' "$*" >&2; }

from=""
obs_version=${BLURCAM_OBS_VERSION:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --from)
      [ $# -ge 2 ] || fail "--from needs debian or github." "see --help"
      from=$2; shift ;;
    --obs-version)
      [ $# -ge 2 ] || fail "--obs-version needs a version such as 30.2.3." "see --help"
      obs_version=$2; shift ;;
    --help | -h) usage; exit 0 ;;
    *) fail "unknown option '$1'." "see --help" ;;
  esac
  shift
done
# A given OBS version means an OBS that no package describes: its headers come from the release archive.
if [ -z "$from" ]; then
  if [ -n "$obs_version" ] || [ "$(uname -s)" = Darwin ]; then from=github; else from=debian; fi
fi
case "$from" in debian | github) ;; *) fail "--from must be debian or github, not '$from'." "see --help" ;; esac
[ -z "$obs_version" ] || [ "$from" = github ] ||
  fail "an OBS version (--obs-version, BLURCAM_OBS_VERSION) goes with --from github." "add --from github, or leave the version to the installed package"

if [ -n "${XDG_CACHE_HOME:-}" ]; then
  cache_root="$XDG_CACHE_HOME/blurcam/obs-headers"
elif [ "$(uname -s)" = Darwin ]; then
  cache_root="$HOME/Library/Caches/blurcam/obs-headers"
else
  cache_root="$HOME/.cache/blurcam/obs-headers"
fi

# Extracts the *.h files under the archive's top-level libobs/ into DEST/libobs. Names are listed first and
# passed literally, because GNU tar (Linux) and bsdtar (macOS) treat wildcards differently.
extract_libobs_headers() {
  local archive=$1 dest=$2 names="$2.names"
  tar -tf "$archive" | grep -E '^[^/]+/libobs/.*\.h$' >"$names" || fail "$archive holds no libobs/ headers." "delete it and run this script again"
  tar -xf "$archive" -C "$dest" --strip-components 1 -T "$names"
  rm -f "$names"
  if [ ! -f "$dest/libobs/obs.h" ] || [ ! -f "$dest/libobs/obs-module.h" ]; then
    fail "$archive unpacked without libobs/obs.h." "delete it and run this script again"
  fi
}

# Moves a finished header tree into the cache under NAME and prints its libobs/ folder. Another build may have
# got there first; its copy is as good as ours.
publish() {
  local tree=$1 name=$2
  [ -e "$cache_root/$name" ] || mv "$tree" "$cache_root/$name"
  printf '%s\n' "$cache_root/$name/libobs"
}

cached() {
  [ -f "$cache_root/$1/libobs/obs-module.h" ] || return 1
  printf '%s\n' "$cache_root/$1/libobs"
}

# ---- Linux: Debian/Ubuntu source package ------------------------------------------------------------------

# The deb-src twin of every apt source, so `apt-get source` reaches the archives the installed OBS came from.
write_deb_src_lists() {
  local dir=$1 file found=false
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$file" >"$dir/$(basename "$file" .list).list"
    [ -s "$dir/$(basename "$file" .list).list" ] && found=true
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    sed 's/^Types:.*$/Types: deb-src/' "$file" >"$dir/$(basename "$file")"
    found=true
  done
  $found || fail "no apt sources were found in /etc/apt." "check your apt configuration, or set BLURCAM_OBS_VERSION=X.Y.Z (your OBS's version) to use obs-studio's release archive"
}

headers_from_debian() {
  if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    fail "this system has no dpkg/apt, so the headers cannot come from its OBS package." "set BLURCAM_OBS_VERSION=X.Y.Z (your OBS's version) to use obs-studio's release archive"
  fi
  local owner binary_package source_package source_version upstream_version
  owner=$(dpkg-query -S '*/libobs.so.0' 2>/dev/null | head -n 1) ||
    fail "no installed package holds libobs.so.0: OBS Studio is not installed with apt." "sudo apt-get install obs-studio; for an OBS installed otherwise, set BLURCAM_OBS_VERSION=X.Y.Z (its version)"
  binary_package=${owner%%: *}
  read -r source_package source_version upstream_version < <(dpkg-query -W -f='${source:Package} ${source:Version} ${source:Upstream-Version}\n' "$binary_package") || true
  [ -n "$upstream_version" ] || fail "dpkg did not tell the version of $binary_package." "reinstall OBS Studio (sudo apt-get install --reinstall obs-studio)"

  local name="debian-$upstream_version"
  cached "$name" && return
  note "Fetching the libobs headers of OBS $upstream_version (Debian source package $source_package $source_version)..."
  mkdir -p "$cache_root"
  work=$(mktemp -d "$cache_root/.fetch.XXXXXX")
  mkdir -p "$work/sources" "$work/lists/partial" "$work/cache/archives/partial" "$work/download" "$work/tree"
  write_deb_src_lists "$work/sources"
  local apt_options=(
    -q -o "Dir::Etc::SourceParts=$work/sources" -o Dir::Etc::SourceList=/dev/null
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
  )
  # As root, apt downloads as the _apt user, who cannot write into root's cache folder.
  [ "$(id -u)" -eq 0 ] && apt_options+=(-o APT::Sandbox::User=root)
  apt-get "${apt_options[@]}" update >"$work/apt.log" 2>&1 || {
    cat "$work/apt.log" >&2
    fail "apt could not read the source package lists (log above)." "check your network and apt sources, then run this script again"
  }
  # The exact version first; an archive that moved on still has the same upstream tarball under the name.
  (cd "$work/download" && { apt-get "${apt_options[@]}" source --download-only "$source_package=$source_version" ||
    apt-get "${apt_options[@]}" source --download-only "$source_package"; }) >>"$work/apt.log" 2>&1 || {
    cat "$work/apt.log" >&2
    fail "apt could not download the source package $source_package (log above)." "check your network and apt sources, or set BLURCAM_OBS_VERSION=${upstream_version%%+*} to use obs-studio's release archive"
  }
  local orig="" candidate
  for candidate in "$work/download/${source_package}_${upstream_version}.orig.tar."*; do
    [ -f "$candidate" ] && orig=$candidate
  done
  [ -n "$orig" ] ||
    fail "the archive no longer has OBS $upstream_version's source (only a newer one)." "upgrade OBS (sudo apt-get install --only-upgrade obs-studio), then run this script again"
  extract_libobs_headers "$orig" "$work/tree"
  publish "$work/tree" "$name"
}

# ---- macOS (or any system with --obs-version): obs-studio release archive ----------------------------------

installed_obs_app_version() {
  local app=${BLURCAM_OBS_APP:-/Applications/OBS.app}
  [ -d "$app" ] || fail "OBS Studio is not installed ($app is missing)." "brew install --cask obs (or scripts/install-obs.sh), or set BLURCAM_OBS_APP to your OBS.app"
  command -v plutil >/dev/null || fail "plutil is missing, so OBS's version cannot be read." "give the version: BLURCAM_OBS_VERSION=X.Y.Z"
  plutil -extract CFBundleShortVersionString raw -o - "$app/Contents/Info.plist" 2>/dev/null ||
    fail "OBS's version could not be read from $app/Contents/Info.plist." "reinstall OBS (brew reinstall --cask obs), or give the version: BLURCAM_OBS_VERSION=X.Y.Z"
}

# Reads `git ls-remote --tags` lines and prints the newest release tag (X.Y.Z, no -beta/-rc) not newer than
# VERSION, or nothing.
newest_release_not_newer() {
  local major minor patch
  IFS=. read -r major minor patch <<<"$1"
  sed -n 's|.*refs/tags/\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\)$|\1|p' |
    awk -F. -v major="$major" -v minor="$minor" -v patch="${patch:-0}" \
      '$1 < major || ($1 == major && ($2 < minor || ($2 == minor && $3 <= patch)))' |
    sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1
}

headers_from_github() {
  local version
  version=${obs_version:-$(installed_obs_app_version)}
  printf '%s\n' "$version" | grep -Eq '^[0-9]+\.[0-9]+(\.[0-9]+)?$' ||
    fail "'$version' is not an OBS version of the form X.Y.Z." "give the version: BLURCAM_OBS_VERSION=X.Y.Z (or --obs-version)"
  local source_url=${BLURCAM_OBS_SOURCE_URL:-https://github.com/obsproject/obs-studio}
  command -v git >/dev/null || fail "git is missing (it lists obs-studio's release tags)." "xcode-select --install (macOS) or install git"
  command -v curl >/dev/null || fail "curl is missing." "install curl"

  # The release of exactly this version, once cached, needs no network.
  cached "github-$version" && return

  local tags tag
  tags=$(git ls-remote --tags --refs "$source_url" 2>/dev/null) ||
    fail "could not list obs-studio's release tags at $source_url." "check your internet connection, then run this script again"
  tag=$(printf '%s\n' "$tags" | newest_release_not_newer "$version")
  [ -n "$tag" ] || fail "obs-studio has no release tag at or below $version." "check OBS's version (BLURCAM_OBS_VERSION or --obs-version)"
  cached "github-$tag" && return

  note "Fetching the libobs headers of obs-studio $tag (for OBS $version)..."
  mkdir -p "$cache_root"
  work=$(mktemp -d "$cache_root/.fetch.XXXXXX")
  mkdir -p "$work/tree"
  curl --fail --location --silent --show-error --retry 2 -o "$work/obs-studio.tar.gz" \
    "$source_url/archive/refs/tags/$tag.tar.gz" ||
    fail "downloading obs-studio $tag's source archive failed." "check your internet connection, then run this script again"
  extract_libobs_headers "$work/obs-studio.tar.gz" "$work/tree"
  publish "$work/tree" "github-$tag"
}

work=""
trap '[ -z "$work" ] || rm -rf "$work"' EXIT
"headers_from_$from"
