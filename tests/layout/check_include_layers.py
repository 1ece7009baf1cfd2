#!/usr/bin/python3
"""Checks the include graph against DESIGN.md's dependency rules; exits 1 naming each breach.

- core never includes ui (app -> ui -> core);
- core's areas depend on each other in one direction only: an area may include the headers of
  the areas listed for it below (and its own), so an include loop cannot come back;
- no header under ui/ reaches a LibTorch header, directly or through core headers.
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
CORE = os.path.join(ROOT, "core")
PUBLIC = os.path.join(CORE, "include", "forgelens")

# Lower areas first. "base" is core/include/forgelens/*.h (result, error codes).
ALLOWED = {
    "base": set(),
    # core/sqlite/: the checks every SQLite file from elsewhere gets (private to the library)
    "sqlite": {"base"},
    "image": {"base"},
    "models": {"base", "image"},
    "metadata": {"base", "image"},
    "sandbox": {"base", "image", "metadata"},
    "inference": {"base", "image", "models"},
    "analysis": {"base", "image", "models", "metadata", "sandbox", "inference"},
    "report": {"base", "image", "models", "metadata", "sandbox", "inference", "analysis"},
    "scan": {"base", "image", "models", "metadata", "sandbox", "inference", "analysis", "report"},
    "exemplars": {"base", "image", "models", "metadata", "sandbox", "inference", "analysis",
                  "scan", "sqlite"},
    "explain": {"base", "image", "models", "metadata", "sandbox", "inference", "analysis", "scan",
                "exemplars"},
    # eval reads labels as bank builds do (one labels-CSV format, exemplars/bank_build.h)
    "eval": {"base", "image", "models", "metadata", "sandbox", "inference", "analysis", "report",
             "scan", "exemplars"},
    # a case keeps every kind of run and words its report from all of them
    "case": {"base", "image", "models", "metadata", "sandbox", "inference", "analysis", "report",
             "scan", "exemplars", "explain", "eval", "sqlite"},
    "session": {"base", "image", "models", "metadata", "sandbox", "inference", "analysis", "report",
                "scan", "exemplars", "explain", "eval", "case"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
TORCH = ("torch/", "ATen/", "c10/")


def area_of(path):
    rel = os.path.relpath(path, CORE).split(os.sep)
    if rel[0] == "include":
        return rel[2] if len(rel) > 3 else "base"
    return rel[0] if len(rel) > 1 else "base"


def included_area(name, source):
    if name.startswith("forgelens/"):
        parts = name.split("/")
        return parts[1] if len(parts) > 2 else "base"
    if name.startswith("sqlite/"):
        return "sqlite"
    if name.startswith("../"):
        return os.path.normpath(os.path.join(os.path.dirname(source), name)).split(os.sep)[-2]
    return None


def sources(folder):
    for base, _, files in os.walk(folder):
        for name in files:
            if name.endswith((".h", ".cpp")):
                yield os.path.join(base, name)


def includes(path):
    with open(path, encoding="utf-8") as handle:
        return INCLUDE.findall(handle.read())


problems = []
for path in sources(CORE):
    area = area_of(path)
    if area not in ALLOWED:
        problems.append(f"{path}: area '{area}' has no rule in {__file__}")
        continue
    for name in includes(path):
        if name.startswith("ui/") or "/ui/" in name:
            problems.append(f"{path}: core includes ui header {name}")
        target = included_area(name, path)
        if target and target != area and target not in ALLOWED[area]:
            problems.append(f"{path}: {area} may not include {name} ({target})")


def reaches_torch(header, seen):
    if header in seen:
        return None
    seen.add(header)
    for name in includes(header):
        if name.startswith(TORCH) or name == "torch/script.h":
            return [name]
        candidate = None
        if name.startswith("forgelens/"):
            candidate = os.path.join(CORE, "include", name)
        elif name.startswith("ui/"):
            candidate = os.path.join(ROOT, name)
        if candidate and os.path.exists(candidate):
            chain = reaches_torch(candidate, seen)
            if chain:
                return [name] + chain
    return None


for path in sources(os.path.join(ROOT, "ui")):
    if path.endswith(".h"):
        chain = reaches_torch(path, set())
        if chain:
            problems.append(f"{path}: reaches LibTorch through {' -> '.join(chain)}")

for problem in problems:
    print(problem)
print(f"include layers: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
