# correlate/: cor_ modules, linked into the daemon, the CLI and the tests.
COR_SRCS := $(wildcard correlate/*.c)
COR_OBJS := $(COR_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libcorrelate.a: $(COR_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^
ifneq ($(strip $(COR_SRCS)),)
STAGE_LIBS += $(BUILD)/libcorrelate.a
endif
