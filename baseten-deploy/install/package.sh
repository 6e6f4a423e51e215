#!/usr/bin/env bash
# Packs a built baseten-deploy binary into the release archive that cargo-binstall,
# install.sh and the action (baseten-deploy/action.yml) download, and writes its .sha256.
#
#   package.sh --version 0.1.0 --target x86_64-unknown-linux-musl \
#              --binary target/x86_64-unknown-linux-musl/release/baseten-deploy --out-dir dist
#
# Writes, and prints the path of:
#   dist/baseten-deploy-<version>-<target>.tar.gz   (.zip for a Windows target), holding
#     baseten-deploy-<version>-<target>/baseten-deploy[.exe]
#     baseten-deploy-<version>-<target>/README.md     (baseten-deploy/README.md)
#     baseten-deploy-<version>-<target>/LICENSE*      (the repository's licence files, if any)
#   dist/<archive>.sha256                            "<sha256>  <archive>", as sha256sum prints it
#
# The names are the contract with [package.metadata.binstall] in baseten-deploy/Cargo.toml and
# with install.sh; tests/cli/install.rs checks all three against each other for every target of
# .github/workflows/release.yml. Needs: tar and gzip (zip or 7z for Windows), sha256sum or shasum.
set -euo pipefail

die() {
  echo "package.sh: error: $*" >&2
  exit 1
}

version='' target='' binary='' out_dir=''
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=${2-}; shift 2 ;;
    --target) target=${2-}; shift 2 ;;
    --binary) binary=${2-}; shift 2 ;;
    --out-dir) out_dir=${2-}; shift 2 ;;
    *) die "unknown argument '$1' (want --version, --target, --binary, --out-dir)" ;;
  esac
done
[ -n "$version" ] || die "--version is required"
[ -n "$target" ] || die "--target is required"
[ -n "$out_dir" ] || die "--out-dir is required"
[ -f "$binary" ] || die "--binary '$binary' is not a file"

here=$(cd "$(dirname "$0")" && pwd)
crate_dir=$(dirname "$here")
repo_dir=$(dirname "$crate_dir")

case "$target" in
  *windows*) ext=zip exe=.exe ;;
  *) ext=tar.gz exe='' ;;
esac
stem="baseten-deploy-$version-$target"
archive="$stem.$ext"

# shellcheck source-path=SCRIPTDIR source=sha256.sh
source "$here/sha256.sh"

mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT

mkdir "$staging/$stem"
cp "$binary" "$staging/$stem/baseten-deploy$exe"
chmod 755 "$staging/$stem/baseten-deploy$exe"
cp "$crate_dir/README.md" "$staging/$stem/README.md"
for licence in "$repo_dir"/LICENSE* "$repo_dir"/COPYRIGHT*; do
  if [ -f "$licence" ]; then cp "$licence" "$staging/$stem/"; fi
done

rm -f "$out_dir/$archive" "$out_dir/$archive.sha256"
case "$ext" in
  tar.gz)
    # COPYFILE_DISABLE: no AppleDouble ._ files from macOS's bsdtar.
    (cd "$staging" && COPYFILE_DISABLE=1 tar -czf "$out_dir/$archive" "$stem")
    ;;
  zip)
    if command -v zip > /dev/null 2>&1; then
      (cd "$staging" && zip -qr "$out_dir/$archive" "$stem")
    elif command -v 7z > /dev/null 2>&1; then
      (cd "$staging" && 7z a -tzip -bd "$out_dir/$archive" "$stem" > /dev/null)
    else
      die "neither zip nor 7z is installed"
    fi
    ;;
esac

printf '%s  %s\n' "$(sha256_of "$out_dir/$archive")" "$archive" > "$out_dir/$archive.sha256"
echo "$out_dir/$archive"
