#!/usr/bin/env bash
# Unpacks the Debian packages whose source bench:shield scans as benign code, one folder per package under
# ~/.cache/llama-assist/shield-corpora (or $LLAMA_ASSIST_SHIELD_CORPORA). The packages are downloaded with apt and
# unpacked with dpkg-deb, never installed: no dependencies, services or maintainer scripts, and the system stays as
# it was. Quick and silent when every package is already unpacked.
#
# To add a corpus, add its package to CORPUS_PACKAGES and its folder to BENIGN_CORPORA in test/bench/shield.ts.
set -euo pipefail

readonly CORPUS_PACKAGES=(libruby3.1 phpmyadmin golang-1.19-src openjdk-17-source)

corpora_dir="${LLAMA_ASSIST_SHIELD_CORPORA:-$HOME/.cache/llama-assist/shield-corpora}"

log() { echo "install-shield-corpora: $*" >&2; }

missing=()
for pkg in "${CORPUS_PACKAGES[@]}"; do
  # Written only after a complete unpack, so an interrupted one is redone.
  if [[ ! -f "$corpora_dir/$pkg/.unpacked" ]]; then missing+=("$pkg"); fi
done
if ((${#missing[@]} == 0)); then exit 0; fi

log "apt packages: ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
"${sudo[@]}" apt-get update -qq >&2
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
chmod 755 "$staging" # apt's download user must be able to write here
(cd "$staging" && "${sudo[@]}" apt-get download -qq "${missing[@]}" >&2)
for pkg in "${missing[@]}"; do
  deb=("$staging/${pkg}"_*.deb)
  rm -rf "${corpora_dir:?}/$pkg"
  mkdir -p "$corpora_dir/$pkg"
  dpkg-deb -x "${deb[0]}" "$corpora_dir/$pkg"
  touch "$corpora_dir/$pkg/.unpacked"
done
