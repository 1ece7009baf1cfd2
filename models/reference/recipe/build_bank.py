#!/usr/bin/python3
"""Builds the exemplar bank ForgeLens ships beside its reference detector.

The bank shows a thumbnail of each exemplar, so it may hold only images whose licence allows
redistributing one. From models/reference/pool-manifest.jsonl it keeps:
  synthetic  git entries whose licence is exactly 0BSD, MIT or Apache-2.0;
  real       debian entries whose licence is free (CC0, CC-BY(-SA), BSD, Apache, (L)GPL,
             public domain, no known copyright restrictions; every part of an "A AND B").
Everything else is left out: "none stated", NVIDIA, Tencent and OpenAI licences, the CC-BY-4.0
community submissions of gpt-image, the ImageNet ("shared") photographs, and opencv-doc's
samples (EXCLUDED_PACKAGES).

Steps: the selection is written to OUT/selected-manifest.jsonl; build_pool.py materialises it
into OUT/pool (checking every SHA-256 and refusing reserved-sha256.txt); each file is checked
once more here; OUT/labels.csv gets label, generator, source ("owner/repo@commit:path" or
"debian:package:path"), licence and attribution (git: owner/repo; debian: the holder that
/usr/share/doc/PACKAGE/copyright gives for that file, else a pointer to that file); then
`forgelens-cli bank build` writes the bank. Debian reals need their packages installed
(apt-get install PACKAGE); OUT must lie outside the repository.

  nice -n 10 /usr/bin/python3 models/reference/recipe/build_bank.py --out /work/shipbank
"""

import argparse
import csv
import fnmatch
import hashlib
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import build_pool  # noqa: E402  (read_manifest, REPO_ROOT, DEFAULT_MANIFEST)

SYNTHETIC_LICENCES = {"0BSD", "MIT", "Apache-2.0"}
FREE_LICENCE = re.compile(
    r"(CC0-1\.0|CC-BY(-SA)?-[0-9.]+|BSD-[0-9]-Clause|Apache-[0-9.]+"
    r"|L?GPL-[0-9.]+(-only|-or-later)?"
    r"|LicenseRef-public-domain|LicenseRef-no-known-copyright-restrictions)")


# Packages whose images are left out although their copyright file gives a free licence: the
# OpenCV samples gather third-party test images (the USC-SIPI mandrill, Middlebury frames, a
# texture whose EXIF names other copyright holders, a footballer's photograph) whose own terms
# the package-wide licence does not settle.
EXCLUDED_PACKAGES = {"opencv-doc"}


def qualifies(entry):
    """Whether the entry's licence allows shipping its thumbnail."""
    if entry.get("package") in EXCLUDED_PACKAGES:
        return False
    if entry["label"] == "synthetic":
        return entry["source"] == "git" and entry["licence"] in SYNTHETIC_LICENCES
    if entry["label"] == "real" and entry["source"] == "debian":
        parts = re.split(r" AND | OR ", entry["licence"])
        return all(FREE_LICENCE.fullmatch(part.strip()) for part in parts)
    return False


def spdx(name):
    """DEP-5 short names as SPDX ones: GPL-2+ -> GPL-2.0-or-later."""
    match = re.fullmatch(r"(L?GPL)-(\d)(\.\d)?\+", name.strip())
    return f"{match[1]}-{match[2]}{match[3] or '.0'}-or-later" if match else name.strip()


def holder_text(text):
    """A Copyright field as one line, without e-mail addresses."""
    lines = [re.sub(r"\s*<[^>]*>|,? all rights reserved\.?", "", line).strip(" ,;´")
             for line in text.splitlines()]
    return "; ".join(line for line in lines if line)


def dep5_stanzas(text):
    stanzas, current, key = [], {}, None
    for line in text.splitlines() + [""]:
        if not line.strip():
            if current:
                stanzas.append(current)
            current, key = {}, None
        elif line[0] in " \t":
            if key:
                current[key] += "\n" + line.strip()
        else:
            key, _, value = line.partition(":")
            key = key.strip().lower()
            current[key] = value.strip()
    return [stanza for stanza in stanzas if "files" in stanza]


def copyright_holder(package, path, licence):
    """(holder, how) for an installed file from the package's copyright file, or (None, why)."""
    copyright_path = f"/usr/share/doc/{package}/copyright"
    try:
        with open(copyright_path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError as error:
        return None, f"{copyright_path}: {error.strerror}"
    stanzas = dep5_stanzas(text)
    if not stanzas:  # free-form: a "(folder)" item listed under "Holder:"
        folders, lines = path.split("/")[:-1], text.splitlines()
        for number, line in enumerate(lines):
            item = re.search(r"\(([^()]+)\)\s*$", line)
            if item and item[1] in folders:
                for previous in reversed(lines[:number]):
                    if previous.rstrip().endswith(":") and not previous[:1].isspace():
                        found = re.sub(r"^Copyright \([cC]\)\s*", "", previous.rstrip()[:-1])
                        return holder_text(found), f"free-form item ({item[1]})"
        return None, "free-form copyright file names no holder for it"
    specific, catch_all = None, None
    base = os.path.basename(path)
    for stanza in stanzas:  # the last matching stanza wins, as DEP-5 says
        for pattern in stanza["files"].split():
            if pattern == "*":
                catch_all = stanza
            elif os.path.basename(pattern) != "*" and fnmatch.fnmatch(base,
                                                                     os.path.basename(pattern)):
                specific = stanza  # by file name: the source tree's folders are not installed
    if specific is not None:
        if spdx(specific.get("license", "")) != licence:
            print(f"build_bank: {path}: copyright file says {specific.get('license')}, "
                  f"manifest {licence}", file=sys.stderr)
        return holder_text(specific.get("copyright", "")), "Files: " + " ".join(
            specific["files"].split())
    if catch_all is not None and spdx(catch_all.get("license", "")) == licence:
        return holder_text(catch_all.get("copyright", "")), "Files: * (same licence)"
    return None, "no stanza for this file"


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifest", default=build_pool.DEFAULT_MANIFEST)
    parser.add_argument("--mirrors", default="/work/.mirror", help="bare git mirrors")
    parser.add_argument("--shared", default=os.path.join(build_pool.REPO_ROOT, "..", "shared"))
    parser.add_argument("--out", required=True, help="work folder, outside the repository")
    parser.add_argument("--bank", help="the bank to write (default OUT/reference-bank.sqlite)")
    parser.add_argument("--cli", default=os.path.join(build_pool.REPO_ROOT, "build", "app",
                                                      "forgelens-cli"))
    parser.add_argument("--model", default=os.path.join(build_pool.REPO_ROOT, "models",
                                                        "reference", "reference.pt"))
    parser.add_argument("--thumbnail-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads per operator")
    parser.add_argument("--device", default="cpu", help="auto, cpu or cuda (default cpu)")
    parser.add_argument("--replace", action="store_true", help="replace an existing bank")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted build")
    args = parser.parse_args()

    out = os.path.abspath(args.out)
    bank = os.path.abspath(args.bank or os.path.join(out, "reference-bank.sqlite"))
    os.makedirs(out, exist_ok=True)
    entries = build_pool.read_manifest(args.manifest)
    selected = [entry for entry in entries if qualifies(entry)]
    print(f"build_bank: {len(selected)} of {len(entries)} entries qualify")
    with open(os.path.join(out, "selected-manifest.jsonl"), "w", encoding="utf-8") as handle:
        for entry in selected:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")

    pool = os.path.join(out, "pool")
    subprocess.run([sys.executable, os.path.join(HERE, "build_pool.py"), "--manifest",
                    os.path.join(out, "selected-manifest.jsonl"), "--mirrors", args.mirrors,
                    "--shared", args.shared, "--out", pool], check=False)
    with open(os.path.join(pool, "index.jsonl"), encoding="utf-8") as handle:
        arrived = [json.loads(line) for line in handle if line.strip()]
    reserved_path = os.path.join(args.shared, "data", "reserved-sha256.txt")
    with open(reserved_path, encoding="ascii") as handle:
        reserved = {line.strip().lower() for line in handle if line.strip()}
    wanted = {entry["sha256"].lower() for entry in selected}

    rows = []
    for entry in arrived:  # checked again: qualifying, not reserved, bytes as the manifest says
        with open(os.path.join(pool, entry["file"]), "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        if (digest != entry["sha256"].lower() or digest in reserved or digest not in wanted
                or not qualifies(entry)):
            sys.exit(f"build_bank: {entry['file']} fails the final check; nothing built")
        if entry["source"] == "git":
            source = f"{entry['repo']}@{entry['commit']}:{entry['path']}"
            attribution = entry["repo"]
        else:
            source = f"debian:{entry['package']}:{entry['path']}"
            holder, how = copyright_holder(entry["package"], entry["path"], entry["licence"])
            if not holder:
                print(f"build_bank: {entry['path']}: {how}", file=sys.stderr)
            attribution = holder or (f"Debian package {entry['package']}, "
                                     "see its copyright file")
        rows.append({"path": os.path.relpath(entry["file"], "images"), "label": entry["label"],
                     "generator": entry["generator"], "source": source,
                     "licence": entry["licence"], "attribution": attribution})
    if not rows:
        sys.exit("build_bank: no qualifying image arrived; nothing built")
    images = os.path.join(pool, "images")
    strays = set(os.listdir(images)) - {row["path"] for row in rows}
    if strays:  # an earlier selection's files would be reported unlabelled
        sys.exit(f"build_bank: {images} holds files the selection lacks: {sorted(strays)[:5]}")
    labels = os.path.join(out, "labels.csv")
    with open(labels, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda row: (row["label"], row["source"])))
    print(f"build_bank: {len(rows)} labelled images in {labels}")

    if args.replace:  # the bank and its build report, finished or interrupted
        for stale in (bank, bank + ".build.csv", bank + ".build.csv.json",
                      bank + ".build.csv.partial", bank + ".build.csv.partial.json"):
            if os.path.exists(stale):
                os.remove(stale)
    command = [args.cli, "bank", "build", images, "--model", args.model, "-o", bank,
               "--labels", labels, "--thumbnail-size", str(args.thumbnail_size),
               "--threads", str(args.threads), "--decode-threads", str(args.threads),
               "--device", args.device, "--progress", "lines"]
    command += ["--resume"] if args.resume else []
    print("build_bank: " + " ".join(command))
    code = subprocess.run(command, check=False).returncode
    if len(rows) != len(selected):
        print(f"build_bank: {len(selected) - len(rows)} qualifying images did not arrive "
              "(see build_pool's messages above)", file=sys.stderr)
        code = code or 1
    return code


if __name__ == "__main__":
    sys.exit(main())
