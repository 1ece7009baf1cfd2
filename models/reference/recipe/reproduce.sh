#!/bin/sh
# Rebuilds the reference detector from nothing but its recipe: pool, patches, training,
# evaluation (the model card's tables), bundle. Usage: reproduce.sh POOL_DIR [MIRRORS_DIR]
# POOL_DIR must lie outside the repository; MIRRORS_DIR holds the git mirrors of the
# repositories in pool-manifest.jsonl (default /work/.mirror).
set -eu
pool=${1:?usage: reproduce.sh POOL_DIR [MIRRORS_DIR]}
mirrors=${2:-/work/.mirror}
cd "$(dirname "$0")"
py=/usr/bin/python3
$py build_pool.py --mirrors "$mirrors" --out "$pool/build"
$py make_training_patches.py --pool "$pool/build" --out "$pool/patches.npz" --patches 150000
$py train.py --patches "$pool/patches.npz" --out "$pool/reference-ckpt.pt" --steps 9000
$py evaluate.py --pool "$pool/build" --checkpoint "$pool/reference-ckpt.pt" \
    --out ../evaluation.json --card ../README.md
$py pool_summary.py --card ../README.md
$py export_bundle.py --checkpoint "$pool/reference-ckpt.pt" --evaluation ../evaluation.json \
    --out ../reference.pt
