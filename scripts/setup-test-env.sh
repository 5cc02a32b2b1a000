#!/usr/bin/env bash
# Installs what the test suite calls outside node_modules, on a fresh machine of this project's kind (Debian, root):
# `npm test` runs this first (package.json "pretest"), and .ci/run runs `npm test`. Idempotent: when everything is
# there it only checks, in well under 2 s. Every missing tool is named with the test that needs it.
set -euo pipefail

# Debian packages: python3 (member-side notifier), openssl (independent HMAC check), keepalived + iproute2 (two real
# keepalived daemons in network namespaces elect the notifying member), azure-cli (the independent client of
# test/local-cloud/azure/az-cli.test.ts), python3-pip (to install moto below).
missing=()
command -v python3 >/dev/null || missing+=(python3)
command -v openssl >/dev/null || missing+=(openssl)
command -v keepalived >/dev/null || missing+=(keepalived)
command -v ip >/dev/null || missing+=(iproute2)
command -v az >/dev/null || missing+=(azure-cli)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-test-env: missing ${missing[*]}; as root run: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup-test-env: installing ${missing[*]} (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# moto's EC2 server: the independent reference of test/conformance/moto-aws.test.ts.
# Found without importing moto (an import costs seconds): moto 5.x and the server extra's flask + flask_cors.
have_moto='import importlib.metadata as m, importlib.util as u, sys
sys.exit(0 if m.version("moto").split(".")[0] == "5" and u.find_spec("flask") and u.find_spec("flask_cors") else 1)'
if ! python3 -c "$have_moto" 2>/dev/null; then
  echo "setup-test-env: installing moto[server] 5.x (pip) for test/conformance/moto-aws.test.ts" >&2
  if ! python3 -m pip --version >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
  fi
  python3 -m pip install --quiet --break-system-packages 'moto[server]>=5.2,<6'
fi

# Tools this kind of machine ships with and that no registry here provides: fail loudly, naming the tests.
fail=0
need() {
  if ! command -v "$1" >/dev/null; then
    echo "setup-test-env: error: $1 not found (it ships with this machine's image); $2 would fail" >&2
    fail=1
  fi
}
need terraform 'test/deploy (terraform console, fmt, validate)'
need gcloud 'test/conformance/gcloud-compute.test.ts'
need aws 'test/deploy/keygen-docs.test.ts'
exit $fail
