# analyze/: ana_ modules, linked into the daemon, the CLI and the tests.
ANA_SRCS := $(wildcard analyze/*.c)
ANA_OBJS := $(ANA_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libanalyze.a: $(ANA_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^
ifneq ($(strip $(ANA_SRCS)),)
STAGE_LIBS += $(BUILD)/libanalyze.a
endif
