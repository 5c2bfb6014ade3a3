#!/usr/bin/env bash
# The e2e suites on what `provision --filter FILTER` makes and nothing else (FILTER: CM_VAULT_E2E_FILTER, default
# ci=true): provision into the suite's cache, then run vitest's e2e project on a view of that cache holding only the
# chosen artifacts (provision/view.ts), so a test needing another pin fails in seconds on a warm machine as it would
# after a new machine's whole cold provisioning. Extra arguments go to vitest (a file, -t NAME).
set -euo pipefail
cd "$(dirname "$0")/.."
view=$(node bin/cm-vault-e2e.js provision --for local,kind --filter "${CM_VAULT_E2E_FILTER:-ci=true}" --view)
trap 'chmod -R u+w "$view" 2>/dev/null; rm -rf "$view"' EXIT
CM_VAULT_E2E_CACHE="$view" npx vitest run --project e2e "$@"
