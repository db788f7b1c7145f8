#!/usr/bin/env bash
# Installs what the end-to-end tests and `npm start` need, outside the project's
# own dependencies: Debian packages (Chromium, ripgrep, native build deps) and
# code-server in a cache folder. Quick and silent when everything is in place.
#
# Prints the code-server executable's path as its last line of stdout; the rest
# goes to stderr so callers can capture it.
#
# Env: LLAMA_ASSIST_CODE_SERVER_DIR  install folder (default ~/.cache/llama-assist/code-server)
set -euo pipefail

readonly CODE_SERVER_VERSION="4.100.3"
readonly RIPGREP_CACHE_NAME="vscode-ripgrep-cache-1.15.11"
readonly RIPGREP_ASSET="ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
readonly APT_PACKAGES=(build-essential python3 pkg-config libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev ripgrep chromium)

install_dir="${LLAMA_ASSIST_CODE_SERVER_DIR:-$HOME/.cache/llama-assist/code-server}"
code_server_bin="$install_dir/node_modules/.bin/code-server"
# Written only after a complete install, so an interrupted one is redone.
done_marker="$install_dir/.installed-$CODE_SERVER_VERSION"

log() { echo "install-e2e: $*" >&2; }

missing_apt_packages() {
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      echo "$pkg"
    fi
  done
}

install_apt_packages() {
  local missing
  mapfile -t missing < <(missing_apt_packages)
  if ((${#missing[@]} == 0)); then return; fi
  log "apt packages: ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# @vscode/ripgrep downloads its binary from GitHub unless its cache already holds
# the release asset; Debian's rg serves the same purpose and needs no network.
seed_ripgrep_cache() {
  local cache_dir
  cache_dir="$(node -p 'require("os").tmpdir()')/$RIPGREP_CACHE_NAME"
  if [[ -s "$cache_dir/$RIPGREP_ASSET" ]]; then return; fi
  local staging
  staging="$(mktemp -d)"
  cp "$(command -v rg)" "$staging/rg"
  mkdir -p "$cache_dir"
  tar -czf "$cache_dir/$RIPGREP_ASSET" -C "$staging" rg
  rm -rf "$staging"
}

install_code_server() {
  if [[ -f "$done_marker" && -x "$code_server_bin" ]]; then return; fi
  log "code-server@$CODE_SERVER_VERSION into $install_dir (about a minute)"
  mkdir -p "$install_dir"
  if [[ ! -f "$install_dir/package.json" ]]; then
    echo '{ "name": "llama-assist-code-server", "private": true }' >"$install_dir/package.json"
  fi
  # unsafe_perm: its postinstall runs nested npm installs that refuse root otherwise.
  # nodedir: build native modules against the local Node headers (no header download).
  # yes: node-pty's postinstall calls npx, which would prompt.
  # --dangerously-allow-all-scripts: npm 11 holds back dependency scripts, and
  # code-server cannot work without them; this folder is separate from the project.
  (
    cd "$install_dir"
    npm_config_unsafe_perm=true npm_config_nodedir=/usr npm_config_yes=true \
      npm install --no-audit --no-fund --loglevel=error --dangerously-allow-all-scripts \
      "code-server@$CODE_SERVER_VERSION" >&2
  )
  "$code_server_bin" --version >/dev/null
  touch "$done_marker"
}

start=$SECONDS
install_apt_packages
seed_ripgrep_cache
install_code_server
log "ready in $((SECONDS - start)) s"
echo "$code_server_bin"
