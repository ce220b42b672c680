#!/usr/bin/env bash
# Installs what the tests need on a Debian (bookworm) machine, from Debian's archive only:
#   - Chromium, for the browser tests (test tools never download browsers of their own): its
#     headless shell for most, the whole browser for those of the back/forward cache, which the
#     shell lacks (test/helpers/browser.ts);
#   - PostgreSQL 15 and its server headers, for the PostgreSQL store's tests;
#   - pgvector for PostgreSQL 15, which bookworm does not package: built from Debian trixie's
#     source package (a private sources list, so the machine's own apt setup is left alone).
# Run as root: sudo scripts/install-deps.sh. Each part is skipped when already installed.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PG_MAJOR=15
PG_BIN="/usr/lib/postgresql/${PG_MAJOR}/bin"

updated=0
apt_update() { if [ "$updated" = 0 ]; then apt-get update -qq; updated=1; fi; }

# --- Chromium: the browser and its headless shell (test/helpers/browser.ts says which test uses which)
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromium-headless-shell >/dev/null 2>&1; then
  apt_update
  apt-get install -y -qq --no-install-recommends chromium chromium-headless-shell fonts-dejavu-core >/dev/null
fi
echo "chromium: $(chromium --version 2>/dev/null); chromium-headless-shell: $(chromium-headless-shell --version 2>/dev/null)"

# --- PostgreSQL 15 (server, client, headers for building extensions)
need=()
[ -x "$PG_BIN/postgres" ] || need+=("postgresql-${PG_MAJOR}")
[ -x "$PG_BIN/pg_config" ] && [ -d "/usr/include/postgresql/${PG_MAJOR}/server" ] || need+=("postgresql-server-dev-${PG_MAJOR}")
command -v make >/dev/null 2>&1 && command -v gcc >/dev/null 2>&1 || need+=(make gcc)
command -v dpkg-source >/dev/null 2>&1 || need+=(dpkg-dev)
if [ "${#need[@]}" -gt 0 ]; then
  apt_update
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "postgresql: $("$PG_BIN/postgres" --version)"

# --- pgvector, built against PostgreSQL 15 from Debian trixie's source package
if [ -f "/usr/share/postgresql/${PG_MAJOR}/extension/vector.control" ]; then
  echo "pgvector: $(sed -n "s/^default_version = '\(.*\)'/\1/p" "/usr/share/postgresql/${PG_MAJOR}/extension/vector.control")"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/lists/partial" "$work/src"
  cat > "$work/trixie.sources" <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  # apt reads a deb822 sources file only from a parts folder (name ending in .sources).
  mkdir -p "$work/parts" && mv "$work/trixie.sources" "$work/parts/trixie.sources"
  apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/parts" -o "Dir::State::Lists=$work/lists" -o "APT::Sandbox::User=root")
  apt-get "${apt_opts[@]}" update -qq
  (cd "$work/src" && apt-get "${apt_opts[@]}" source -qq pgvector >/dev/null)
  dir="$(find "$work/src" -maxdepth 1 -mindepth 1 -type d -name 'pgvector-*' | head -n 1)"
  # OPTFLAGS="": no -march=native, so the build runs on any x86-64 machine it is copied to.
  make -s -C "$dir" PG_CONFIG="$PG_BIN/pg_config" OPTFLAGS="" >/dev/null
  make -s -C "$dir" PG_CONFIG="$PG_BIN/pg_config" OPTFLAGS="" install >/dev/null
  echo "pgvector: built from $(basename "$dir") and installed for PostgreSQL ${PG_MAJOR}"
fi
