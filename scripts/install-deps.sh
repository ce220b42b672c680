#!/usr/bin/env bash
# Installs what the browser tests need on a Debian machine: Chromium from Debian's archive.
# (Test tools never download browsers of their own.) Run as root: sudo scripts/install-deps.sh
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "chromium: $(chromium --version 2>/dev/null)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "chromium: $(chromium --version 2>/dev/null)"
