"""torch.load for files downloaded from elsewhere, without running code they might carry."""

import torch


def load_checkpoint(path, trust_pickle, fail, hint=""):
    """torch.load with the restricted unpickler (tensors, dicts, lists, numbers only), so a
    downloaded file cannot run code. torch 1.13's cannot read every plain number that way (an
    optimizer's float settings); then, and for pickled modules, the file is unpickled in full
    only with trust_pickle. `fail(message)` is called (and must not return) when the file is
    refused; `hint` is appended to that message."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # torch < 1.13 has no weights_only and unpickles in full anyway
        return torch.load(path, map_location="cpu")
    except Exception as error:
        if "Weights only load failed" not in str(error):
            raise  # not a pickle the safe loader refused: a damaged or foreign file
        if not trust_pickle:
            fail("%s holds more than plain tensors and numbers, or this torch's safe loader "
                 "cannot read it (%s). Unpickling it in full can run code stored in the file: "
                 "if you trust where it came from, add --trust-pickle.%s"
                 % (path, str(error).split("WeightsUnpickler error:")[-1].strip()[:200], hint))
    # Explicit: torch >= 2.6 would otherwise use the safe loader again.
    return torch.load(path, map_location="cpu", weights_only=False)
