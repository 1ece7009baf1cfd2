#!/usr/bin/python3
"""Summarises the pool manifest for the model card: images per part, class and source, with
their repositories and licences. With --card, replaces the text between <!-- pool:begin --> and
<!-- pool:end -->. Reads only the manifest, so it needs no image.
"""

import argparse
import collections
import json
import os

from card_section import replace_card_section
from pool_split import group_of, split_of

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--manifest", default=os.path.join(HERE, "..", "pool-manifest.jsonl"))
    parser.add_argument("--card")
    args = parser.parse_args()
    with open(args.manifest, encoding="utf-8") as handle:
        entries = [json.loads(line) for line in handle if line.strip()]

    rows = collections.defaultdict(lambda: {"images": 0, "pixels": 0, "sources": set(),
                                            "licences": set(), "formats": collections.Counter()})
    for entry in entries:
        row = rows[(split_of(entry), entry["label"], group_of(entry))]
        row["images"] += 1
        row["pixels"] += entry["width"] * entry["height"]
        row["sources"].add(entry.get("repo") or entry.get("package"))
        row["licences"].add(entry["licence"])
        row["formats"][entry["format"]] += 1

    order = {"train": 0, "calibration": 1, "test": 2}
    lines = ["| part | class | generator / source | images | megapixels | formats | from | "
             "licences |", "|---|---|---|---|---|---|---|---|"]
    totals = collections.Counter()
    for (part, label, group), row in sorted(rows.items(),
                                            key=lambda item: (order[item[0][0]], item[0][1],
                                                              item[0][2])):
        totals[(part, label)] += row["images"]
        formats = ", ".join(f"{name} {count}" for name, count in row["formats"].most_common())
        sources = ", ".join(sorted(s for s in row["sources"] if s))
        licences = "; ".join(sorted(row["licences"]))
        lines.append(f"| {part} | {label} | {group} | {row['images']} | "
                     f"{row['pixels'] / 1e6:.1f} | {formats} | {sources} | {licences} |")
    lines.append("")
    lines.append("Totals: " + "; ".join(f"{part} {label} {count}"
                                         for (part, label), count in sorted(
                                             totals.items(), key=lambda i: (order[i[0][0]],
                                                                            i[0][1]))) +
                 f"; {len(entries)} images in all.")
    table = "\n".join(lines)
    print(table)
    if args.card:
        replace_card_section(args.card, "pool", table)


if __name__ == "__main__":
    main()
