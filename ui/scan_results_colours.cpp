#include "scan_results_colours.h"

#include "forgelens/session/scan_results_model.h"

#include <QBrush>
#include <QColor>

namespace forgelens {

QVariant ScanResultsColours::data(const QModelIndex &index, int role) const
{
    if (role == Qt::ForegroundRole
        && QIdentityProxyModel::data(index, ScanResultsModel::AlertRole).toBool())
        return QBrush(QColor(0xc0, 0x20, 0x20));
    return QIdentityProxyModel::data(index, role);
}

} // namespace forgelens
