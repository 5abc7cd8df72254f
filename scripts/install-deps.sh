#!/usr/bin/env bash
# Installs every build, test and runtime dependency from Debian packages (and npm
# for the test clients). Idempotent: does nothing that is already done.
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

PKGS=(
  build-essential cmake ccache pkg-config clang-format clang-tidy git openssl ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libcaf-dev libsqlite3-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libspdlog-dev libsodium-dev libyaml-cpp-dev zlib1g-dev
  mariadb-server mariadb-client curl libfmt-dev
  clang libclang-rt-14-dev llvm
)
# Node.js and npm run the WebSocket/SockJS test clients; a machine that already has
# them (often a packaging where npm ships inside nodejs) keeps its own.
command -v npm >/dev/null 2>&1 || PKGS+=(nodejs npm)

missing=()
for p in "${PKGS[@]}" libmysqlcppconn-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${PKGS[@]}"
  # libmysqlcppconn-dev depends on libboost-dev, which is Boost 1.74 on Debian 12
  # and conflicts with 1.81. A local package that provides libboost-dev on top of
  # 1.81 resolves it (the connector's headers only need shared_ptr/scoped_ptr).
  boost_candidate=$(apt-cache policy libboost-dev | awk '/Candidate:/ {print $2}')
  if dpkg --compare-versions "${boost_candidate:-0}" lt 1.75; then
    if ! dpkg-query -W -f='${Status}' libboost-dev-is-1.81 2>/dev/null | grep -q "install ok installed"; then
      shim=$(mktemp -d)
      mkdir -p "$shim/pkg/DEBIAN"
      cat > "$shim/pkg/DEBIAN/control" <<'CTL'
Package: libboost-dev-is-1.81
Version: 1.81.0
Architecture: all
Maintainer: local <local@localhost>
Depends: libboost1.81-dev
Provides: libboost-dev (= 1.81.0)
Description: satisfies libboost-dev with Boost 1.81 headers
 Lets libmysqlcppconn-dev install alongside libboost1.81-dev.
CTL
      dpkg-deb --build "$shim/pkg" "$shim/libboost-dev-is-1.81_1.81.0_all.deb" >/dev/null
      $SUDO apt-get install -y -qq --no-install-recommends "$shim/libboost-dev-is-1.81_1.81.0_all.deb"
      rm -rf "$shim"
    fi
  fi
  $SUDO apt-get install -y -qq --no-install-recommends libmysqlcppconn-dev
fi
