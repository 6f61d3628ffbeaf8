#!/usr/bin/env bash
# install-deps.sh — installs what beian needs and this machine lacks: Debian packages through
# apt-get (only the missing ones, so a prepared machine pays nothing), Node.js when absent, and the
# npm packages of the lockfile when package-lock.json changed since the last install.
# Usage: tools/install-deps.sh [build|test|bench]
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-build}

build_pkgs=(build-essential meson ninja-build pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev
            libsodium-dev liblua5.4-dev libcmocka-dev sqlite3 curl ca-certificates
            libcrack2-dev cracklib-runtime   # password strength: cracklib and its dictionary
            libcairo2-dev libpango1.0-dev libqrencode-dev   # the certificate PDF (src/http/cert_pdf.c)
            libcurl4-openssl-dev                            # notifications: webhooks (HTTP) and e-mail (SMTP)
            libpq-dev                                       # the PostgreSQL backend (src/store/postgres.c)
            libxlsxwriter-dev                               # the register as XLSX (src/service/exports.c)
            zlib1g-dev                                      # gzip content coding of replies (src/http/gzip.c)
            libjemalloc-dev                                 # the allocator (meson.build, docs/performance.md)
            fonts-wqy-microhei)                             # its CJK font, needed at run time
test_pkgs=(chromium fonts-wqy-microhei   # browser tests: Debian's Chromium, and a CJK font for the screenshots
           jq                          # the README's curl walk (tests/api/readme.test.mjs)
           poppler-utils zbar-tools    # the certificate PDF's text and QR code (tests/api/proofs.test.mjs)
           python3-cryptography        # the independent verifier docs/examples/verify_certificate.py
           clang                       # libFuzzer targets (fuzz/, make test-fuzz)
           openssl                     # network.test.mjs makes a self-signed certificate
           python3-aiosmtpd            # notify.test.mjs receives the mail on a loopback SMTP server
           postgresql                  # the store on PostgreSQL: a private cluster (tests/pg/start.sh)
           nginx-light                 # the two-node test's load balancer (tests/pg/nodes.test.mjs)
           python3-openpyxl            # exports.test.mjs opens the XLSX register with a real reader
           sqlmap                      # sqlmap.test.mjs: SQL injection tried by the tool attackers use
           slowhttptest                # network.test.mjs: slow heads, bodies and reads, the attackers' tool
           prometheus)                 # its promtool lints /metrics (auth.test.mjs, after.test.mjs)
bench_pkgs=(wrk nginx-light postgresql   # postgresql: bench/pg.sh
            python3-django python3-djangorestframework python3-jsonschema gunicorn)  # the peer, bench/django/

want=("${build_pkgs[@]}")
case "$what" in
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${bench_pkgs[@]}") ;;
  build) ;;
  *) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages from the committed lockfile, re-installed only when the lockfile changed.
if [ -f package-lock.json ]; then
  stamp=node_modules/.lock-stamp
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    echo "install-deps: npm ci"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json "$stamp"
  fi
fi
