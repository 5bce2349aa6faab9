#!/usr/bin/env bash
# Installs what the end-to-end test needs to run the real VS Code (code-server 4.100.3 = VS Code
# 1.100.3, the last one on Node 20) headless, driven by Debian's chromium through playwright-core.
# Only the npm registry and Debian's apt repositories are used (nothing is downloaded from elsewhere).
# Idempotent: a second run only checks what is there (~1 s).
#
#   bash test/e2e/install.sh            # as root
# Env: TAGVISOR_E2E_DIR (default /tmp/tagvisor-e2e), CODE_SERVER_VERSION (default 4.100.3)
# Result: $TAGVISOR_E2E_DIR/bin/code-server and $TAGVISOR_E2E_DIR/tools/node_modules/playwright-core
set -euo pipefail

DIR=${TAGVISOR_E2E_DIR:-/tmp/tagvisor-e2e}
CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.100.3}
PLAYWRIGHT_CORE_VERSION=${PLAYWRIGHT_CORE_VERSION:-1.65.1}
t0=$(date +%s)
log() { printf 'e2e-install [%ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }
mkdir -p "$DIR/bin" "$DIR/tmp"
# $DIR is shared by every checkout on the machine: one install at a time (a second one waits, then
# finds everything there). Runs (test/e2e/run.mjs) only read it and write to their own directories.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$DIR/.install.lock"
  flock 9
fi

# 1. Debian packages:
#    chromium (the browser; playwright's own browser download is not reachable), ripgrep (replaces the
#    rg binary @vscode/ripgrep would fetch from GitHub), libkrb5-dev (kerberos native module),
#    python3/make/g++ (node-gyp for code-server's native modules).
need=()
for p in chromium ripgrep libkrb5-dev python3 make g++; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  log "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
fi

# 2. code-server's postinstall insists on the Node major in its engines field.
have_major=$(node -p 'process.versions.node.split(".")[0]')
want_major=${CODE_SERVER_NODE_MAJOR:-20}
if [ "$have_major" != "$want_major" ]; then
  echo "e2e-install: code-server $CODE_SERVER_VERSION needs Node $want_major, this is Node $have_major" >&2
  exit 1
fi
# node-gyp needs the running node's headers; Debian's nodejs ships them in /usr/include/node.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_version.h ] \
   && grep -q "define NODE_MAJOR_VERSION $have_major\$" /usr/include/node/node_version.h; then
  export npm_config_nodedir=/usr
fi

# 3. code-server without its install scripts (the ripgrep cache must be seeded first).
CS_DIR="$DIR/code-server"
CS_PKG="$CS_DIR/node_modules/code-server"
mkdir -p "$CS_DIR"
if [ ! -f "$CS_PKG/package.json" ] || [ "$(node -p "require('$CS_PKG/package.json').version")" != "$CODE_SERVER_VERSION" ]; then
  log "npm install code-server@$CODE_SERVER_VERSION --ignore-scripts"
  [ -f "$CS_DIR/package.json" ] || echo '{"name":"tagvisor-e2e-code-server","private":true}' > "$CS_DIR/package.json"
  rm -f "$CS_DIR/.built"
  (cd "$CS_DIR" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION")
fi

# 4. @vscode/ripgrep's postinstall downloads rg from GitHub unless $TMPDIR/vscode-ripgrep-cache-<ver>/
#    already holds the tarball: put Debian's rg (the same 13.0.0 release) there.
if [ ! -f "$CS_DIR/.built" ]; then
  RG_VER=$(node -p "(require('$CS_PKG/lib/vscode/npm-shrinkwrap.json').packages['node_modules/@vscode/ripgrep']||{}).version||''")
  if [ -n "$RG_VER" ]; then
    RG_TMP=$(mktemp -d)
    (cd "$RG_TMP" && npm pack --silent "@vscode/ripgrep@$RG_VER" >/dev/null 2>&1 && tar xzf ./*.tgz)
    RG_TAG=$(grep -oP "^const VERSION = '\K[^']+" "$RG_TMP/package/lib/postinstall.js")
    case "$(uname -m)" in
      x86_64) RG_TARGET=x86_64-unknown-linux-musl ;;
      aarch64) RG_TARGET=aarch64-unknown-linux-musl ;;
      *) echo "e2e-install: unsupported machine $(uname -m)" >&2; exit 1 ;;
    esac
    RG_CACHE="$DIR/tmp/vscode-ripgrep-cache-$RG_VER"
    mkdir -p "$RG_CACHE" "$RG_TMP/rg"
    cp "$(command -v rg)" "$RG_TMP/rg/rg"
    tar czf "$RG_CACHE/ripgrep-$RG_TAG-$RG_TARGET.tar.gz" -C "$RG_TMP/rg" rg
    rm -rf "$RG_TMP"
    log "seeded the ripgrep cache ($RG_TAG)"
  fi
  # 5. The install scripts: code-server's postinstall (a nested npm install that builds argon2,
  #    spdlog, node-pty, kerberos ... with node-gyp). unsafe_perm: it refuses to run as root otherwise;
  #    yes: node-pty runs `npx node-gyp`, which aborts under this machine's yes=false.
  log "npm rebuild (native modules, ~45 s)"
  (cd "$CS_DIR" && TMPDIR="$DIR/tmp" npm_config_unsafe_perm=true npm_config_yes=true npm rebuild --foreground-scripts) > "$CS_DIR/rebuild.log" 2>&1 \
    || { tail -40 "$CS_DIR/rebuild.log"; echo "e2e-install: npm rebuild failed, see $CS_DIR/rebuild.log" >&2; exit 1; }
  touch "$CS_DIR/.built"
fi

# 6. A wrapper that keeps code-server's config and data out of $HOME.
#    Replaced atomically, and only when it changes: a run in another checkout may be starting it.
WRAPPER_TMP="$DIR/bin/.code-server.$$"
cat > "$WRAPPER_TMP" <<EOF
#!/bin/sh
export XDG_CONFIG_HOME="\${XDG_CONFIG_HOME:-$DIR/xdg/config}"
export XDG_DATA_HOME="\${XDG_DATA_HOME:-$DIR/xdg/data}"
exec "$(command -v node)" "$CS_PKG/out/node/entry.js" "\$@"
EOF
chmod +x "$WRAPPER_TMP"
if cmp -s "$WRAPPER_TMP" "$DIR/bin/code-server"; then rm -f "$WRAPPER_TMP"; else mv -f "$WRAPPER_TMP" "$DIR/bin/code-server"; fi

# 7. playwright-core (drives the system chromium; no browser download).
TOOLS="$DIR/tools"
mkdir -p "$TOOLS"
if [ ! -f "$TOOLS/node_modules/playwright-core/package.json" ] || [ "$(node -p "require('$TOOLS/node_modules/playwright-core/package.json').version")" != "$PLAYWRIGHT_CORE_VERSION" ]; then
  log "npm install playwright-core@$PLAYWRIGHT_CORE_VERSION"
  [ -f "$TOOLS/package.json" ] || echo '{"name":"tagvisor-e2e-tools","private":true}' > "$TOOLS/package.json"
  (cd "$TOOLS" && npm install --no-audit --no-fund --loglevel=error "playwright-core@$PLAYWRIGHT_CORE_VERSION")
fi

"$DIR/bin/code-server" --version | tail -1 | sed 's/^/e2e-install: code-server /'
log "ready in $DIR"
