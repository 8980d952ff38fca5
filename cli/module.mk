# cli/: the two binaries.  inquestd.c and inquest.c hold main(); every other
# cli_*.c is a subcommand (see cli/cli.h) or daemon wiring.
CLI_SRCS   := $(filter-out cli/inquestd.c cli/inquest.c,$(wildcard cli/*.c))
CLI_OBJS   := $(CLI_SRCS:%.c=$(BUILD)/%.o)
$(BUILD)/libcli.a: $(CLI_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^
STAGE_LIBS += $(BUILD)/libcli.a

$(BUILD)/inquestd: $(BUILD)/cli/inquestd.o $(STAGE_LIBS)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_LIBS)
$(BUILD)/inquest: $(BUILD)/cli/inquest.o $(STAGE_LIBS)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_LIBS)
BINS += $(BUILD)/inquestd $(BUILD)/inquest
