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
#   make lint-eval  the lint model's held-out goal (passes, one row from the bar: docs/lint.md)
#   make lint       source rules, and docs/ARCHITECTURE.md up to date
#   make architecture  rewrite the file tables of docs/ARCHITECTURE.md
#   make install PREFIX=/usr/local DESTDIR=   binaries, schemas, the systemd
#                   unit, a sample config (and the config itself when absent)
#                   and the docs; `make uninstall` removes exactly those
#                   (the config only while unchanged), docs/operations.md

BUILD      ?= build
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/inquest
DOCDIR     ?= $(PREFIX)/share/doc/inquest
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR    ?= $(PREFIX)/lib/systemd/system
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
PKG_CONFIG ?= pkg-config

MSGPACK_PC := $(shell $(PKG_CONFIG) --exists msgpack-c 2>/dev/null && echo msgpack-c || echo msgpack)
# yaml-0.1 (libyaml): the front matter of finished postmortems (postmortem/)
# and YAML config files (common/iq_yaml.c), YAML being their ecosystem's format.
PKGS       := libzmq $(MSGPACK_PC) rocksdb libpcre2-8 jansson libmicrohttpd libcurl libsodium libcmark-gfm yaml-0.1

# CFLAGS is the user's (optimisation, sanitizers); the language and warning
# flags below always apply, even when CFLAGS is given on the command line.
CFLAGS   ?= -O2 -g
IQ_CFLAGS := -std=c11 -Wall -Wextra -Werror -Wstrict-prototypes -Wshadow -Wformat=2 -Wno-format-nonliteral -pthread
CPPFLAGS += -D_GNU_SOURCE -I. -Icommon -Istore -Ihttp -Iingest -Iingest/in_webhook -Iingest/in_tail -Icorrelate -Irender -Ianalyze -Ireview -Ipostmortem -Icli -Ischemas
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
include postmortem/module.mk
include cli/module.mk
include tests/module.mk
include tests/fuzz/module.mk
include bench/module.mk
include tools/module.mk

LINK_LIBS = -Wl,--start-group $(STAGE_LIBS) -Wl,--end-group $(LDLIBS)

.PHONY: all deps deps-test deps-check test test-unit test-integration test-asan \
        demo serve bench install uninstall clean lint architecture check-layers
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
IQ_PREFIX_LINE := \#define IQ_SCHEMAS_INSTALLED "$(DATADIR)/schemas"
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

# The sample config, from the daemon's own table (it cannot drift), and
# the unit with this install's paths.
$(BUILD)/inquestd.conf.sample: $(BUILD)/inquestd
	$(BUILD)/inquestd --print-sample-config >$@.tmp && mv $@.tmp $@
$(BUILD)/inquestd.service: deploy/inquestd.service.in FORCE
	@mkdir -p $(dir $@)
	sed -e 's|@bindir@|$(BINDIR)|g' -e 's|@sysconfdir@|$(SYSCONFDIR)|g' \
	    -e 's|@docdir@|$(DOCDIR)|g' deploy/inquestd.service.in >$@.tmp && mv $@.tmp $@

# The man pages and the shell completions, generated from the command
# table through the binaries' --help (tools/gen_man.sh) and `inquest
# completion` (docs/cli.md).
$(BUILD)/man/inquest.1: $(BUILD)/inquest $(BUILD)/inquestd tools/gen_man.sh
	sh tools/gen_man.sh $(BUILD)/inquest $(BUILD)/inquestd $(BUILD)/man
$(BUILD)/completion/inquest.bash: $(BUILD)/inquest
	@mkdir -p $(dir $@)
	$(BUILD)/inquest completion bash >$@.tmp && mv $@.tmp $@
$(BUILD)/completion/_inquest: $(BUILD)/inquest
	@mkdir -p $(dir $@)
	$(BUILD)/inquest completion zsh >$@.tmp && mv $@.tmp $@
DOC_GEN := $(BUILD)/man/inquest.1 $(BUILD)/completion/inquest.bash $(BUILD)/completion/_inquest
all: $(DOC_GEN)

# What install puts, file by file (uninstall removes exactly these).
INSTALL_SCHEMAS := $(shell find schemas -type f | LC_ALL=C sort)
INSTALL_DOCS    := README.md $(wildcard docs/*.md)

install: all $(BUILD)/inquestd.conf.sample $(BUILD)/inquestd.service $(DOC_GEN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) \
	  $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/inquest
	install -m 0755 $(BUILD)/inquestd $(BUILD)/inquest $(DESTDIR)$(BINDIR)/
	for f in $(INSTALL_SCHEMAS); do \
	  install -D -m 0644 "$$f" "$(DESTDIR)$(DATADIR)/$$f" || exit 1; done
	install -m 0644 $(BUILD)/inquestd.conf.sample $(DESTDIR)$(DATADIR)/inquestd.conf.sample
	install -m 0644 $(INSTALL_DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 0644 $(BUILD)/inquestd.service $(DESTDIR)$(UNITDIR)/inquestd.service
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) \
	  $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0644 $(BUILD)/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(BUILD)/man/inquestd.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(BUILD)/completion/inquest.bash $(DESTDIR)$(BASHCOMPDIR)/inquest
	install -m 0644 $(BUILD)/completion/_inquest $(DESTDIR)$(ZSHCOMPDIR)/_inquest
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/inquest/inquestd.conf ]; then \
	  echo "keeping $(DESTDIR)$(SYSCONFDIR)/inquest/inquestd.conf"; \
	else \
	  install -m 0644 $(BUILD)/inquestd.conf.sample $(DESTDIR)$(SYSCONFDIR)/inquest/inquestd.conf; \
	  echo "installed $(DESTDIR)$(SYSCONFDIR)/inquest/inquestd.conf (the sample)"; \
	fi

# Files only, then the directories install made when they are left empty;
# the config only while it is the installed sample (an edited one is kept).
uninstall:
	@c=$(DESTDIR)$(SYSCONFDIR)/inquest/inquestd.conf; \
	if [ -e "$$c" ] && ! cmp -s "$$c" $(DESTDIR)$(DATADIR)/inquestd.conf.sample; then \
	  echo "keeping $$c: it differs from the sample"; else rm -f "$$c"; fi
	rm -f $(DESTDIR)$(BINDIR)/inquestd $(DESTDIR)$(BINDIR)/inquest
	rm -f $(DESTDIR)$(UNITDIR)/inquestd.service $(DESTDIR)$(DATADIR)/inquestd.conf.sample
	rm -f $(DESTDIR)$(MANDIR)/man1/inquest.1 $(DESTDIR)$(MANDIR)/man1/inquest-*.1 \
	  $(DESTDIR)$(MANDIR)/man8/inquestd.8 $(DESTDIR)$(BASHCOMPDIR)/inquest \
	  $(DESTDIR)$(ZSHCOMPDIR)/_inquest
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/,$(INSTALL_SCHEMAS))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(INSTALL_DOCS)))
	-find $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR)/inquest \
	  -depth -type d -empty -delete 2>/dev/null
	-rmdir -p $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) \
	  $(DESTDIR)$(ZSHCOMPDIR) 2>/dev/null

clean:
	rm -rf build build-asan build-fuzz
