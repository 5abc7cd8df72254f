#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: installs the dependencies, builds,
# and runs `flotilla serve` on the embedded SQLite store (127.0.0.1:8080 unless
# flags say otherwise). Extra arguments go to `flotilla serve`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
FLOTILLA_TARGET=flotilla "$root/scripts/build.sh" >/dev/null
exec "${FLOTILLA_BUILD_DIR:-$root/build}/flotilla" serve "$@"
