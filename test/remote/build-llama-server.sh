#!/usr/bin/env bash
# Builds llama.cpp's llama-server from the source node-llama-cpp ships (llama/gitRelease.bundle), for the remote
# backend tests and bench:peer. The binary is cached outside the repository, per llama.cpp tag, so it is built once
# (10-15 minutes on 2 cores) and again only when node-llama-cpp moves to another llama.cpp.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
llama_dir="$root/node_modules/node-llama-cpp/llama"
tag="$(node -p "require('$llama_dir/llama.cpp.info.json').tag")"
cache="${LLAMA_ASSIST_CACHE:-$HOME/.cache/llama-assist}/llama-server/$tag"
binary="$cache/bin/llama-server"
if [ -x "$binary" ]; then
  echo "llama-server $tag: $binary"
  exit 0
fi
missing=()
for package in cmake g++ make git; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  echo "llama-server needs ${missing[*]}: installing them with apt-get" >&2
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
mkdir -p "$cache"
# Two test runs at once (a developer's and CI's) must not build over each other: the second waits for the first.
exec 9>"$cache/.lock"
flock 9
if [ -x "$binary" ]; then
  echo "llama-server $tag: $binary"
  exit 0
fi
started=$SECONDS
work="$cache/src"
rm -rf "$work"
git -c advice.detachedHead=false clone --quiet "$llama_dir/gitRelease.bundle" "$work"
git -C "$work" checkout --quiet "$tag" 2>/dev/null || true
cmake -S "$work" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DGGML_NATIVE=ON -DBUILD_SHARED_LIBS=OFF >"$cache/cmake.log"
cmake --build "$work/build" --target llama-server -j "$(nproc)" >"$cache/build.log"
mkdir -p "$cache/bin"
cp "$work/build/bin/llama-server" "$binary.tmp"
mv "$binary.tmp" "$binary"
rm -rf "$work"
echo "llama-server $tag built in $((SECONDS - started)) s: $binary"
