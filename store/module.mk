# store/: store_ modules (RocksDB store, key layouts, free-space guard),
# below every stage: linked into the daemon, the CLI and the tests.
STORE_SRCS := $(wildcard store/*.c)
STORE_OBJS := $(STORE_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libstore.a: $(STORE_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@   # members of moved or deleted sources must not linger
	$(AR) rcs $@ $^
STAGE_LIBS += $(BUILD)/libstore.a
