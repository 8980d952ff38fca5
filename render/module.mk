# render/: rnd_ modules, linked into the daemon, the CLI and the tests.
RND_SRCS := $(wildcard render/*.c)
RND_OBJS := $(RND_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/librender.a: $(RND_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^
ifneq ($(strip $(RND_SRCS)),)
STAGE_LIBS += $(BUILD)/librender.a
endif
