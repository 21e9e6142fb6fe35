#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine, idempotently.
# Called by `npm test` (through `npm run setup`) and by .ci/run; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# `--deps-only` (what `npm start` uses): the Node dependencies alone, no Debian packages.
deps_only=false
[ "${1:-}" = "--deps-only" ] && deps_only=true

# Debian packages the tests drive. AWS CLI v2 is Debian's `awscli` at /usr/bin/aws
# (the `aws` on PATH may be CLI v1 from pip; tests always use the full path).
need_apt=()
$deps_only || [ -x /usr/bin/aws ] || need_apt+=(awscli)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: need root to install: ${need_apt[*]}" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# better-sqlite3 compiles from source with node-gyp; build it against the machine's
# Node headers (Debian's /usr/include/node) rather than downloading any.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi

# Node dependencies, exactly as locked.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
