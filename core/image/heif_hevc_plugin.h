#pragma once

namespace forgelens {

// Registers, once per process, a libheif decoder plugin for HEVC items that runs libde265 on
// the calling thread. libheif's own libde265 plugin starts a worker thread for every image,
// which the sandbox's filter forbids (a decoding worker must never start a thread); this one
// takes precedence over it. Also initialises libheif.
void registerSingleThreadHevcDecoder();

} // namespace forgelens
