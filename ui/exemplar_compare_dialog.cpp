#include "exemplar_compare_dialog.h"

#include "forgelens/report/display_text.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace forgelens {

QImage exemplarThumbnail(const Exemplar &exemplar)
{
    if (exemplar.thumbWidth <= 0 || exemplar.thumbHeight <= 0
        || exemplar.thumbnailRgb.size()
            != qsizetype(exemplar.thumbWidth) * exemplar.thumbHeight * 3)
        return {};
    return QImage(reinterpret_cast<const uchar *>(exemplar.thumbnailRgb.constData()),
        exemplar.thumbWidth, exemplar.thumbHeight, exemplar.thumbWidth * 3, QImage::Format_RGB888)
        .copy();
}

ExemplarCompareDialog::ExemplarCompareDialog(const QImage &evidence, const QString &evidenceName,
    const QString &detectorId, const ExemplarNeighbour &neighbour, QWidget *parent)
    : QDialog(parent)
{
    const Exemplar &e = neighbour.exemplar;
    setObjectName(QStringLiteral("exemplarCompare"));
    setWindowTitle(tr("Exemplar %1 of %2 beside the evidence")
                       .arg(neighbour.rank)
                       .arg(displayText(detectorId)));
    constexpr int kHeight = 360;
    const auto picture = [this](const QImage &image, const QString &caption) {
        auto *box = new QVBoxLayout;
        auto *label = new QLabel(this);
        if (image.isNull())
            label->setText(tr("(no picture)"));
        else
            label->setPixmap(QPixmap::fromImage(image.scaledToHeight(kHeight,
                image.height() < kHeight / 2 ? Qt::FastTransformation : Qt::SmoothTransformation)));
        label->setAlignment(Qt::AlignCenter);
        auto *text = new QLabel(caption, this);
        text->setTextFormat(Qt::PlainText);
        text->setWordWrap(true);
        text->setAlignment(Qt::AlignHCenter);
        box->addWidget(label, 1);
        box->addWidget(text);
        return box;
    };
    const QImage thumbnail = exemplarThumbnail(e);
    auto *pictures = new QHBoxLayout;
    pictures->addLayout(picture(evidence, tr("Evidence: %1").arg(displayText(evidenceName))));
    pictures->addLayout(picture(thumbnail,
        tr("Exemplar (the bank's %1 × %2 thumbnail of a %3 × %4 image)")
            .arg(e.thumbWidth)
            .arg(e.thumbHeight)
            .arg(e.width)
            .arg(e.height)));

    const auto orUnknown = [this](const QString &text) {
        return text.isEmpty() ? tr("not stated") : displayText(text);
    };
    auto *details = new QLabel(this);
    details->setObjectName(QStringLiteral("exemplarDetails"));
    details->setTextFormat(Qt::PlainText);
    details->setWordWrap(true);
    details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    details->setText(tr("Rank %1, cosine similarity %2 in %3's embedding space\n"
                        "Label: %4    Generator: %5\nSource: %6\nLicence: %7\nAttribution: %8\n"
                        "Path in the bank: %9\nSHA-256: %10")
                         .arg(neighbour.rank)
                         .arg(double(neighbour.similarity), 0, 'f', 4)
                         .arg(displayText(detectorId), displayText(e.label), orUnknown(e.generator),
                             orUnknown(e.source), orUnknown(e.licence), orUnknown(e.attribution),
                             displayText(e.path), e.sha256));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(pictures, 1);
    layout->addWidget(details);
    layout->addWidget(buttons);
}

} // namespace forgelens
