#!/usr/bin/python3
"""Rebuilds the reference detector's training pool from its manifest.

Every entry of models/reference/pool-manifest.jsonl names where one image comes from and its
SHA-256. Sources:
  git     a public repository at a fixed commit: {repo, commit, path}. Read from a local
          mirror (--mirrors DIR holding OWNER+NAME/repo bare git directories, as the project's
          fetch tool lays them out, or OWNER/NAME clones), never downloaded by this script.
  shared  a file of the project's shared data folder: {path} relative to --shared/data.
  debian  a file installed by a Debian package: {package, path}; `apt-get install PACKAGE`.
Each file is verified against its SHA-256 and against reserved-sha256.txt (files kept for
independent evaluation are refused even if the manifest lists them), then written
content-addressed to OUT/images/SHA256.EXT, with OUT/index.jsonl listing what arrived.
The images are never committed to the repository; OUT must lie outside it.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_MANIFEST = os.path.join(HERE, "..", "pool-manifest.jsonl")
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "tiff": "tif"}


def read_manifest(path):
    entries = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    entries.append(json.loads(line))
                except json.JSONDecodeError as error:
                    sys.exit(f"{path}:{number}: not JSON: {error}")
    return entries


def git_dir_for(mirrors, repo):
    owner_name = repo.replace("/", "+")
    for candidate in (os.path.join(mirrors, owner_name, "repo"), os.path.join(mirrors, owner_name),
                      os.path.join(mirrors, repo, ".git"), os.path.join(mirrors, repo)):
        if os.path.isdir(candidate) and (os.path.exists(os.path.join(candidate, "HEAD"))):
            return candidate
    return None


def read_entry(entry, args):
    """The entry's bytes, or (None, reason)."""
    source = entry["source"]
    if source == "git":
        git_dir = git_dir_for(args.mirrors, entry["repo"])
        if git_dir is None:
            return None, (f"no mirror of {entry['repo']} under {args.mirrors} "
                          f"(git clone --mirror https://github.com/{entry['repo']})")
        result = subprocess.run(["git", "--git-dir", git_dir, "show",
                                 f"{entry['commit']}:{entry['path']}"], capture_output=True)
        if result.returncode != 0:
            return None, result.stderr.decode(errors="replace").strip()
        return result.stdout, None
    if source in ("shared", "debian"):
        path = (os.path.join(args.shared, "data", entry["path"]) if source == "shared"
                else entry["path"])
        if not os.path.isfile(path):
            hint = f" (apt-get install {entry['package']})" if source == "debian" else ""
            return None, f"{path} is missing{hint}"
        with open(path, "rb") as handle:
            return handle.read(), None
    return None, f"unknown source {source!r}"


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifest", default=DEFAULT_MANIFEST)
    parser.add_argument("--mirrors", default="/work/.mirror",
                        help="folder of bare git mirrors (default /work/.mirror)")
    parser.add_argument("--shared", default=os.path.join(REPO_ROOT, "..", "shared"),
                        help="the project's shared folder (default ../shared)")
    parser.add_argument("--out", required=True, help="pool folder, outside the repository")
    args = parser.parse_args()

    out = os.path.abspath(args.out)
    if os.path.commonpath([out, REPO_ROOT]) == REPO_ROOT:
        sys.exit(f"{out} lies inside the repository: the pool's images are never committed")
    reserved_path = os.path.join(args.shared, "data", "reserved-sha256.txt")
    with open(reserved_path, encoding="ascii") as handle:
        reserved = {line.strip().lower() for line in handle if line.strip()}

    os.makedirs(os.path.join(out, "images"), exist_ok=True)
    arrived, problems = [], []
    for entry in read_manifest(args.manifest):
        expected = entry["sha256"].lower()
        if expected in reserved:
            problems.append(f"{entry['path']}: reserved for independent evaluation, refused")
            continue
        target = os.path.join(out, "images", expected + "." + EXTENSIONS.get(entry["format"],
                                                                             entry["format"]))
        if not os.path.exists(target):
            data, reason = read_entry(entry, args)
            if data is None:
                problems.append(f"{entry['path']}: {reason}")
                continue
            actual = hashlib.sha256(data).hexdigest()
            if actual != expected:
                problems.append(f"{entry['path']}: SHA-256 {actual}, manifest says {expected}")
                continue
            with open(target + ".partial", "wb") as handle:
                handle.write(data)
            os.replace(target + ".partial", target)
        arrived.append(dict(entry, file=os.path.relpath(target, out)))

    with open(os.path.join(out, "index.jsonl.partial"), "w", encoding="utf-8") as handle:
        for entry in arrived:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")
    os.replace(os.path.join(out, "index.jsonl.partial"), os.path.join(out, "index.jsonl"))
    for problem in problems:
        print("build_pool: " + problem, file=sys.stderr)
    print(f"build_pool: {len(arrived)} images in {out}, {len(problems)} not available")
    return 0 if arrived else 1


if __name__ == "__main__":
    sys.exit(main())
