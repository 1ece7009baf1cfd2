#include "thumbnail_cache.h"

#include "forgelens/sandbox/decoder_pool.h"
#include "forgelens/sandbox/evidence_reading.h"

#include <QFile>
#include <QPointer>

namespace forgelens {

ThumbnailCache::ThumbnailCache(QObject *parent) : QObject(parent), m_cache(kCached)
{
    m_thread.setMaxThreadCount(1);
}

ThumbnailCache::~ThumbnailCache()
{
    m_pending.clear();
    m_stop->store(true);
    m_thread.waitForDone();
}

QImage ThumbnailCache::thumbnail(const QString &absolutePath)
{
    if (absolutePath.isEmpty())
        return {};
    if (const QImage *image = m_cache.object(absolutePath))
        return *image;
    if (m_failed.contains(absolutePath))
        return {};
    if (!m_queued.contains(absolutePath)) {
        m_pending.push_back(absolutePath);
        m_queued.insert(absolutePath);
        while (m_pending.size() > size_t(kPending)) {
            m_queued.remove(m_pending.front());
            m_pending.pop_front();
        }
    }
    startNext();
    return {};
}

void ThumbnailCache::clear()
{
    m_cache.clear();
    m_failed.clear();
    m_pending.clear();
    m_queued.clear();
}

void ThumbnailCache::startNext()
{
    if (m_running || m_pending.empty())
        return;
    const QString path = m_pending.back();
    m_pending.pop_back();
    m_running = true;
    QPointer<ThumbnailCache> self(this);
    m_thread.start([self, path, pool = m_pool, stop = m_stop] {
        EvidenceReadRequest request;
        request.readMetadata = false;
        const QByteArray native = QFile::encodeName(path);
        const EvidenceReading reading = pool ? pool->read(path, native, request, stop.get())
                                             : readEvidence(path, native, request);
        QImage picture;
        if (reading.image && !reading.image->rgb.isEmpty()) {
            const DecodedImage &decoded = *reading.image;
            const QImage full(reinterpret_cast<const uchar *>(decoded.rgb.constData()),
                decoded.width, decoded.height, qsizetype(decoded.width) * 3, QImage::Format_RGB888);
            picture = full.scaled(kEdge, kEdge, Qt::KeepAspectRatio, Qt::SmoothTransformation);
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, path, picture] {
                if (self)
                    self->finished(path, picture);
            },
            Qt::QueuedConnection);
    });
}

void ThumbnailCache::finished(const QString &path, const QImage &image)
{
    m_running = false;
    m_queued.remove(path);
    if (image.isNull())
        m_failed.insert(path);
    else
        m_cache.insert(path, new QImage(image));
    Q_EMIT ready(path);
    startNext();
}

} // namespace forgelens
