# tests/fuzz/: one libFuzzer harness per parser (fuzz_NAME.c), built two ways
# from the same source (docs/fuzzing.md):
#   - for `make test`: with $(CC) and replay.c's main() into
#     $(BUILD)/tests/fuzz_NAME_replay, which tests/run.sh runs over
#     tests/fuzz/corpus/NAME and tests/fuzz/regress/NAME (no clang needed);
#   - for `make fuzz`: with clang and libFuzzer under ASan and UBSan into
#     build-fuzz/fuzz/fuzz_NAME, run for FUZZ_SECONDS each by tools/fuzz.sh.
FUZZ_SRCS   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES  := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_REPLAY_BINS := $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz_%_replay)
FUZZ_BINS   := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
# Harnesses link the stage archives, never the commands of cli/.
FUZZ_STAGE_LIBS := $(filter-out $(BUILD)/libcli.a,$(STAGE_LIBS))

FUZZ_CC      ?= clang-14
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
                -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION

$(BUILD)/tests/fuzz_%_replay: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o \
                              $(FUZZ_STAGE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/tests/fuzz/replay.o \
	  -Wl,--start-group $(FUZZ_STAGE_LIBS) -Wl,--end-group $(LDLIBS)

$(BUILD)/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_STAGE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< \
	  -Wl,--start-group $(FUZZ_STAGE_LIBS) -Wl,--end-group $(LDLIBS)

tests-build: $(FUZZ_REPLAY_BINS)

.PHONY: fuzz fuzz-build deps-fuzz
deps-fuzz:
	@sh tools/deps.sh fuzz

# Only meaningful with BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) (as `make fuzz` calls it).
fuzz-build: $(FUZZ_BINS)

fuzz: deps deps-fuzz
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
	  CFLAGS="$(FUZZ_CFLAGS)" fuzz-build
	@sh tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_NAMES)

# The harness and driver objects are intermediate files of the rules above;
# keep them so that a rebuild relinks instead of recompiling.
.SECONDARY: $(FUZZ_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/tests/fuzz/replay.o
