"""Replaces one generated section of the model card, between <!-- NAME:begin --> and
<!-- NAME:end -->, atomically (temp file + rename), so that the card's tables are always the
output of the recipe's commands and never typed by hand."""

import os
import sys


def replace_card_section(card_path, name, text):
    with open(card_path, encoding="utf-8") as handle:
        card = handle.read()
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    if begin not in card or end not in card:
        sys.exit(f"{card_path} lacks the markers {begin} {end}")
    head, rest = card.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(card_path + ".partial", "w", encoding="utf-8") as handle:
        handle.write(head + begin + "\n" + text + "\n" + end + tail)
    os.replace(card_path + ".partial", card_path)
