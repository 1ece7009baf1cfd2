# Two commands do all set-up on a fresh Debian 12 machine: `make run` and `make test`.
BUILD_DIR := build
JOBS ?= 2

.PHONY: all deps configure build test run bench fuzz sanitize clean format

all: build

deps:
	@packaging/install-deps.sh

configure: deps
	@cmake --preset default >/dev/null

build: configure
	cmake --build $(BUILD_DIR) -j$(JOBS)

# Every test, headless (Qt's offscreen platform), through ctest.
test: build
	cd $(BUILD_DIR) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j$(JOBS)

# Opens the GUI on the bundled sample photograph with the project's own reference detector
# (models/reference/: read its model card).
run: build
	$(BUILD_DIR)/app/forgelens --model models/reference/reference.pt resources/samples/chelsea.png

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)

# libFuzzer harnesses for every parser of untrusted bytes (tests/fuzz/), clang with ASan and
# UBSan, each run for FUZZ_SECONDS on a corpus kept in build/fuzz/corpus; prints executions,
# executions per second and edges per harness. `make test` runs a short smoke run of each.
FUZZ_SECONDS ?= 600
fuzz: deps
	tests/fuzz/run_fuzzers.sh $(BUILD_DIR)/fuzz $(FUZZ_SECONDS)

# The whole project built with AddressSanitizer and UndefinedBehaviorSanitizer (build-sanitize/),
# then every test suite under them, the hostile inputs the tests generate included (the fuzzers
# have their own instrumented build: `make fuzz`). Leaks are not reported: LibTorch, Qt and Exiv2
# keep process-lifetime allocations that LeakSanitizer would list at every exit.
sanitize: deps
	cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFORGELENS_SANITIZE=ON >/dev/null
	cmake --build build-sanitize -j$(JOBS)
	cd build-sanitize && QT_QPA_PLATFORM=offscreen \
	  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j$(JOBS) -E fuzz_smoke

# Benchmarks (never part of `make test`): the allocator setting on a full-resolution convolution
# workload, glibc's defaults against tuneAllocatorForInference(), at 224 and 512 pixels; then
# the batch scan (tests/bench/scan_bench.py: the machine and library versions, stage rates, one
# 12-megapixel JPEG's profile, three interleaved rounds of the scan and the Python reference with
# medians and ranges, the bank build and the evaluation against the scan, peak memory at 1,000
# and 10,000 files). Its images are generated once into build/bench-data. Then the change of P
# a reduced JPEG decode makes, per bundle (tests/bench/reduced_decode_table.py; the seed
# stand-ins come from `make test`).
# Then the forensic report (tests/bench/report_bench.py): one 12-megapixel image with two
# detectors, maps and exemplars, and a 2,000-file scan's summary, time and PDF size. Then the
# decode time of a 12-megapixel image in each format against its JPEG (tests/bench/format_bench.py).
# Last, the window's UI-thread stalls while it analyses a 50-megapixel photograph with two
# detectors, and its open-to-verdict time read in-process and through the sandbox, in one run
# (tests/bench/gui_latency_bench.cpp); then its folder scan against the CLI's on the 2,000 small
# images, its UI-thread stalls meanwhile, and sorting and filtering 100,000 rows
# (tests/bench/gui_scan_bench.cpp).
bench: build
	FORGELENS_MALLOC_TUNING=0 $(BUILD_DIR)/tests/forgelens-allocator-bench 5 224
	$(BUILD_DIR)/tests/forgelens-allocator-bench 5 224
	FORGELENS_MALLOC_TUNING=0 $(BUILD_DIR)/tests/forgelens-allocator-bench 5 512
	$(BUILD_DIR)/tests/forgelens-allocator-bench 5 512
	/usr/bin/python3 tests/bench/scan_bench.py $(BUILD_DIR)
	/usr/bin/python3 tests/bench/reduced_decode_table.py $(BUILD_DIR)
	/usr/bin/python3 tests/bench/report_bench.py $(BUILD_DIR)
	/usr/bin/python3 tests/bench/format_bench.py $(BUILD_DIR)
	$(BUILD_DIR)/tests/forgelens-bank-search-bench
	$(BUILD_DIR)/tests/forgelens-map-bench models/reference/reference.pt
	QT_QPA_PLATFORM=offscreen $(BUILD_DIR)/tests/forgelens-gui-latency-bench models/reference/reference.pt $(BUILD_DIR)/bench-data
	QT_QPA_PLATFORM=offscreen $(BUILD_DIR)/tests/forgelens-gui-scan-bench $(BUILD_DIR)/bench-data/bench-resnet18.pt $(BUILD_DIR)/bench-data/images/small $(BUILD_DIR)/bench-data/gui-scan
