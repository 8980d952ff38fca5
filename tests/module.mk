# tests/: every tests/unit/<module>_test.c is one cmocka binary linked with
# the stage archives; tests/integration/*.sh drive the real binaries.
UNIT_SRCS := $(wildcard tests/unit/*_test.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TEST_HELPERS := $(wildcard tests/helpers/*.c)
TEST_HELPER_BINS := $(TEST_HELPERS:tests/helpers/%.c=$(BUILD)/tests/helpers/%)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(STAGE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_LIBS) $(CMOCKA_LIBS)
$(BUILD)/tests/helpers/%: $(BUILD)/tests/helpers/%.o $(STAGE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_LIBS)

.PHONY: tests-build
tests-build: $(UNIT_BINS) $(TEST_HELPER_BINS)

# rnd_svg_test reads the visual timeline back with a real XML parser:
# libxml2 (Debian libxml2-dev, installed by `make deps-test`).
XML2_CFLAGS := $(shell $(PKG_CONFIG) --cflags libxml-2.0 2>/dev/null)
XML2_LIBS   := $(shell $(PKG_CONFIG) --libs libxml-2.0 2>/dev/null)
$(BUILD)/tests/unit/rnd_svg_test.o: CPPFLAGS += $(XML2_CFLAGS)
$(BUILD)/tests/rnd_svg_test: CMOCKA_LIBS += $(XML2_LIBS)
