#include "exiv2_setup.h"

#include <exiv2/exiv2.hpp>

#include <mutex>

namespace forgelens {
namespace {

thread_local Exiv2LogCollector *t_collector = nullptr;

// Exiv2's XMP toolkit registers namespaces (read from the file) in global tables: with several
// threads reading metadata, it must be told how to lock them.
void lockXmpToolkit(void *, bool lock)
{
    static std::mutex mutex;
    if (lock)
        mutex.lock();
    else
        mutex.unlock();
}

} // namespace

void collectExiv2Message(int, const char *message)
{
    if (!t_collector || !message || t_collector->m_messages.size() >= 100)
        return;
    // Called from Exiv2's LogMsg destructor, which must not throw.
    try {
        t_collector->m_messages.append(QString::fromUtf8(message).trimmed());
    } catch (...) {
    }
}

Exiv2LogCollector::Exiv2LogCollector() : m_previous(t_collector)
{
    t_collector = this;
}

Exiv2LogCollector::~Exiv2LogCollector()
{
    t_collector = m_previous;
}

void initialiseExiv2()
{
    static std::once_flag once;
    std::call_once(once, [] {
        Exiv2::LogMsg::setLevel(Exiv2::LogMsg::warn);
        Exiv2::LogMsg::setHandler(&collectExiv2Message);
        Exiv2::XmpParser::initialize(&lockXmpToolkit, nullptr);
        // ISO-BMFF (HEIF, AVIF, JPEG XL's container, CR3) is off in Exiv2 0.27 unless asked for:
        // without it, a phone's HEIC has no EXIF or XMP at all as far as Exiv2 is concerned.
        Exiv2::enableBMFF(true);
    });
}

} // namespace forgelens
