#pragma once

namespace forgelens {

// Once per process, before any thread uses Exiv2: mutes Exiv2's stderr warnings (malformed
// metadata is reported as error values instead) and initialises its XMP toolkit, which is not
// thread-safe to initialise lazily.
void initialiseExiv2();

} // namespace forgelens
