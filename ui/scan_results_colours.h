#pragma once

#include <QIdentityProxyModel>

namespace forgelens {

// The results table as the view shows it: ScanResultsModel's cells, with those it flags
// (ScanResultsModel::AlertRole: an error status, a synthetic verdict) in red.
class ScanResultsColours : public QIdentityProxyModel {
    Q_OBJECT
public:
    using QIdentityProxyModel::QIdentityProxyModel;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
};

} // namespace forgelens
