#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/CMakeLists.txt, clang + ASan + UBSan) into BUILD and
# runs each for SECONDS on a corpus seeded from the test fixtures, then prints, per harness, the
# executions, executions per second and coverage (edges) libFuzzer reports. Exits 1 if any
# harness found a crash, a leak-free sanitizer report or a timeout; the input is kept under
# BUILD/crashes/ and becomes a regression test.
#   run_fuzzers.sh BUILD SECONDS [HARNESS…]   (make test: a short smoke run; make fuzz: a long
#                                              one; name harnesses to run only those)
# FUZZ_RUNS=N also stops each harness after N executions (e.g. 10000000), whichever comes first.
set -euo pipefail
build=$(realpath -m "$1")
seconds=$2
shift 2
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
  harnesses=(header_probe png_chunks jpeg_structure c2pa exif_orientation metadata_report manifest
             bundle_archive csv evidence_reading_codec jpeg_region_decode)
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

cmake -S "$here" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  >/dev/null
cmake --build "$build" -j"${JOBS:-2}" >/dev/null

seeds="$build/seeds"
mkdir -p "$seeds" "$build/crashes"
# Seeds: the project's own fixtures and bundles, and a few documents of each kind.
images="$seeds/images"
mkdir -p "$images"
cp -f "$root"/tests/fixtures/images/* "$images"/ 2>/dev/null || true
cp -f "$root"/resources/samples/* "$images"/ 2>/dev/null || true
mkdir -p "$seeds/manifest" "$seeds/bundle" "$seeds/csv" "$seeds/codec"
# A tiny bundle (a few kB: the reference detector's 1 MB would make each run slow) and the
# reference detector's manifest.
/usr/bin/python3 - "$root/models/reference/reference.pt" "$seeds" <<'PY'
import sys, zipfile, torch
archive = zipfile.ZipFile(sys.argv[1])
name = next(n for n in archive.namelist() if n.endswith("extra/forgelens/manifest.json"))
manifest = archive.read(name)
open(sys.argv[2] + "/manifest/reference.json", "wb").write(manifest)
class Tiny(torch.nn.Module):
    def forward(self, x):
        return {"logits": torch.mean(x, [1, 2, 3]).unsqueeze(1)}
# Traced, not scripted: scripting needs the class's source file, which a heredoc has not.
torch.jit.save(torch.jit.trace(Tiny(), torch.zeros(1, 3, 8, 8), strict=False),
               sys.argv[2] + "/bundle/tiny.pt",
               _extra_files={"forgelens/manifest.json": manifest})
PY
printf 'path,size,status\r\nphoto.jpg,12,ok\r\n"a,b",3,truncated\r\n' > "$seeds/csv/report.csv"
printf "'=cmd,'+1,''x\r\n\"multi\nline\",,\r\n" > "$seeds/csv/formulas.csv"

declare -A corpus=(
  [header_probe]=images [png_chunks]=images [jpeg_structure]=images [c2pa]=images
  [exif_orientation]=images [metadata_report]=images [manifest]=manifest
  [bundle_archive]=bundle [csv]=csv [evidence_reading_codec]=codec [jpeg_region_decode]=images)
declare -A dictionary=(
  [header_probe]=images [png_chunks]=png [jpeg_structure]=jpeg [c2pa]=c2pa
  [exif_orientation]=jpeg [metadata_report]=images [manifest]=json [bundle_archive]=zip
  [csv]=csv [evidence_reading_codec]= [jpeg_region_decode]=jpeg)

declare -A maxlen=([bundle_archive]=65536 [manifest]=65536 [csv]=65536)

failed=0
printf '%-24s %14s %10s %8s  %s\n' harness executions exec/s edges result
for harness in "${harnesses[@]}"; do
  work="$build/corpus/$harness"
  mkdir -p "$work"
  dict=()
  if [ -n "${dictionary[$harness]}" ]; then
    dict=(-dict="$here/dictionaries/${dictionary[$harness]}.dict")
  fi
  log="$build/$harness.log"
  status=ok
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/fuzz_$harness" "$work" "$seeds/${corpus[$harness]}" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -max_len="${maxlen[$harness]:-1048576}" \
    ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -print_final_stats=1 -artifact_prefix="$build/crashes/$harness-" >"$log" 2>&1 \
    || { status=FAILED; failed=1; }
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  edges=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  printf '%-24s %14s %10s %8s  %s\n' "$harness" "${executions:-?}" "${rate:-?}" "${edges:-?}" \
    "$status"
  if [ "$status" = FAILED ]; then
    grep -m5 -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" || tail -20 "$log"
  fi
done
exit $failed
