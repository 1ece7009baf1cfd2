#!/usr/bin/python3
"""The way the seed repositories scan a folder, for `make bench` to compare ForgeLens with.

PIL decodes, torchvision transforms resize (shorter side 256), crop (224) and normalise, a
DataLoader (batch 64, 2 worker processes) feeds the same TorchScript bundle that ForgeLens
runs, and one CSV line per file is written. No hashing and no metadata: it does less than a
ForgeLens scan does.

usage: python_reference_scan.py BUNDLE FOLDER OUTPUT.csv [THREADS] [--draft]
  THREADS: torch.set_num_threads() in the main process. Left out (or 0), the interpreter's
  default stays: Debian's torch starts with 1 thread, where a pip-installed PyTorch takes the
  cores.
  --draft: PIL's JPEG draft mode, libjpeg's DCT scaling, asked for at least four times the
  resize's shorter side (1024), the same margin as ForgeLens's reduced decode: what a Python
  pipeline tuned for speed would do.
"""
import csv
import os
import sys
import time

import torch
import torchvision.transforms as T
from PIL import Image

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif")


class FolderDataset(torch.utils.data.Dataset):
    def __init__(self, root, draft):
        self.draft = draft
        self.paths = sorted(
            os.path.join(folder, name)
            for folder, _, names in os.walk(root)
            for name in names
            if name.lower().endswith(IMAGE_EXTENSIONS))
        self.transform = T.Compose([
            T.Resize(256),
            T.CenterCrop(224),
            T.ToTensor(),
            T.Normalize(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)),
        ])

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, index):
        path = self.paths[index]
        with Image.open(path) as image:
            if self.draft:
                # The largest reduction that keeps both sides at least 1024 (4 x 256).
                image.draft("RGB", (1024, 1024))
            return self.transform(image.convert("RGB")), path


def main():
    arguments = [a for a in sys.argv[1:] if a != "--draft"]
    draft = "--draft" in sys.argv[1:]
    bundle, root, output = arguments[:3]
    if len(arguments) > 3 and int(arguments[3]) > 0:
        torch.set_num_threads(int(arguments[3]))
    model = torch.jit.load(bundle).eval()
    loader = torch.utils.data.DataLoader(FolderDataset(root, draft), batch_size=64, num_workers=2)
    started = time.perf_counter()
    count = 0
    with open(output, "w", newline="") as out, torch.no_grad():
        writer = csv.writer(out)
        writer.writerow(["path", "p_synthetic"])
        for batch, paths in loader:
            probabilities = torch.sigmoid(model(batch)["logits"][:, 0])
            for path, p in zip(paths, probabilities.tolist()):
                writer.writerow([os.path.relpath(path, root), f"{p:.6f}"])
            count += len(paths)
    seconds = time.perf_counter() - started
    print(f"python reference: {count} files in {seconds:.2f} s")
    print(f"rate {count / seconds:.3f}")


if __name__ == "__main__":
    main()
