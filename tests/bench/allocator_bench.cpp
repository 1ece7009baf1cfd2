// Measures what the allocator setting of tuneAllocatorForInference() is worth on a convolution
// workload like a detector's (full-resolution feature maps of tens of MiB, allocated and freed
// per operator). Not a test: `make bench` runs it under each allocator and prints ms/forward.
//
// usage: forgelens-allocator-bench [ITERATIONS] [SIZE]
//   FORGELENS_MALLOC_TUNING=0 leaves glibc's defaults; LD_PRELOAD a jemalloc to compare.
#include "forgelens/inference/allocator_tuning.h"
#include "forgelens/inference/usable_cores.h"

#include <ATen/Parallel.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace {

// Peak resident memory of this process, in MiB (VmHWM).
long peakResidentMiB()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0)
            return std::atol(line.c_str() + 6) / 1024;
    }
    return -1;
}

} // namespace

int main(int argc, char **argv)
{
    const bool tuned = forgelens::tuneAllocatorForInference();
    const int iterations = argc > 1 ? std::atoi(argv[1]) : 10;
    const int64_t size = argc > 2 ? std::atoll(argv[2]) : 384;

    // Four 3x3 convolutions without early downsampling, as Dataset Alignment's "res50nodown"
    // and the NPR-style detectors keep full resolution: [1, 64, S, S] float maps.
    torch::manual_seed(0);
    torch::jit::Module module("ConvWorkload");
    module.register_buffer("w1", torch::randn({ 64, 3, 3, 3 }) * 0.1);
    module.register_buffer("w2", torch::randn({ 64, 64, 3, 3 }) * 0.05);
    module.register_buffer("w3", torch::randn({ 64, 64, 3, 3 }) * 0.05);
    module.register_buffer("w4", torch::randn({ 128, 64, 3, 3 }) * 0.05);
    module.define(R"JIT(
def forward(self, x):
    x = torch.relu(torch.conv2d(x, self.w1, None, [1, 1], [1, 1]))
    x = torch.relu(torch.conv2d(x, self.w2, None, [1, 1], [1, 1]))
    x = torch.relu(torch.conv2d(x, self.w3, None, [1, 1], [1, 1]))
    x = torch.relu(torch.conv2d(x, self.w4, None, [2, 2], [1, 1]))
    return torch.mean(x, [2, 3])
)JIT");
    const at::Tensor input = torch::randn({ 1, 3, size, size });

    // The app runs models on a worker thread (InferenceWorker), whose allocations come from a
    // glibc arena other than the main one: measure there.
    double millis = 0.0;
    int threads = 0;
    std::thread worker([&] {
        at::set_num_threads(forgelens::usableCoreCount());
        threads = at::get_num_threads();
        torch::NoGradGuard noGrad;
        module.forward({ input }); // warm-up
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < iterations; ++i)
            module.forward({ input });
        millis = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count()
            / iterations;
    });
    worker.join();
    const char *preload = std::getenv("LD_PRELOAD");
    std::printf("allocator=%-22s size=%lld threads=%d  %8.1f ms/forward  peak RSS %ld MiB\n",
        preload && *preload ? "LD_PRELOAD" : (tuned ? "glibc tuned" : "glibc default"),
        static_cast<long long>(size), threads, millis, peakResidentMiB());
    return 0;
}
