# ingest/: ing_ modules, linked into the daemon, the CLI and the tests.
ING_SRCS := $(wildcard ingest/*.c)
ING_OBJS := $(ING_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libingest.a: $(ING_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@   # members of moved or deleted sources must not linger
	$(AR) rcs $@ $^
ifneq ($(strip $(ING_SRCS)),)
STAGE_LIBS += $(BUILD)/libingest.a
endif
