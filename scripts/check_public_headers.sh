#!/usr/bin/env bash
# Keeps the public API honest: the headers cmake/install.cmake installs are
# exactly the umbrella libwatch.hpp and what it includes, none of them
# includes libpq or an internal header, and the examples use only them.
#
#   scripts/check_public_headers.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# The in-tree headers reachable from the umbrella.
closure() {
  local todo=(libwatch.hpp) seen=() f inc
  while [ ${#todo[@]} -gt 0 ]; do
    f=${todo[0]}
    todo=("${todo[@]:1}")
    [[ " ${seen[*]} " == *" $f "* ]] && continue
    seen+=("$f")
    for inc in $(sed -n 's/^#include "\(.*\)"$/\1/p' "$f"); do
      [ -f "$inc" ] && todo+=("$inc")
    done
  done
  printf '%s\n' "${seen[@]}" | sort
}

listed() {
  sed -n '/^set(libwatch_public_headers/,/)/p' cmake/install.cmake |
    grep -o '[a-z_/]*\.hpp' | sort
}

status=0
if ! diff <(closure) <(listed) >/dev/null; then
  echo "cmake/install.cmake's public headers differ from what libwatch.hpp" \
    "includes (< included, > listed):"
  diff <(closure) <(listed) || true
  status=1
fi
for f in $(listed); do
  if grep -q 'libpq-fe\|pg/\|sql/\|internal' <(grep '^#include' "$f"); then
    echo "public header $f includes an internal header or libpq:"
    grep '^#include' "$f" | grep 'libpq-fe\|pg/\|sql/\|internal'
    status=1
  fi
done
public=" $(listed | tr '\n' ' ') "
for f in examples/*.cpp examples/*.hpp; do
  for inc in $(sed -n 's/^#include "\(.*\)"$/\1/p' "$f"); do
    if [[ "$public" != *" $inc "* && ! -f examples/$inc ]]; then
      echo "$f includes $inc, which is not public"
      status=1
    fi
  done
done
[ $status -eq 0 ] && echo "public headers: $(listed | wc -l) installed, all public"
exit $status
