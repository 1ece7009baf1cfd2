#!/usr/bin/python3
"""Trains ReferenceNet on the patches of make_training_patches.py.

Binary cross-entropy on the logit, AdamW, a cosine learning-rate schedule over --steps
batches, channels-last tensors (twice as fast as contiguous ones on Debian's CPU PyTorch).
Deterministic for a given seed and thread count. Writes a checkpoint {state_dict, meta}.
"""

import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from reference_net import ReferenceNet


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patches", required=True, help="NPZ from make_training_patches.py")
    parser.add_argument("--out", required=True, help="checkpoint to write")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = np.random.default_rng(args.seed)
    data = np.load(args.patches)
    patches, labels = data["patches"], data["labels"].astype(np.float32)
    count = len(labels)
    print(f"train: {count} patches, {int(labels.sum())} synthetic; {args.steps} steps of "
          f"{args.batch}", file=sys.stderr, flush=True)

    model = ReferenceNet().to(memory_format=torch.channels_last)
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    warmup = max(1, args.steps // 50)

    order = generator.permutation(count)
    cursor = 0
    started = time.time()
    running_loss, running_correct, seen = 0.0, 0.0, 0
    for step in range(args.steps):
        if cursor + args.batch > count:
            order = generator.permutation(count)
            cursor = 0
        index = np.sort(order[cursor:cursor + args.batch])
        cursor += args.batch
        # uint8 [B,S,S,3] -> float [B,3,S,S] in [0,1], channels-last in memory.
        x = torch.from_numpy(patches[index]).permute(0, 3, 1, 2).float().div_(255.0)
        x = x.contiguous(memory_format=torch.channels_last)
        y = torch.from_numpy(labels[index])

        scale = (step + 1) / warmup if step < warmup else \
            0.5 * (1.0 + math.cos(math.pi * (step - warmup) / max(1, args.steps - warmup)))
        for group in optimiser.param_groups:
            group["lr"] = args.lr * scale
        logits = model(x)["logits"].squeeze(1)
        loss = F.binary_cross_entropy_with_logits(logits, y)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()

        running_loss += float(loss) * len(y)
        running_correct += float(((logits > 0).float() == y).sum())
        seen += len(y)
        if (step + 1) % 100 == 0 or step + 1 == args.steps:
            elapsed = time.time() - started
            print(f"train: step {step + 1}/{args.steps} loss {running_loss / seen:.4f} "
                  f"patch accuracy {running_correct / seen:.3f} lr {args.lr * scale:.2e} "
                  f"{elapsed / 60:.1f} min", file=sys.stderr, flush=True)
            running_loss, running_correct, seen = 0.0, 0.0, 0
        if (step + 1) % 1000 == 0 or step + 1 == args.steps:
            state = {k: v.contiguous() for k, v in model.state_dict().items()}
            torch.save({"state_dict": state, "meta": dict(vars(args), steps_done=step + 1)},
                       args.out + ".partial")
            os.replace(args.out + ".partial", args.out)
    print(f"train: done in {(time.time() - started) / 60:.1f} min -> {args.out}")


if __name__ == "__main__":
    main()
