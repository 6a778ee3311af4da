#!/usr/bin/env bash
# Installs code-server (VS Code 1.100 for the browser) from the npm registry without any download
# from other hosts. Used by .ci/run and by hand; idempotent.
#
# Why each step (see docs/editors.md, "VS Code end-to-end test"):
# - code-server 4.100.3 is the last line that supports node 20 (the machine's node); later ones
#   require node 22/24.
# - Its postinstall runs `npm install` inside lib/vscode, which builds native modules (kerberos,
#   native-keymap, @vscode/spdlog, ...) against /usr/include/node: needs Debian's
#   libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config build-essential.
# - @vscode/ripgrep 1.15.11's postinstall downloads `ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz`
#   from GitHub unless `$TMPDIR/vscode-ripgrep-cache-1.15.11/<that name>` exists (lib/download.js,
#   getAssetFromGithubApi). We pre-seed it with a tarball holding Debian's /usr/bin/rg at the top
#   level (lib/download.js untars it and expects `rg` directly inside bin/).
# - As root, npm needs unsafe_perm for the postinstall scripts, and yes for npx-style prompts.
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
RIPGREP_PKG_VERSION="1.15.11"   # lib/vscode/npm-shrinkwrap.json of code-server 4.100.3
RIPGREP_TAG="v13.0.0-10"        # VERSION in @vscode/ripgrep 1.15.11 lib/postinstall.js

# Installed into its own prefix, not with `npm install -g`: the postinstall runs a nested
# `npm install` in lib/vscode, which inherits npm_config_global=true from a global install and
# then fails half-way (ENOENT in lib/vscode/node_modules, seen with npm 11 on this machine).
PREFIX="${CODE_SERVER_PREFIX:-/opt/distlint-code-server}"
BIN="$PREFIX/node_modules/.bin/code-server"

if [ -x "$BIN" ] && "$BIN" --version
test -d "$PREFIX/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin" || { echo "code-server postinstall did not install lib/vscode dependencies" >&2; exit 1; } 2>/dev/null | grep -q "^${CODE_SERVER_VERSION} "; then
  echo "code-server ${CODE_SERVER_VERSION} already installed at $BIN"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends \
  libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config build-essential ripgrep python3 >/dev/null

tmp="${TMPDIR:-/tmp}"
cache="$tmp/vscode-ripgrep-cache-${RIPGREP_PKG_VERSION}"
asset="ripgrep-${RIPGREP_TAG}-x86_64-unknown-linux-musl.tar.gz"
mkdir -p "$cache"
stage="$(mktemp -d)"
cp /usr/bin/rg "$stage/rg"
tar czf "$cache/$asset" -C "$stage" rg
rm -rf "$stage"
echo "pre-seeded $cache/$asset with Debian's rg ($(rg --version | head -1))"

export npm_config_unsafe_perm=true npm_config_yes=true
# npm 11 blocks dependency install scripts unless allowed (allowScripts). code-server's postinstall
# and the native modules of lib/vscode (built by the nested `npm install`, which inherits this
# environment) must run, so allow them for this pinned install only.
export npm_config_dangerously_allow_all_scripts=true
mkdir -p "$PREFIX"
cd "$PREFIX"
[ -f package.json ] || echo '{"name":"distlint-code-server","private":true}' > package.json
npm install --no-audit --no-fund --no-save "code-server@${CODE_SERVER_VERSION}"
ln -sf "$BIN" /usr/local/bin/code-server
"$BIN" --version
test -d "$PREFIX/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin" || { echo "code-server postinstall did not install lib/vscode dependencies" >&2; exit 1; }
