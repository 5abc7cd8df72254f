#!/usr/bin/env bash
# Configures and builds Flotilla into ./build (or $FLOTILLA_BUILD_DIR), with
# ccache when present; FLOTILLA_TARGET builds one target only. Extra arguments go to CMake (e.g. -DFLOTILLA_SANITIZERS=address,undefined).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FLOTILLA_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${FLOTILLA_BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
cmake --build "$build" -j"$(nproc)" ${FLOTILLA_TARGET:+--target "$FLOTILLA_TARGET"}
