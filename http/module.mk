# http/: http_ modules, the HTTP server (libmicrohttpd), its route table,
# access tokens and connection policy; below ingest, above store.
HTTP_SRCS := $(wildcard http/*.c)
HTTP_OBJS := $(HTTP_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libhttp.a: $(HTTP_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@   # members of moved or deleted sources must not linger
	$(AR) rcs $@ $^
STAGE_LIBS += $(BUILD)/libhttp.a
