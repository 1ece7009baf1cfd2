#pragma once

#include <QStringList>

namespace forgelens {

void collectExiv2Message(int level, const char *message);

// Once per process, before any thread uses Exiv2: routes Exiv2's warnings and errors (which it
// prints on stderr and otherwise ignores) to the collector below, and initialises its XMP
// toolkit, which is not thread-safe to initialise lazily.
void initialiseExiv2();

// While alive, collects the warnings and errors Exiv2 logs on this thread (a directory read
// twice, a value past the end, ...): malformed metadata that Exiv2 reads around without
// throwing. Outside its lifetime they are dropped.
class Exiv2LogCollector {
public:
    Exiv2LogCollector();
    ~Exiv2LogCollector();
    Exiv2LogCollector(const Exiv2LogCollector &) = delete;
    Exiv2LogCollector &operator=(const Exiv2LogCollector &) = delete;

    const QStringList &messages() const { return m_messages; }

private:
    friend void collectExiv2Message(int level, const char *message);
    QStringList m_messages;
    Exiv2LogCollector *m_previous;
};

} // namespace forgelens
