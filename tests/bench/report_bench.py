#!/usr/bin/python3
"""Forensic report benchmark (`make bench`): how long `forgelens-cli report` takes and how large
its PDF is, for

  1. one 12-megapixel JPEG analysed by two detectors (the reference detector with its exemplar
     bank, and the bench's ResNet-18 stand-in) with their maps, reported to PDF and JSON;
  2. the summary of a 2,000-file folder scan (counts, histograms, the flagged files with 24
     pictures each) from its CSV.

Each is run three times; the median and the range are printed, with the machine they came
from. The images are the bench's own (scan_bench.py generates them into BUILD/bench-data).

usage: report_bench.py BUILD_DIR
"""
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))


def machine():
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {len(os.sched_getaffinity(0))} usable cores"


def timed(command):
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.monotonic() - start
    if done.returncode != 0:
        sys.exit(f"report_bench: {' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return seconds


def pages(pdf):
    out = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return -1


def report_runs(label, command, pdf):
    times = []
    for _ in range(3):
        if os.path.exists(pdf):
            os.remove(pdf)
        times.append(timed(command))
    size = os.path.getsize(pdf)
    print(f"{label}: median {statistics.median(times):.2f} s (range {min(times):.2f}-{max(times):.2f} s, "
          f"3 runs); PDF {size / 1e6:.2f} MB, {pages(pdf)} pages")
    return {"median_s": statistics.median(times), "runs_s": times, "pdf_bytes": size, "pages": pages(pdf)}


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
    cli = os.path.join(build, "app", "forgelens-cli")
    data = os.path.join(build, "bench-data")
    image = os.path.join(data, "images", "large", "large-00000.jpg")
    small = os.path.join(data, "images", "small")
    resnet = os.path.join(data, "bench-resnet18.pt")
    reference = os.path.join(ROOT, "models", "reference", "reference.pt")
    bank = os.path.join(ROOT, "models", "reference", "reference.bank.sqlite")
    for needed in (cli, image, small, resnet):
        if not os.path.exists(needed):
            sys.exit(f"report_bench: {needed} is missing; run scan_bench.py first (make bench does)")
    print(f"report bench on {machine()}")
    work = tempfile.mkdtemp(prefix="forgelens-report-bench-")
    try:
        results = {"machine": machine()}
        pdf = os.path.join(work, "one.pdf")
        results["one_image"] = report_runs(
            "report of one 12 MP JPEG, 2 detectors with maps and exemplars",
            [cli, "report", image, "--model", reference, "--model", resnet, "--bank", bank,
             "-o", pdf, "--json", os.path.join(work, "one.json")], pdf)
        csv = os.path.join(work, "scan.csv")
        timed([cli, "scan", small, "--model", reference, "-o", csv, "--progress", "none"])
        pdf = os.path.join(work, "summary.pdf")
        results["scan_summary"] = report_runs(
            "summary report of a 2,000-file scan (24 pictures of flagged files)",
            [cli, "report", "--scan", csv, "-o", pdf, "--json", os.path.join(work, "summary.json")],
            pdf)
        print(json.dumps(results))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
