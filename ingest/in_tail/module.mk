# ingest/in_tail/: tail_ modules, the log collector (following files,
# parsing rules, log events, the error-rate signal, checkpoints), in the
# manner of Fluent Bit's plugins/in_tail.  Part of the ingest layer; its
# own archive.
TAIL_SRCS := $(wildcard ingest/in_tail/*.c)
TAIL_OBJS := $(TAIL_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libin_tail.a: $(TAIL_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@   # members of moved or deleted sources must not linger
	$(AR) rcs $@ $^
STAGE_LIBS += $(BUILD)/libin_tail.a
