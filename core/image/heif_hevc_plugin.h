#pragma once

namespace forgelens {

// Registers, once per process, a libheif decoder plugin for HEVC items that runs libde265 on
// the calling thread. libheif's own libde265 plugin starts a worker thread for every image,
// which the sandbox's filter forbids (a decoding worker must never start a thread); this one
// takes precedence over it. AV1 items in a file without the avif brand (which libheif would
// give to dav1d, one thread per core) are refused as unsupported-format by a second plugin;
// AVIF files go to libavif. Also initialises libheif. False when libheif refused either.
bool registerSingleThreadHevcDecoder();

} // namespace forgelens
