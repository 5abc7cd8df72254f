#!/usr/bin/env bash
# clang-tidy (.clang-tidy; every finding an error) over the translation units a
# change touched: the .cpp files changed since $FLOTILLA_TIDY_BASE (default: the
# commit before HEAD), the working tree's changes, and for a changed header the
# .cpp beside it. `scripts/tidy.sh --all` checks every file of the build;
# `scripts/tidy.sh FILE...` those files. Needs a configured build
# ($FLOTILLA_BUILD_DIR, default ./build) for compile_commands.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FLOTILLA_BUILD_DIR:-$root/build}"
db="$build/compile_commands.json"
[ -f "$db" ] || { echo "tidy: no $db (build first)"; exit 1; }
cd "$root"
# The files the build compiles (tests/fuzz is a separate clang build).
mapfile -t known < <(python3 -c 'import json,sys,os
root=sys.argv[2]
for e in json.load(open(sys.argv[1])):
    f=os.path.relpath(e["file"], root)
    if not f.startswith(".."): print(f)' "$db" "$root" | sort -u)
declare -A in_build=()
for f in "${known[@]}"; do in_build["$f"]=1; done

files=()
if [ "${1:-}" = --all ]; then
  files=("${known[@]}")
elif [ $# -gt 0 ]; then
  files=("$@")
else
  base="${FLOTILLA_TIDY_BASE:-HEAD~1}"
  if git rev-parse -q --verify "$base^{commit}" >/dev/null; then
    mapfile -t changed < <({ git diff --name-only --diff-filter=d "$base" -- '*.cpp' '*.hpp';
      git ls-files --others --exclude-standard -- '*.cpp' '*.hpp'; } | sort -u)
  else
    changed=("${known[@]}") # no history to compare with: everything
  fi
  for f in "${changed[@]}"; do
    [[ "$f" == *.hpp ]] && f="${f%.hpp}.cpp"
    [ -n "${in_build[$f]:-}" ] && files+=("$f")
  done
fi
if [ ${#files[@]} -eq 0 ]; then
  echo "tidy: no changed translation units"
  exit 0
fi
mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -u)
echo "tidy: ${#files[@]} translation units"
# GCC's flags in the database that clang does not know are not findings.
printf '%s\0' "${files[@]}" | xargs -0 -n 1 -P "$(nproc)" clang-tidy -p "$build" --quiet \
  --extra-arg=-Wno-unknown-warning-option --extra-arg=-Wno-unused-command-line-argument
