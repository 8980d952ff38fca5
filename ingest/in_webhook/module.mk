# ingest/in_webhook/: wh_ modules, the webhook sources (mapping files, their
# expressions, signature schemes, the recorder), in the manner of Fluent
# Bit's plugins/in_*.  Part of the ingest layer; its own archive.
WH_SRCS := $(wildcard ingest/in_webhook/*.c)
WH_OBJS := $(WH_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libin_webhook.a: $(WH_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@   # members of moved or deleted sources must not linger
	$(AR) rcs $@ $^
STAGE_LIBS += $(BUILD)/libin_webhook.a
