# inquest: top-level Makefile.
#
# Each folder adds itself through a module.mk fragment that appends to
# STAGE_LIBS (a static archive per stage) and, for binaries, to BINS.  The
# daemon, the CLI, the unit tests and the benchmarks all link the same stage
# archives, so a test exercises exactly the code that ships.
#
#   make            build build/inquestd and build/inquest
#   make deps       install missing Debian packages (silent when all present)
#   make test       deps + build + every unit and integration test
#   make test-asan  the same suite under ASan and UBSan (build-asan/)
#   make fuzz       run every libFuzzer harness for FUZZ_SECONDS (default 60)
#                   under ASan and UBSan (clang, build-fuzz/; docs/fuzzing.md)
#   make demo       start the daemon on a temporary directory, feed the sample
#                   incident, print the drafted postmortem and write it as HTML
#                   with its visual timeline under BUILD/demo/
#   make serve      run inquestd on the sample incident and print the web UI's
#                   URL (http://127.0.0.1:7700/ui/; SERVE_PORT=0 for any free
#                   port) until Ctrl-C
#   make bench      build the benchmarks (run them from bench/, see README)
#   make check-layers  no file cycles, no include of another folder's
#                   internals or of a layer above (docs/ARCHITECTURE.md)
#   make lint-model retrain the lint model (schemas/lint/model.weights)
#   make lint-eval  the lint model's held-out goal (fails today, docs/lint.md)
#   make lint       source rules, and docs/ARCHITECTURE.md up to date
#   make architecture  rewrite the file tables of docs/ARCHITECTURE.md
#   make install PREFIX=/usr/local DESTDIR=

BUILD      ?= build
PREFIX     ?= /usr/local
DESTDIR    ?=
PKG_CONFIG ?= pkg-config

MSGPACK_PC := $(shell $(PKG_CONFIG) --exists msgpack-c 2>/dev/null && echo msgpack-c || echo msgpack)
PKGS       := libzmq $(MSGPACK_PC) rocksdb libpcre2-8 jansson libmicrohttpd libcurl libsodium libcmark-gfm

# CFLAGS is the user's (optimisation, sanitizers); the language and warning
# flags below always apply, even when CFLAGS is given on the command line.
CFLAGS   ?= -O2 -g
IQ_CFLAGS := -std=c11 -Wall -Wextra -Werror -Wstrict-prototypes -Wshadow -Wformat=2 -Wno-format-nonliteral -pthread
CPPFLAGS += -D_GNU_SOURCE -I. -Icommon -Istore -Ihttp -Iingest -Iingest/in_webhook -Iingest/in_tail -Icorrelate -Irender -Ianalyze -Ireview -Icli -Ischemas
CPPFLAGS += -I$(BUILD)/gen
CPPFLAGS += $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lcmark-gfm-extensions -lm -pthread
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

STAGE_LIBS :=
BINS       :=
TEST_BINS  :=
BENCH_BINS :=

include common/module.mk
include store/module.mk
include http/module.mk
include ingest/module.mk
include ingest/in_webhook/module.mk
include ingest/in_tail/module.mk
include correlate/module.mk
include render/module.mk
include analyze/module.mk
include review/module.mk
include cli/module.mk
include tests/module.mk
include tests/fuzz/module.mk
include bench/module.mk
include tools/module.mk

LINK_LIBS = -Wl,--start-group $(STAGE_LIBS) -Wl,--end-group $(LDLIBS)

.PHONY: all deps deps-test deps-check test test-unit test-integration test-asan \
        demo serve bench install clean lint architecture check-layers
.DEFAULT_GOAL := all

all: deps-check $(BINS)

deps:
	@sh tools/deps.sh build

deps-test:
	@sh tools/deps.sh test

deps-check:
	@$(PKG_CONFIG) --exists $(PKGS) || { \
	  echo "missing development packages: run 'make deps' (needs root)" >&2; exit 1; }

# The installed schemas path, from PREFIX: rewritten only when it changes,
# so header dependencies rebuild exactly what uses it.
IQ_PREFIX_LINE := \#define IQ_SCHEMAS_INSTALLED "$(PREFIX)/share/inquest/schemas"
$(BUILD)/gen/iq_prefix.h: FORCE
	@mkdir -p $(dir $@)
	@echo '$(IQ_PREFIX_LINE)' | cmp -s - $@ || echo '$(IQ_PREFIX_LINE)' >$@
.PHONY: FORCE
FORCE:

$(BUILD)/%.o: %.c | $(BUILD)/gen/iq_prefix.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(IQ_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

test: deps deps-test
	@$(MAKE) --no-print-directory all tests-build
	@sh tests/run.sh $(BUILD)

test-asan: deps deps-test
	@$(MAKE) --no-print-directory BUILD=build-asan \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" all tests-build
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  IQ_SANITIZED=1 sh tests/run.sh build-asan

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh $(BUILD)

serve: deps
	@$(MAKE) --no-print-directory all
	@sh tools/serve.sh $(BUILD)

bench: all $(BENCH_BINS)

lint:
	@sh tools/lint.sh

# The file tables of docs/ARCHITECTURE.md, from each file's opening comment.
architecture:
	@sh tools/gen_architecture.sh

# The layer rules, on the objects of `all` (tools/check_layers.py has the
# layer table); `make test` runs it too (tests/integration/layers.sh).
check-layers: all
	@python3 tools/check_layers.py $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/inquest
	install -m 0755 $(BUILD)/inquestd $(BUILD)/inquest $(DESTDIR)$(PREFIX)/bin/
	cp -R schemas $(DESTDIR)$(PREFIX)/share/inquest/

clean:
	rm -rf build build-asan build-fuzz
