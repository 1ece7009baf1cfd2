#include "display_image_job.h"

#include "decoded_image_conversion.h"

namespace forgelens {

DisplayImageJob::DisplayImageJob(quint64 requestId, DecodedImage image)
    : m_requestId(requestId), m_image(std::move(image))
{
    setAutoDelete(true);
}

void DisplayImageJob::run()
{
    const QImage image = toQImage(m_image);
    QImage preview;
    if (image.width() > kPreviewSide || image.height() > kPreviewSide)
        preview = image.scaled(
            kPreviewSide, kPreviewSide, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    Q_EMIT ready(m_requestId, image, preview, m_image.truncated);
}

} // namespace forgelens
