#include "exiv2_setup.h"

#include <exiv2/exiv2.hpp>

#include <mutex>

namespace forgelens {
namespace {

thread_local Exiv2LogCollector *t_collector = nullptr;

} // namespace

void collectExiv2Message(int, const char *message)
{
    if (!t_collector || !message || t_collector->m_messages.size() >= 100)
        return;
    t_collector->m_messages.append(QString::fromUtf8(message).trimmed());
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
        Exiv2::XmpParser::initialize();
    });
}

} // namespace forgelens
