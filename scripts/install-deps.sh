#!/bin/sh
# Installs the Debian 12 packages Tradewind builds and tests with. Idempotent.
set -eu
PKGS="cmake g++ make pkg-config python3 ca-certificates
  libmimetic-dev libcurl4-openssl-dev libxapian-dev libsqlitecpp-dev libsqlite3-dev
  catch2 nlohmann-json3-dev libuchardet-dev libpoppler-cpp-dev libxml2-dev
  libzip-dev libzstd-dev libsodium-dev libssl-dev libjemalloc-dev dovecot-imapd
  libcpp-httplib-dev libkainjow-mustache-dev libhowardhinnant-date-dev tzdata libical-dev"
# The web tests drive a real headless Chromium.
# sqlite3: e2e.access tampers with the audit trail the way an intruder would; openssl: the TLS Dovecot's certificate.
[ "${TRADEWIND_TESTS:-0}" = 1 ] && PKGS="$PKGS chromium python3-websocket fonts-wqy-microhei sqlite3 openssl python3-aiosmtpd"
[ "${TRADEWIND_FUZZ:-0}" = 1 ] && PKGS="$PKGS clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
