#!/usr/bin/env python3
"""lint_corpus_split.py - split the lint corpus into a train and a frozen held-out set.

The corpus (tests/data/lint/corpus/) is a TSV file with the columns
    id  lang  kind  label  category  text
(kind: sentence or action; label: blame/ok for sentences, weak/strong for
action items; category: the phenomenon the row illustrates).

This script only shuffles and splits: it draws, with a fixed seed, the given
fraction of every (lang, kind, label, category) stratum into the held-out
file and writes the rest to the train file, both in the input's order.  The
held-out file is committed once, before any tuning, and is read only by the
scoring test (tests/unit/rev_heldout_test.c); rules, features and the model
threshold are built from the train file alone.

    python3 tools/lint_corpus_split.py [--seed 16] [--fraction 0.3] ALL.tsv OUTDIR

writes OUTDIR/train.tsv and OUTDIR/heldout.tsv.  Python 3 standard library only.
"""
import argparse
import random
import sys

HEADER = (
    "# inquest lint corpus, {part} split ({n} rows), made by tools/lint_corpus_split.py\n"
    "# (seed {seed}, held-out fraction {fraction}, stratified by lang/kind/label/category).\n"
    "# Columns (tab-separated): id, lang, kind (sentence|action), label (blame|ok for\n"
    "# sentences, weak|strong for action items), category, text.\n"
)


def read_rows(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 6:
                sys.exit(f"{path}:{lineno}: expected 6 tab-separated fields, got {len(fields)}")
            rows.append(fields)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--fraction", type=float, default=0.3)
    ap.add_argument("corpus")
    ap.add_argument("outdir")
    a = ap.parse_args()
    if not 0.0 < a.fraction < 1.0:
        sys.exit("--fraction must be between 0 and 1")
    rows = read_rows(a.corpus)
    strata = {}
    for i, r in enumerate(rows):
        strata.setdefault(tuple(r[1:5]), []).append(i)
    rng = random.Random(a.seed)
    held = set()
    for key in sorted(strata):
        idx = strata[key][:]
        rng.shuffle(idx)
        held.update(idx[: round(len(idx) * a.fraction)])
    for part, keep in (("train", False), ("heldout", True)):
        out = [r for i, r in enumerate(rows) if (i in held) == keep]
        with open(f"{a.outdir}/{part}.tsv", "w", encoding="utf-8") as f:
            f.write(HEADER.format(part=part, n=len(out), seed=a.seed, fraction=a.fraction))
            for r in out:
                f.write("\t".join(r) + "\n")
        print(f"{part}: {len(out)} rows")


if __name__ == "__main__":
    main()
