#!/usr/bin/python3
"""The ΔP table of README and the model cards: what a reduced JPEG decode changes, per bundle.

For each bundle, forgelens-reduced-decode-delta decodes every JPEG of the photograph folder
whole and reduced (core/image/reduced_jpeg_decode.h), preprocesses both as the bundle's
manifest says, scores both, and reports the largest input difference and the largest change of
P. Files listed in ../shared/data/reserved-sha256.txt are skipped.

The photographs: the 34 camera photographs among the wallpapers of Debian's mate-backgrounds,
lxqt-themes, lomiri-wallpapers and plasma-workspace-wallpapers packages (installed with apt;
digital renders and illustrations left out by looking at each), at least 1024 pixels on the
shorter side, copied into BUILD/reduced-decode-photos/. Then ImageNet's 1,000 samples from
../shared/data (500 x 375 typically: too small to reduce for most bundles, which the table
shows).

Then the crop-only decode's check: for CoDE's stand-in, every JPEG of both folders decoded whole
and only around the crop must give the same input, element for element.

The bundles: the seed systems' stand-in bundles that `make test` writes (random weights laid
out as each release, BUILD/tests/parity-*), the reference detector, and `make bench`'s bundle.

usage: reduced_decode_table.py BUILD [SHARED]
"""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

PHOTOGRAPHS = [
    "/usr/share/backgrounds/Bridge_by_Sander_Klootwijk.jpg",
    "/usr/share/backgrounds/Dragonfly_by_Bolly.jpg",
    "/usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg",
    "/usr/share/backgrounds/Picture_0B_by_freespace.jpg",
    "/usr/share/backgrounds/Picture_1A_by_freespace.jpg",
    "/usr/share/backgrounds/Wine_by_Jakkub_Mede.jpg",
    "/usr/share/backgrounds/aitzgorri_by_Aitzol_Berasategi.jpg",
    "/usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg",
    "/usr/share/backgrounds/life_by_Aitzol_Berasategi.jpg",
    "/usr/share/backgrounds/mate/nature/Aqua.jpg",
    "/usr/share/backgrounds/mate/nature/Blinds.jpg",
    "/usr/share/backgrounds/mate/nature/Dune.jpg",
    "/usr/share/backgrounds/mate/nature/FreshFlower.jpg",
    "/usr/share/backgrounds/mate/nature/Garden.jpg",
    "/usr/share/backgrounds/mate/nature/GreenMeadow.jpg",
    "/usr/share/backgrounds/mate/nature/LadyBird.jpg",
    "/usr/share/backgrounds/mate/nature/RainDrops.jpg",
    "/usr/share/backgrounds/mate/nature/Storm.jpg",
    "/usr/share/backgrounds/mate/nature/TwoWings.jpg",
    "/usr/share/backgrounds/mate/nature/Wood.jpg",
    "/usr/share/backgrounds/mate/nature/YellowFlower.jpg",
    "/usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg",
    "/usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg",
    "/usr/share/backgrounds/sunset_by_Aitzol_Berasategi.jpg",
    "/usr/share/wallpapers/BytheWater/contents/images/1920x1080.jpg",
    "/usr/share/wallpapers/ColdRipple/contents/images/1920x1080.jpg",
    "/usr/share/wallpapers/ColorfulCups/contents/images/2560x1600.jpg",
    "/usr/share/wallpapers/DarkestHour/contents/images/1920x1080.jpg",
    "/usr/share/wallpapers/EveningGlow/contents/images/1920x1080.jpg",
    "/usr/share/wallpapers/FallenLeaf/contents/images/1920x1080.jpg",
    "/usr/share/wallpapers/Kite/contents/images/1920x1080.jpg",
    "/usr/share/wallpapers/OneStandsOut/contents/images/1920x1080.jpg",
    "/usr/share/wallpapers/Path/contents/images/1920x1080.jpg",
    "/usr/share/wallpapers/summer_1am/contents/images/1920x1080.jpg",
]
PACKAGES = "mate-backgrounds lxqt-themes lomiri-wallpapers plasma-workspace-wallpapers"


def photograph_folder(build):
    folder = os.path.join(build, "reduced-decode-photos")
    missing = [p for p in PHOTOGRAPHS if not os.path.exists(p)]
    if missing:
        sys.exit(f"{len(missing)} photographs are missing (e.g. {missing[0]}): "
                 f"apt-get install {PACKAGES}")
    os.makedirs(folder, exist_ok=True)
    for i, path in enumerate(PHOTOGRAPHS):
        target = os.path.join(folder, f"{i:02d}-{os.path.basename(path)}")
        if not os.path.exists(target):
            shutil.copyfile(path, target)
    return folder


def bundles(build):
    return [
        ("CoDE (stand-in, linear head)", os.path.join(build, "tests/parity-code/bundles/code-vit-tiny-linear.pt")),
        ("DeepFakeDefenders (stand-in, one expert per architecture)",
         os.path.join(build, "tests/parity-dfd/bundles/dfd-ensemble.pt")),
        ("Dataset Alignment (stand-in)", os.path.join(build, "tests/parity-aligned/bundles/aligned-res50nodown.pt")),
        ("DeepFeatureX (stand-in)", os.path.join(build, "tests/parity-dfx/bundles/dfx.pt")),
        ("reference detector", os.path.join(ROOT, "models/reference/reference.pt")),
        ("make bench's bundle (shorter side 256, crop 224)",
         os.path.join(build, "bench-data/bench-resnet18.pt")),
    ]


def main():
    build = os.path.abspath(sys.argv[1])
    shared = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "..", "shared"))
    reserved = os.path.join(shared, "data", "reserved-sha256.txt")
    tool = os.path.join(build, "tests", "forgelens-reduced-decode-delta")
    folders = [("34 photographs, 1280 x 1024 to 6028 x 3391", photograph_folder(build)),
               ("ImageNet samples", os.path.join(shared, "data", "imagenet-samples"))]
    print("| bundle | photographs | margin | compared (reduced 1/2, 1/4, 1/8) | max abs input "
          "difference | max abs ΔP | mean abs ΔP | P range |")
    print("|---|---|---|---|---|---|---|---|")
    for name, bundle in bundles(build):
        if not os.path.exists(bundle):
            print(f"| {name} | missing: {bundle} (run make test / make bench first) "
                  "| | | | | | |")
            continue
        # 4 is the margin the decoder uses (kReducedDecodeMargin); 2 shows why.
        for (label, folder), margin in ((f, m) for f in folders for m in (2, 4)):
            output = subprocess.run([tool, bundle, folder, reserved, "0", str(margin)],
                                    capture_output=True, text=True, check=True).stdout
            result = json.loads(output.strip().splitlines()[-1])
            if not result["reducible"]:
                print(f"| {name} | {label} | | never reduced: native-resolution crop or tiles "
                      "| 0 | 0 | 0 | |")
                break
            counts = result["by_reduction"]
            split = ", ".join(str(counts.get(k, 0)) for k in ("2", "4", "8"))
            print(f"| {name} | {label} | {margin} | {result['compared']} ({split}; "
                  f"{counts.get('1', 0)} too small; {result['skipped_reserved']} reserved skipped) "
                  f"| {result['max_abs_input_difference']:.4f} "
                  f"| {result['max_abs_delta_p']:.2e} | {result['mean_abs_delta_p']:.2e} "
                  f"| {result['p_lowest']:.3f}-{result['p_highest']:.3f} |", flush=True)

    # The crop-only decode (core/image/native_crop_region.h) is exact, not bounded: every
    # crop-only input must equal the whole decode's, element for element.
    stage_bench = os.path.join(build, "tests", "forgelens-scan-stage-bench")
    code = bundles(build)[0][1]
    if os.path.exists(code):
        print("\ncrop-only JPEG decode for CoDE's manifest (224 crop at native resolution):")
        for label, folder in folders:
            result = subprocess.run([stage_bench, "exact", code, folder], capture_output=True,
                                    text=True)
            print(f"  {label}: {result.stdout.strip().splitlines()[-1]}", flush=True)
            if result.returncode != 0:
                sys.exit("the crop-only decode changed an input")


if __name__ == "__main__":
    main()
