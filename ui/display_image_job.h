#pragma once

#include "forgelens/image/decoded_image.h"

#include <QImage>
#include <QObject>
#include <QRunnable>

namespace forgelens {

// Makes what the image view paints from decoded pixels, off the UI thread: the full-resolution
// QImage (sharing the pixels) and a preview at most kPreviewSide pixels on its long side,
// smoothly downscaled, so a 50-megapixel photograph is never scaled on the UI thread.
class DisplayImageJob : public QObject, public QRunnable {
    Q_OBJECT
public:
    static constexpr int kPreviewSide = 2048;

    DisplayImageJob(quint64 requestId, DecodedImage image);
    void run() override;

Q_SIGNALS:
    void ready(quint64 requestId, QImage image, QImage preview, bool truncated);

private:
    const quint64 m_requestId;
    const DecodedImage m_image;
};

} // namespace forgelens
