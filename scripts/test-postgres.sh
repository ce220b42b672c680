#!/usr/bin/env bash
# Runs the tests that touch a store on PostgreSQL only: starts a throwaway cluster on a free port in
# a temporary folder, runs them, stops it. Give test files to run just those.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx scripts/run-tests.ts --store=postgres "$@"
