#pragma once

#include "forgelens/exemplars/attached_bank.h"

#include <QDialog>
#include <QImage>

namespace forgelens {

// One exemplar beside the evidence: the image under analysis and the exemplar's thumbnail at the
// same height, with everything the bank says about the exemplar (label, generator, similarity,
// source, licence and attribution, SHA-256, size). All of it is bank content, shown as plain
// text: a bank from elsewhere is hostile input.
class ExemplarCompareDialog : public QDialog {
    Q_OBJECT
public:
    ExemplarCompareDialog(const QImage &evidence, const QString &evidenceName,
        const QString &detectorId, const ExemplarNeighbour &neighbour, QWidget *parent = nullptr);
};

// The exemplar's thumbnail as an image (null when the bank holds none).
QImage exemplarThumbnail(const Exemplar &exemplar);

} // namespace forgelens
