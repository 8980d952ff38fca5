# review/: rev_ modules, linked into the daemon, the CLI and the tests.
REV_SRCS := $(wildcard review/*.c)
REV_OBJS := $(REV_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libreview.a: $(REV_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^
ifneq ($(strip $(REV_SRCS)),)
STAGE_LIBS += $(BUILD)/libreview.a
endif
