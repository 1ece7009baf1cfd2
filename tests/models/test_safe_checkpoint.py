#!/usr/bin/python3
"""The converters never unpickle a downloaded file in full unless the user says --trust-pickle
(models/convert/safe_checkpoint.py). Run by ctest with Debian's torch:
    test_safe_checkpoint.py PROJECT_DIR WORK_DIR
Regressions of the probe: a weights file using protocol 0's INST opcode ran os.system through
the DeepFakeDefenders converter without --trust-pickle, and the safe loader fell back to a full
unpickle whenever it raised TypeError."""

import io
import os
import pickle
import re
import sys
import zipfile
from collections import OrderedDict

import torch

PROJECT, WORK = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(PROJECT, "models", "convert"))
import safe_checkpoint  # noqa: E402

os.makedirs(WORK, exist_ok=True)
MARKER = os.path.join(WORK, "code-ran")
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def with_data_pickle(path, payload):
    """A torch.save zip archive whose data.pkl is `payload`."""
    torch.save({"w": torch.zeros(2)}, path)
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in entries.items():
            archive.writestr(name, payload if name.endswith("/data.pkl") else data)
    return path


def refused(path):
    try:
        safe_checkpoint.load_restricted(path)
    except safe_checkpoint.RefusedGlobal:
        return True
    return False


command = f"touch {MARKER}".encode()

# 1. A real checkpoint (tensors in an OrderedDict, an EMA's float decay, ints) loads exactly.
plain = os.path.join(WORK, "plain.pt")
state = {"state_dict": OrderedDict(w=torch.arange(6.0).reshape(2, 3)), "decay": 0.9999, "step": 7,
         "shadow_params": [torch.ones(3)]}
torch.save(state, plain)
loaded = safe_checkpoint.load_restricted(plain)
check(torch.equal(loaded["state_dict"]["w"], state["state_dict"]["w"])
      and loaded["decay"] == 0.9999 and loaded["step"] == 7, "a plain checkpoint must load")

# 2. Protocol 0 INST: "i" module NL name NL, calling os.system on the MARK'ed arguments.
inst = b"(S'" + command + b"'\nios\nsystem\n."
check(refused(with_data_pickle(os.path.join(WORK, "inst.pt"), inst)), "INST must be refused")

# 3. Protocol 2 GLOBAL + REDUCE, and 4. protocol 4 STACK_GLOBAL, as pickle writes them.
class Exploit:
    def __reduce__(self):
        return (os.system, (command.decode(),))


for protocol in (2, 4):
    payload = pickle.dumps({"w": Exploit()}, protocol=protocol)
    path = with_data_pickle(os.path.join(WORK, f"reduce-{protocol}.pt"), payload)
    check(refused(path), f"a protocol-{protocol} global must be refused")

# 5. The same through the converters' entry points, without --trust-pickle.
import convert_dfd  # noqa: E402

try:
    convert_dfd.torch_load(os.path.join(WORK, "inst.pt"))
    check(False, "convert_dfd.torch_load must refuse INST")
except convert_dfd.ConversionError as error:
    check("--trust-pickle" in str(error), "the refusal must name --trust-pickle")

# 6. A TypeError raised inside the restricted load (an allowed class called badly) propagates:
# nothing falls back to a full unpickle.
calls = []
original = safe_checkpoint.load_trusted
safe_checkpoint.load_trusted = lambda path: calls.append(path)
bad = b"\x80\x02ccollections\nOrderedDict\nK\x05\x85R."  # OrderedDict(5): TypeError
try:
    safe_checkpoint.load_checkpoint(with_data_pickle(os.path.join(WORK, "typeerror.pt"), bad),
                                    False, lambda message: (_ for _ in ()).throw(SystemExit(message)))
    check(False, "OrderedDict(5) must fail")
except TypeError:
    pass
safe_checkpoint.load_trusted = original
check(not calls, "a TypeError must never lead to a full unpickle")

check(not os.path.exists(MARKER), "no payload may have run")

# 7. No code of the project unpickles a file it did not write: every torch.load / pickle load is
# in safe_checkpoint.py, or in a place listed here with why.
ALLOWED = {
    "models/convert/safe_checkpoint.py": "the restricted and the --trust-pickle loads",
    "models/convert/sklearn_heads.py": "CoDE's heads, only after --trust-pickle (convert_code.py)",
    "models/convert/parity/": "the seeds' own eager code on stand-ins the harness wrote",
    "models/reference/recipe/": "the recipe's own training checkpoint",
}
pattern = re.compile(r"\b(torch\.load|pickle\.loads?|joblib\.load|dill\.load)\(")
for base, _, files in os.walk(PROJECT):
    if "/build" in base or "/.git" in base:
        continue
    for name in files:
        if not name.endswith(".py"):
            continue
        path = os.path.join(base, name)
        relative = os.path.relpath(path, PROJECT)
        if relative.startswith("tests/") or any(relative.startswith(a) for a in ALLOWED):
            continue
        for number, line in enumerate(open(path, encoding="utf-8"), 1):
            code = line.split("#", 1)[0]
            if pattern.search(code) and '"' not in code.split("(")[0]:
                failures.append(f"{relative}:{number} unpickles: {line.strip()}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("safe checkpoint loading: all checks passed")
