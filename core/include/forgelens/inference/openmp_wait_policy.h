#pragma once

namespace forgelens {

// LibTorch's CPU operators run on OpenMP (libgomp), whose idle threads spin for a while before
// they sleep. A scan runs decode threads beside the model's operator threads on the same cores,
// and the spinning takes cycles from decoding: `OMP_WAIT_POLICY=PASSIVE` made a scan 19 %
// faster on 2 cores (README.md, "Scanning a folder"). libgomp reads the variable once, when it
// is loaded, before main() runs, so the only way to set it for this process is to set it and
// execute the program again. Call first thing in main(); returns only when the variable was
// already set (by the user, or by the first execution) or when the exec failed.
void reexecWithPassiveOpenMpWaits(char **argv);

} // namespace forgelens
