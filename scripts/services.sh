#!/usr/bin/env bash
# Makes sure the local services the test suite talks to are running (PostgreSQL).
# On the python-svc machines PostgreSQL is installed and usually started; start it if not.
set -euo pipefail
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    echo "services: starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
  fi
fi
