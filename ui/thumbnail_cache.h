#pragma once

#include <QCache>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QString>
#include <QThreadPool>

#include <atomic>
#include <deque>
#include <memory>

namespace forgelens {

class DecoderPool;

// Small pictures of evidence files for the results table, made on demand: only for rows the
// view shows, on one background thread, the most recently asked first, read and decoded the way
// analyses read (through the sandbox when it is on: a thumbnail is a decode of hostile input
// like any other). At most kPending requests wait (scrolling past 10,000 rows leaves only the
// last ones) and kCached pictures are kept.
class ThumbnailCache : public QObject {
    Q_OBJECT
public:
    static constexpr int kEdge = 48; // pixels, the longer side
    static constexpr int kPending = 64;
    static constexpr int kCached = 2000;

    explicit ThumbnailCache(QObject *parent = nullptr);
    ~ThumbnailCache() override;

    void setDecoderPool(std::shared_ptr<DecoderPool> pool) { m_pool = std::move(pool); }
    // The picture when it is made; else a null image, and it is asked for. A file that could
    // not be decoded gets a null image too, and is not asked for again.
    QImage thumbnail(const QString &absolutePath);
    void clear();

Q_SIGNALS:
    void ready(const QString &absolutePath);

private:
    void startNext();
    void finished(const QString &path, const QImage &image);

    std::shared_ptr<DecoderPool> m_pool;
    // Set when the cache goes: a read in flight gives up rather than hold the window open.
    std::shared_ptr<std::atomic_bool> m_stop = std::make_shared<std::atomic_bool>(false);
    QCache<QString, QImage> m_cache;
    QSet<QString> m_failed;
    std::deque<QString> m_pending; // newest at the back
    QSet<QString> m_queued;
    bool m_running = false;
    QThreadPool m_thread;
};

} // namespace forgelens
