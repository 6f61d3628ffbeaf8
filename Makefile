# Makefile — thin front door: `make run`, `make test`, `make bench`. Each installs what is missing
# first (tools/install-deps.sh), then builds with Meson/ninja.
.PHONY: all deps build build-asan run test check-valgrind test-unit test-api test-pg test-e2e screenshots test-fuzz fuzz bench clean

DATA ?= data
LISTEN ?= 127.0.0.1:8080

all: build

deps:
	@tools/install-deps.sh build

build: deps
	@[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized >/dev/null
	@ninja -C build

# The sanitizer build (AddressSanitizer + UndefinedBehaviorSanitizer) runs the unit and API tests.
build-asan: deps
	@[ -f build-asan/build.ninja ] || meson setup build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	@ninja -C build-asan

run: build
	@if [ ! -f "$(DATA)/beian.db" ]; then \
	  echo "Creating $(DATA) with demo organisations. Logins (role login password):"; \
	  umask 077; ./build/beian init "$(DATA)" --demo | tee "$(DATA).logins"; \
	else echo "Using $(DATA). Demo logins (role login password):"; cat "$(DATA).logins" 2>/dev/null || true; fi
	@echo "beian at http://$(LISTEN)"
	./build/beian serve --data "$(DATA)" --listen "$(LISTEN)"

test:
	@tools/install-deps.sh test
	@$(MAKE) --no-print-directory build build-asan
	@tools/run-tests.sh

test-unit:
	meson test -C build --print-errorlogs --suite unit
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 meson test -C build-asan --print-errorlogs --suite unit

test-api:
	BEIAN_BIN=$(CURDIR)/build-asan/beian ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  node --test --test-concurrency=2 tests/api/

# The same on PostgreSQL (issue 18): a private cluster in a temporary directory, the store
# conformance suite and the API suites against it, and two nodes behind nginx (tests/pg/run.sh).
test-pg:
	tests/pg/run.sh

# Browser tests of the web UI: Debian's Chromium through playwright-core, against build/beian.
# Screenshots go to build/screenshots/, so a test run leaves the tree as it was; `make screenshots`
# draws the README's pictures in docs/screenshots/ anew.
test-e2e:
	BEIAN_BIN=$(CURDIR)/build/beian BEIAN_WEB_DIR=$(CURDIR)/web node --test --test-concurrency=1 tests/e2e/

screenshots: build
	BEIAN_SCREENSHOTS=$(CURDIR)/docs/screenshots/ $(MAKE) --no-print-directory test-e2e

# libFuzzer targets (fuzz/, clang, build-fuzz/): regressions replayed, then each target for
# FUZZ_SECONDS (30 s each, FUZZ_JOBS side by side, default one per core). See docs/reliability.md.
FUZZ_SECONDS ?= 30
fuzz: deps
	@command -v clang >/dev/null || tools/install-deps.sh test
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/fuzz.sh

test-fuzz:
	FUZZ_SECONDS=10 fuzz/fuzz.sh

# valgrind memcheck (issue 6): the unit tests, and the API tests of the workflow, bad input,
# visibility, overrides, the policy, sign-in and tokens, materials, the CLI, hostile input and the
# provider registry against the server run under valgrind — any memory error or definite/indirect
# leak fails them. tests/api/lib.mjs sees the wrapper in BEIAN_BIN and gives the server 10x its
# usual waits (BEIAN_TIME_SCALE). crash, crashloop, backup, diskfull, matrix and authz stay with
# the sanitizer build only: under valgrind they take many minutes.
VALGRIND_API = lifecycle badinput visibility docs overrides policy policy_versions auth materials cli hostile providers
check-valgrind: build
	meson test -C build --suite unit --print-errorlogs --timeout-multiplier=10 \
	  --wrap='valgrind --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=1 --quiet'
	BEIAN_BIN=$(CURDIR)/tools/valgrind-beian.sh node --test --test-concurrency=2 $(VALGRIND_API:%=tests/api/%.test.mjs)

bench:
	@tools/install-deps.sh bench
	@$(MAKE) --no-print-directory build
	bench/run.sh

clean:
	rm -rf build build-asan
