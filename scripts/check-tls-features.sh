#!/usr/bin/env bash
# The TLS features pull in what they say and nothing else, as a user's build sees it
# (normal and build dependencies only: dev-dependencies never reach users):
#   default (rustls)                        → rustls with its provider, no native-tls/openssl;
#   --no-default-features --features native-tls → native-tls, and no rustls, aws-lc or ring.
set -euo pipefail
cd "$(dirname "$0")/.."

rustls_crates='^(rustls|rustls-webpki|rustls-platform-verifier|hyper-rustls|tokio-rustls|aws-lc-rs|aws-lc-sys|ring) v'
native_crates='^(native-tls|hyper-tls|tokio-native-tls|openssl|openssl-sys) v'

tree() {
  cargo tree -p baseten-api --locked -e normal,build --prefix none --format '{p}' "$@" | sed 's/ (\*)$//' | sort -u
}

fail=0
default_tree=$(tree)
if ! grep -Eq '^rustls v' <<<"$default_tree"; then
  echo "default features: rustls is missing" >&2; fail=1
fi
if grep -Eq "$native_crates" <<<"$default_tree"; then
  echo "default features pull in native TLS:" >&2; grep -E "$native_crates" <<<"$default_tree" >&2; fail=1
fi

native_tree=$(tree --no-default-features --features native-tls)
if ! grep -Eq '^native-tls v' <<<"$native_tree"; then
  echo "native-tls: native-tls is missing" >&2; fail=1
fi
if grep -Eq "$rustls_crates" <<<"$native_tree"; then
  echo "native-tls pulls in a rustls provider:" >&2
  grep -E "$rustls_crates" <<<"$native_tree" >&2
  for crate in $(grep -E "$rustls_crates" <<<"$native_tree" | cut -d' ' -f1 | sort -u); do
    cargo tree -p baseten-api --locked -e normal,build --no-default-features --features native-tls -i "$crate" >&2 || true
  done
  fail=1
fi

none_tree=$(tree --no-default-features)
if grep -Eq "$rustls_crates|$native_crates" <<<"$none_tree"; then
  echo "no TLS feature, but a TLS stack is pulled in:" >&2; grep -E "$rustls_crates|$native_crates" <<<"$none_tree" >&2; fail=1
fi

[ "$fail" -eq 0 ] || exit 1
echo "TLS features ok: default → $(grep -E '^(rustls|aws-lc-rs) v' <<<"$default_tree" | tr '\n' ' ');" \
  "native-tls → $(grep -E '^(native-tls|openssl) v' <<<"$native_tree" | tr '\n' ' '), no rustls/aws-lc/ring"
