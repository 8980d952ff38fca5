# postmortem/: pm_ modules (finished postmortems read back, follow-ups,
# reminders), linked into the daemon, the CLI and the tests.
PM_SRCS := $(wildcard postmortem/*.c)
PM_OBJS := $(PM_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libpostmortem.a: $(PM_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^
ifneq ($(strip $(PM_SRCS)),)
STAGE_LIBS += $(BUILD)/libpostmortem.a
endif
