#!/usr/bin/env bash
# Installs a released baseten-deploy binary in seconds: downloads the archive for this machine
# from the GitHub release, checks its SHA-256 against the release's .sha256 file and against the
# table committed beside this script (checksums.txt), and only then puts the binary in the
# install directory. Any mismatch: a message on stderr, exit 1, nothing installed.
# The composite action (baseten-deploy/action.yml) runs this script; it runs anywhere else too.
#
#   install.sh --install-dir ~/.local/bin                 # the version of this checkout
#   install.sh --version 0.1.0 --install-dir ./bin
#
# Options (each also as an environment variable):
#   --version V        BASETEN_DEPLOY_VERSION      default: the version in ../Cargo.toml
#   --target T         BASETEN_DEPLOY_TARGET       default: this machine's, from RUNNER_OS and
#                                                  RUNNER_ARCH (GitHub Actions) or uname
#   --install-dir D    BASETEN_DEPLOY_INSTALL_DIR  default in GitHub Actions:
#                                                  $RUNNER_TEMP/baseten-deploy/<version>
#   --base-url URL     BASETEN_DEPLOY_BASE_URL     where the archive and its .sha256 are; default
#                                                  the release of tag baseten-deploy-v<version>
#   --checksums FILE   BASETEN_DEPLOY_CHECKSUMS    default: checksums.txt beside this script
#   --require-pinned   BASETEN_DEPLOY_REQUIRE_PINNED=true: refuse an archive that has no line
#                                                  in the checksum table (default: warn)
#   --github           also append the install directory to $GITHUB_PATH and write `dir`,
#                      `path` and `version` to $GITHUB_OUTPUT (what the action does)
#   --print-target     print the target for this machine and exit
#   --print-url        print the archive's URL and exit
#
# Needs bash, curl (or wget), sha256sum (or shasum), tar (unzip or 7z on Windows).
set -euo pipefail

repository=https://github.com/baseten-api-rs/baseten-api
here=$(cd "$(dirname "$0")" && pwd)

in_actions=false
if [ "${GITHUB_ACTIONS:-}" = true ]; then in_actions=true; fi

say() {
  echo "baseten-deploy install: $*" >&2
}
die() {
  if $in_actions; then
    echo "::error title=baseten-deploy install::$*"
  fi
  echo "baseten-deploy install: error: $*" >&2
  exit 1
}
warn() {
  if $in_actions; then
    echo "::warning title=baseten-deploy install::$*"
  fi
  echo "baseten-deploy install: warning: $*" >&2
}

version=${BASETEN_DEPLOY_VERSION:-}
target=${BASETEN_DEPLOY_TARGET:-}
install_dir=${BASETEN_DEPLOY_INSTALL_DIR:-}
base_url=${BASETEN_DEPLOY_BASE_URL:-}
checksums=${BASETEN_DEPLOY_CHECKSUMS:-$here/checksums.txt}
case "${BASETEN_DEPLOY_REQUIRE_PINNED:-false}" in
  true) require_pinned=true ;;
  false | '') require_pinned=false ;;
  *) die "BASETEN_DEPLOY_REQUIRE_PINNED must be true or false, not '${BASETEN_DEPLOY_REQUIRE_PINNED}'" ;;
esac
github=false
print=''
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=${2-}; shift 2 ;;
    --target) target=${2-}; shift 2 ;;
    --install-dir) install_dir=${2-}; shift 2 ;;
    --base-url) base_url=${2-}; shift 2 ;;
    --checksums) checksums=${2-}; shift 2 ;;
    --require-pinned) require_pinned=true; shift ;;
    --github) github=true; shift ;;
    --print-target) print=target; shift ;;
    --print-url) print=url; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

# The release archive built for this OS and CPU (the targets of .github/workflows/release.yml).
detect_target() {
  local os=${RUNNER_OS:-$(uname -s)} arch=${RUNNER_ARCH:-$(uname -m)}
  case "$os" in
    Linux) os=linux ;;
    macOS | Darwin) os=macos ;;
    Windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
  esac
  case "$arch" in
    X64 | x86_64 | amd64 | AMD64) arch=x86_64 ;;
    ARM64 | aarch64 | arm64) arch=aarch64 ;;
  esac
  case "$os/$arch" in
    linux/x86_64) echo x86_64-unknown-linux-musl ;;
    linux/aarch64) echo aarch64-unknown-linux-musl ;;
    macos/x86_64) echo x86_64-apple-darwin ;;
    macos/aarch64) echo aarch64-apple-darwin ;;
    # Windows 11 on Arm runs x86-64 programs under emulation.
    windows/x86_64 | windows/aarch64) echo x86_64-pc-windows-msvc ;;
    *) die "no release archive for $os/$arch; build from source: cargo install --locked --git $repository baseten-deploy" ;;
  esac
}

if [ -z "$target" ]; then target=$(detect_target); fi
if [ "$print" = target ]; then
  echo "$target"
  exit 0
fi

if [ -z "$version" ]; then
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$here/../Cargo.toml" | head -n 1)
  [ -n "$version" ] || die "no --version given and none found in $here/../Cargo.toml"
fi
case "$version" in
  v*) version=${version#v} ;;
esac
case "$version" in
  *[!0-9A-Za-z.+-]* | '') die "'$version' is not a version (want e.g. 0.1.0)" ;;
esac

case "$target" in
  *windows*) ext=zip exe=.exe ;;
  *) ext=tar.gz exe='' ;;
esac
stem="baseten-deploy-$version-$target"
archive="$stem.$ext"
base_url=${base_url:-$repository/releases/download/baseten-deploy-v$version}
base_url=${base_url%/}
url="$base_url/$archive"
if [ "$print" = url ]; then
  echo "$url"
  exit 0
fi

# Plain HTTP only to this machine (the tests' local server); redirects stay on the same scheme.
case "$base_url" in
  https://*) protocols='=https' ;;
  http://127.0.0.1[:/]* | http://localhost[:/]* | http://\[::1\][:/]*) protocols='=http' ;;
  *) die "refusing to download from '$base_url': only https:// (or http:// to this machine)" ;;
esac

if [ -z "$install_dir" ]; then
  [ -n "${RUNNER_TEMP:-}" ] || die "--install-dir is required outside GitHub Actions"
  install_dir="$RUNNER_TEMP/baseten-deploy/$version"
fi

# shellcheck source-path=SCRIPTDIR source=sha256.sh
source "$here/sha256.sh"

download() { # URL FILE
  if command -v curl > /dev/null 2>&1; then
    curl --fail --silent --show-error --location --proto "$protocols" --proto-redir "$protocols" \
      --retry 3 --connect-timeout 20 --max-time 300 --output "$2" "$1"
  elif command -v wget > /dev/null 2>&1; then
    local only_https=()
    if [ "$protocols" = '=https' ]; then only_https=(--https-only); fi
    wget --quiet "${only_https[@]}" --tries=3 --timeout=60 --output-document="$2" "$1"
  else
    die "neither curl nor wget is installed"
  fi
}

work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/baseten-deploy-install.XXXXXX")
trap 'rm -rf "$work"' EXIT

say "downloading $url"
download "$url" "$work/$archive" || die "could not download $url (is there a release baseten-deploy-v$version with an archive for $target?)"
download "$url.sha256" "$work/$archive.sha256" || die "could not download $url.sha256"
actual=$(sha256_of "$work/$archive")

# The release's own checksum: "<hex>  <name>" (a "*" before the name in binary mode).
read -r published published_name < "$work/$archive.sha256" || true
published=$(printf '%s' "${published:-}" | tr 'A-F' 'a-f')
published_name=${published_name#\*}
case "$published" in
  *[!0-9a-f]*) die "$archive.sha256 is not a SHA-256 checksum file; nothing installed" ;;
esac
[ ${#published} -eq 64 ] || die "$archive.sha256 is not a SHA-256 checksum file; nothing installed"
if [ -n "${published_name:-}" ] && [ "$published_name" != "$archive" ]; then
  die "$archive.sha256 is the checksum of '$published_name', not of $archive; nothing installed"
fi
if [ "$actual" != "$published" ]; then
  die "checksum mismatch for $archive: the release's .sha256 says $published, the download is $actual; nothing installed"
fi

# The committed table: the checksum this repository recorded when the archive was released.
[ -f "$checksums" ] || die "no checksum table at $checksums; nothing installed"
pinned=$(awk -v name="$archive" '$1 !~ /^#/ && NF >= 2 { n = $2; sub(/^\*/, "", n); if (n == name) print tolower($1) }' "$checksums" | sort -u)
if [ -n "$pinned" ]; then
  if [ "$(printf '%s\n' "$pinned" | wc -l)" -ne 1 ]; then
    die "$checksums has more than one checksum for $archive; nothing installed"
  fi
  if [ "$actual" != "$pinned" ]; then
    die "checksum mismatch for $archive: $checksums pins $pinned, the download (and its .sha256) is $actual; the release asset has changed since it was recorded; nothing installed"
  fi
  say "sha256 $actual matches the release's .sha256 and the committed table"
elif $require_pinned; then
  die "$archive has no line in $checksums and a pinned checksum is required; nothing installed"
else
  warn "$archive has no line in $checksums (a release is recorded there after it is published): checked against the release's .sha256 only"
fi

mkdir "$work/unpacked"
case "$ext" in
  # GNU tar and bsdtar leave out members with ".." and strip a leading "/".
  tar.gz) tar -xzf "$work/$archive" -C "$work/unpacked" ;;
  zip)
    if command -v unzip > /dev/null 2>&1; then
      unzip -q "$work/$archive" -d "$work/unpacked"
    elif command -v 7z > /dev/null 2>&1; then
      7z x -bd -y "-o$work/unpacked" "$work/$archive" > /dev/null
    else
      die "neither unzip nor 7z is installed"
    fi
    ;;
esac || die "could not extract $archive; nothing installed"
# One folder, named as the archive.
unpacked=$(ls -A "$work/unpacked")
[ "$unpacked" = "$stem" ] || die "$archive does not hold just the folder $stem/ (it holds: $(echo "$unpacked" | tr '\n' ' ')); nothing installed"

binary="$work/unpacked/$stem/baseten-deploy$exe"
[ -f "$binary" ] && [ ! -L "$binary" ] || die "$archive has no file $stem/baseten-deploy$exe; nothing installed"
chmod +x "$binary"

# The binary must run here and be the version asked for (skipped for a target that cannot run
# on this machine, which only a caller giving --target can ask for).
if [ "$target" = "$(detect_target 2> /dev/null || true)" ]; then
  reported=$("$binary" --version 2>&1) || die "the downloaded baseten-deploy does not run here: $reported; nothing installed"
  [ "$reported" = "baseten-deploy $version" ] || die "the archive for $version holds '$reported'; nothing installed"
fi

mkdir -p "$install_dir"
# Copy next to the final name, then rename: never a half-written baseten-deploy in the directory.
cp "$binary" "$install_dir/.baseten-deploy$exe.partial"
mv -f "$install_dir/.baseten-deploy$exe.partial" "$install_dir/baseten-deploy$exe"
installed="$install_dir/baseten-deploy$exe"
say "installed baseten-deploy $version ($target) as $installed"

if $github; then
  [ -n "${GITHUB_PATH:-}" ] && [ -n "${GITHUB_OUTPUT:-}" ] || die "--github needs GITHUB_PATH and GITHUB_OUTPUT"
  path_entry=$install_dir
  if command -v cygpath > /dev/null 2>&1; then path_entry=$(cygpath -w "$install_dir"); fi
  echo "$path_entry" >> "$GITHUB_PATH"
  {
    echo "dir=$install_dir"
    echo "path=$installed"
    echo "version=$version"
  } >> "$GITHUB_OUTPUT"
fi
