#!/usr/bin/env bash
# Installs everything ForgeLens needs to build and test on Debian 12 (bookworm), from Debian's
# own packages only. Idempotent: when every package is already installed it does nothing.
# `make run` and `make test` call it first.
set -euo pipefail

packages=(
  # toolchain
  cmake g++ make pkgconf
  # libraries
  qt6-base-dev qt6-tools-dev qt6-l10n-tools qt6-svg-dev
  libtorch-dev libopencv-dev libexiv2-dev libqcustomplot-dev zlib1g-dev libseccomp-dev
  libsqlite3-dev libfaiss-dev libssl-dev libjpeg62-turbo-dev
  # image formats beyond OpenCV's: HEIF/HEIC, AVIF, JPEG XL, camera RAW
  libheif-dev libde265-dev libavif-dev libjxl-dev libraw-dev libbrotli-dev
  # headless GUI and PDF checks in tests
  xvfb poppler-utils qpdf
  # the tests' fixtures in every format, written with each format's own encoder, and exiftool
  # to check the fixtures written from our own reading of a format
  libheif-examples libavif-bin libjxl-tools libopenjp2-tools libimage-exiftool-perl
  # the fonts every PDF report embeds
  fonts-dejavu-core
  # the fuzzing harnesses (libFuzzer, ASan, UBSan), built and smoke-run by `make test`
  clang libclang-rt-14-dev
  # `make bench` (the Python reference scan, its images and model) and `make test` (the seed
  # converters' parity tests: stand-in checkpoints, sklearn heads, reference forwards)
  python3-torch python3-torchvision python3-pil python3-numpy python3-sklearn
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo=(sudo)
fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}"
