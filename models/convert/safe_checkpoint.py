"""torch.load for files downloaded from elsewhere, without running code they might carry.

A pickle runs code only through the callables it imports: GLOBAL, STACK_GLOBAL, INST and OBJ all
go through Unpickler.find_class. The restricted unpickler here allows only the containers and
tensor-rebuilding helpers a state_dict needs, so every opcode is covered, whatever protocol the
file uses (an opcode-by-opcode inspection missed protocol 0's INST). Storages are read from the
archive by this module itself. Whether this torch has
`weights_only` is read from torch.load's signature, never inferred from a TypeError, which a
crafted file can raise itself."""

import inspect
import io
import pickle
import zipfile

import torch

# What a torch.save'd state_dict, an EMA state or a plain checkpoint refers to. torch.load
# handles the storage classes itself (they never reach find_class).
ALLOWED_GLOBALS = {
    ("collections", "OrderedDict"),
    ("torch._utils", "_rebuild_tensor"),
    ("torch._utils", "_rebuild_tensor_v2"),
    ("torch._utils", "_rebuild_parameter"),
    ("torch", "Size"),
    ("torch", "device"),
}


# Storage classes a state_dict's tensors are saved with; each only names a dtype here.
STORAGE_TYPES = {"FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage", "LongStorage",
                 "IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage"}


class RefusedGlobal(pickle.UnpicklingError):
    """The file imports something a weights file never needs."""


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in ALLOWED_GLOBALS:
            return super().find_class(module, name)
        if module == "torch" and name in STORAGE_TYPES:
            return getattr(torch, name)
        raise RefusedGlobal(f"it imports {module}.{name}, which a weights file never needs")


def has_weights_only():
    return "weights_only" in inspect.signature(torch.load).parameters


def load_restricted(path):
    """Reads a torch.save zip archive onto the CPU with the restricted unpickler. torch.load is
    not used: torch 1.13 ignores its pickle_module argument unless weights_only, and its
    weights_only mode cannot read every plain number. Raises RefusedGlobal for a file that
    imports anything else, pickle.UnpicklingError for one that is not such an archive."""
    if not zipfile.is_zipfile(path):
        raise pickle.UnpicklingError(f"{path} is not a torch.save zip archive (the legacy format "
                                     "is read only with --trust-pickle)")
    with zipfile.ZipFile(path) as archive:
        pickles = [n for n in archive.namelist() if n == "data.pkl" or n.endswith("/data.pkl")]
        if len(pickles) != 1:
            raise pickle.UnpicklingError(f"{path} has {len(pickles)} data.pkl entries, not one")
        prefix = pickles[0][: -len("data.pkl")]
        storages = {}

        def persistent_load(saved_id):
            if not isinstance(saved_id, tuple) or len(saved_id) != 5 or saved_id[0] != "storage":
                raise pickle.UnpicklingError("unexpected persistent id")
            _, storage_type, key, _, _ = saved_id
            if getattr(torch, getattr(storage_type, "__name__", ""), None) is not storage_type \
                    or storage_type.__name__ not in STORAGE_TYPES:
                raise pickle.UnpicklingError("unexpected storage type")
            if key not in storages:
                raw = bytearray(archive.read(f"{prefix}data/{key}"))
                dtype = storage_type(0).dtype
                storages[key] = torch.frombuffer(raw, dtype=dtype).storage() if raw \
                    else storage_type(0)
            return storages[key]

        unpickler = _RestrictedUnpickler(io.BytesIO(archive.read(pickles[0])), encoding="utf-8")
        unpickler.persistent_load = persistent_load
        return unpickler.load()


def load_trusted(path):
    """Unpickles in full: only for a file the user said they trust (--trust-pickle)."""
    kwargs = {"weights_only": False} if has_weights_only() else {}
    return torch.load(path, map_location="cpu", **kwargs)


def load_checkpoint(path, trust_pickle, fail, hint=""):
    """The restricted load; with trust_pickle, a full one. `fail(message)` is called (and must
    not return) when the file is refused; `hint` is appended to that message."""
    if trust_pickle:
        return load_trusted(path)
    try:
        return load_restricted(path)
    except RefusedGlobal as error:
        fail("%s holds more than plain tensors and numbers: %s. Unpickling it in full can run "
             "code stored in the file: if you trust where it came from, add --trust-pickle.%s"
             % (path, error, hint))
