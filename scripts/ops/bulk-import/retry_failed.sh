#!/usr/bin/env bash
# Replays the failed rows of a bulk import as a new run and follows it to the end (seed 000's ops
# tool): a thin wrapper over `muster retry <taskId> --watch`. Exit code: 0 every row provisioned,
# 1 rows still failed or an API error (one line with its code and correlation id), 2 usage.
#
#   scripts/ops/bulk-import/retry_failed.sh <taskId> [--api-url url] [--token jwt] [--json]
#
# Without --token (or MUSTER_TOKEN), the local stack's issuer mints one (--tenant, --email, --roles).
set -euo pipefail

if [[ $# -lt 1 || "$1" == -* ]]; then
  echo "usage: $0 <taskId> [--api-url url] [--token jwt] [--json]" >&2
  exit 2
fi
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
exec node "$repo_root/cli/bin.mjs" retry "$1" --watch "${@:2}"
