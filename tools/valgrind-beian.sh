#!/usr/bin/env bash
# valgrind-beian.sh — build/beian under valgrind memcheck, for BEIAN_BIN in `make check-valgrind`:
# any memory error or definite/indirect leak makes the process exit 99, which the API harness
# reports as a failed stop. tests/api/lib.mjs recognises this script in BEIAN_BIN and multiplies its
# waits on the server by 10 (BEIAN_TIME_SCALE to change that): valgrind makes it ~20-50x slower.
exec valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
  --errors-for-leak-kinds=definite,indirect --error-exitcode=99 "$(dirname "$0")/../build/beian" "$@"
