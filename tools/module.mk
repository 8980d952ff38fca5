# tools/: developer programs next to the scripts.  lint-train fits the
# statistical layer of `inquest lint` (docs/lint.md, "The model");
# `make lint-model` retrains it from the corpus's train split.
$(BUILD)/lint-train: $(BUILD)/tools/lint_train.o $(STAGE_LIBS)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_LIBS)
BINS += $(BUILD)/lint-train

.PHONY: lint-model
lint-model: $(BUILD)/lint-train
	$(BUILD)/lint-train --rules schemas/lint tests/data/lint/corpus/train.tsv
