#!/usr/bin/env bash
# Runs the GCS adapter against a real Google Cloud Storage bucket: the whole object-store contract (races included,
# through RetryingObjectStore) and the engine's model-based run with reopens and its fencing test. Not part of CI.
#
# Usage:
#   SLATEDB_TEST_GCS_BUCKET=my-bucket GOOGLE_APPLICATION_CREDENTIALS=/path/key.json bash scripts/gcs-real-bucket.sh
# Credentials, under SlateDB's (object_store's) names, one of:
#   GOOGLE_SERVICE_ACCOUNT / GOOGLE_SERVICE_ACCOUNT_PATH   a service account key file
#   GOOGLE_SERVICE_ACCOUNT_KEY                             the key's JSON
#   GOOGLE_APPLICATION_CREDENTIALS                         a credentials file of any type
#   SLATEDB_TEST_GCS_USE_ADC=1                             Google's application default credentials (gcloud login, metadata server)
#   GOOGLE_SKIP_SIGNATURE=true                             no credentials (a public bucket, or a test server at GOOGLE_BASE_URL)
# Optional: SLATEDB_TEST_GCS_PREFIX (default slatedb-tests/<UTC time>): every test writes under its own prefix below it.
# The account needs storage.objects.create/get/list/delete on the bucket. The objects are left behind; remove them
# with `gcloud storage rm -r gs://$SLATEDB_TEST_GCS_BUCKET/$SLATEDB_TEST_GCS_PREFIX` or a lifecycle rule.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ -z "${SLATEDB_TEST_GCS_BUCKET:-}" ]; then
  echo "Set SLATEDB_TEST_GCS_BUCKET to a bucket the tests may write to (see the comment at the top of $0)." >&2
  exit 2
fi
if [ -z "${GOOGLE_SERVICE_ACCOUNT:-}${GOOGLE_SERVICE_ACCOUNT_PATH:-}${GOOGLE_SERVICE_ACCOUNT_KEY:-}${GOOGLE_APPLICATION_CREDENTIALS:-}" ] \
  && [ "${SLATEDB_TEST_GCS_USE_ADC:-}" != "1" ] && [ "${GOOGLE_SKIP_SIGNATURE:-}" != "true" ]; then
  echo "Set GOOGLE_APPLICATION_CREDENTIALS, GOOGLE_SERVICE_ACCOUNT(_PATH) or GOOGLE_SERVICE_ACCOUNT_KEY, or SLATEDB_TEST_GCS_USE_ADC=1." >&2
  exit 2
fi
export SLATEDB_TEST_GCS_PREFIX="${SLATEDB_TEST_GCS_PREFIX:-slatedb-tests/$(date -u +%Y%m%dT%H%M%SZ)}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== gs://$SLATEDB_TEST_GCS_BUCKET/$SLATEDB_TEST_GCS_PREFIX"
dotnet build tests/SlateDB.Tests -c Release -nologo -clp:ErrorsOnly
dotnet test tests/SlateDB.Tests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~GcsRealBucketContractTests|FullyQualifiedName~GcsRealBucketEngineTests" \
  --logger "console;verbosity=normal" "$@"
