# shellcheck shell=bash
# sha256_of FILE: the file's SHA-256 in hex, with sha256sum (Linux) or shasum (macOS). Sourced by
# package.sh (which writes the .sha256 files) and install.sh (which checks them), so that both
# compute it the same way; the caller's `die` reports a machine with neither.
sha256_of() {
  if command -v sha256sum > /dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum > /dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    die "neither sha256sum nor shasum is installed"
  fi
}
