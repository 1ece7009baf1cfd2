#include "forgelens/session/scan_results_model.h"

#include "forgelens/report/display_text.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>

namespace forgelens {
namespace {

constexpr int kFixedAfterScores = 6; // Findings, Status, Size, Pixels, Format, Note

// NaN (not scored) sorts below every probability.
double numericKey(double value)
{
    return std::isnan(value) ? -1.0 : value;
}

int compareNumbers(double a, double b)
{
    return a < b ? -1 : (b < a ? 1 : 0);
}

} // namespace

ScanResultsModel::ScanResultsModel(QObject *parent) : QAbstractTableModel(parent)
{
}

QString ScanResultsModel::verdictOfLabel(const QString &label)
{
    // Label codes are the verdict, perhaps after a caveat prefix (`stand_in_synthetic`,
    // `experimental_not_flagged`, `untrained_inconclusive`).
    for (const QLatin1String verdict : { QLatin1String("not_flagged"),
             QLatin1String("inconclusive"), QLatin1String("synthetic") }) {
        if (label == verdict
            || (label.endsWith(verdict) && label.size() > verdict.size()
                && label[label.size() - verdict.size() - 1] == u'_'))
            return verdict;
    }
    return QString();
}

void ScanResultsModel::reset(
    const ScanReportColumns &columns, const QString &reportCsv, const QString &root)
{
    beginResetModel();
    m_columns = columns;
    m_reportCsv = reportCsv;
    m_root = root;
    m_rows.clear();
    m_visible.clear();
    m_triage = TriageMarks();
    m_filter = ScanResultsFilter();
    m_sortColumn = -1;
    m_sortOrder = Qt::AscendingOrder;
    endResetModel();
}

void ScanResultsModel::setTriage(TriageMarks marks)
{
    m_triage = std::move(marks);
    rebuildVisible();
}

void ScanResultsModel::appendRows(const QVector<ScanResultRow> &rows)
{
    std::vector<ScanResultRow> copy(rows.begin(), rows.end());
    appendRows(std::move(copy));
}

void ScanResultsModel::appendRows(std::vector<ScanResultRow> &&rows)
{
    if (rows.empty())
        return;
    const size_t first = m_rows.size();
    m_rows.reserve(first + rows.size());
    std::move(rows.begin(), rows.end(), std::back_inserter(m_rows));
    std::vector<int> added;
    for (size_t i = first; i < m_rows.size(); ++i) {
        if (passes(m_rows[i], i))
            added.push_back(int(i));
    }
    if (added.empty())
        return;
    const int start = int(m_visible.size());
    beginInsertRows({}, start, start + int(added.size()) - 1);
    m_visible.insert(m_visible.end(), added.begin(), added.end());
    endInsertRows();
    if (m_sortColumn < 0)
        return;
    // Keep the order: sort the newcomers and merge them in, O(n) for a batch.
    const std::vector<int> before = m_visible;
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const auto less = [this](int a, int b) { return lessThan(size_t(a), size_t(b)); };
    const auto middle = m_visible.begin() + start;
    std::sort(middle, m_visible.end(), less);
    std::inplace_merge(m_visible.begin(), middle, m_visible.end(), less);
    remapPersistent(before);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

int ScanResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_visible.size());
}

int ScanResultsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 2 + 2 * int(m_columns.detectorIds.size()) + kFixedAfterScores;
}

const ScanResultRow *ScanResultsModel::rowAt(int visibleRow) const
{
    if (visibleRow < 0 || visibleRow >= int(m_visible.size()))
        return nullptr;
    return &m_rows[size_t(m_visible[size_t(visibleRow)])];
}

QString ScanResultsModel::absolutePath(int visibleRow) const
{
    const ScanResultRow *row = rowAt(visibleRow);
    if (!row || m_root.isEmpty())
        return QString();
    return m_root + u'/' + row->path;
}

int ScanResultsModel::visibleRowOf(const QString &path) const
{
    for (size_t i = 0; i < m_visible.size(); ++i) {
        if (m_rows[size_t(m_visible[i])].path == path)
            return int(i);
    }
    return -1;
}

const TriageEntry *ScanResultsModel::triage(int visibleRow) const
{
    const ScanResultRow *row = rowAt(visibleRow);
    return row ? m_triage.find(row->path) : nullptr;
}

QVariant ScanResultsModel::data(const QModelIndex &index, int role) const
{
    const ScanResultRow *row = rowAt(index.row());
    if (!row)
        return {};
    const int column = index.column();
    const int detectors = int(m_columns.detectorIds.size());
    if (role == RowIndexRole)
        return m_visible[size_t(index.row())];
    const TriageEntry *entry = m_triage.find(row->path);
    const auto scoreOf
        = [&](int column) -> const ScanRowScore & { return row->scores[size_t((column - 2) / 2)]; };
    if (role == SortKeyRole) {
        if (column == 0)
            return entry ? triageMarkName(entry->mark) : QString();
        if (column == 1)
            return row->path;
        if (column < 2 + 2 * detectors)
            return (column % 2 == 0) ? QVariant(numericKey(scoreOf(column).pSynthetic))
                                     : QVariant(scoreOf(column).label);
        switch (column - 2 - 2 * detectors) {
        case 0: return row->findings.join(u';');
        case 1: return row->status;
        case 2: return double(row->size);
        case 3: return double(row->width) * double(row->height);
        case 4: return row->format;
        default: return entry ? entry->note : QString();
        }
    }
    if (role == Qt::DisplayRole) {
        if (column == 0)
            return entry ? triageMarkName(entry->mark) : QString();
        if (column == 1)
            return displayText(row->path);
        if (column < 2 + 2 * detectors) {
            const ScanRowScore &score = scoreOf(column);
            if (column % 2 == 0)
                return std::isnan(score.pSynthetic) ? QString()
                                                    : QString::number(score.pSynthetic, 'f', 3);
            return score.label;
        }
        switch (column - 2 - 2 * detectors) {
        case 0: return row->findings.join(QStringLiteral(", "));
        case 1: return row->status;
        case 2: return row->size < 0 ? QString() : QString::number(row->size);
        case 3:
            return row->width > 0 ? QStringLiteral("%1 × %2").arg(row->width).arg(row->height)
                                  : QString();
        case 4: return row->format;
        default: return entry ? displayText(entry->note).section(u'\n', 0, 0) : QString();
        }
    }
    if (role == Qt::ToolTipRole) {
        if (column == 1 || (column == statusColumn() && row->status != QLatin1String("ok")))
            return row->status == QLatin1String("ok")
                ? displayText(row->path)
                : QStringLiteral("%1\n[%2] %3")
                      .arg(displayText(row->path), row->status, displayText(row->error));
        if (column == noteColumn() && entry)
            return displayText(entry->note);
        return {};
    }
    if (role == Qt::DecorationRole && column == 1 && m_decoration && !m_root.isEmpty())
        return m_decoration(m_root + u'/' + row->path);
    if (role == AlertRole)
        return (column == statusColumn() && row->status != QLatin1String("ok"))
            || (column >= 2 && column < 2 + 2 * detectors && column % 2 == 1
                && verdictOfLabel(scoreOf(column).label) == QLatin1String("synthetic"));
    if (role == Qt::TextAlignmentRole && column >= 2 && column < 2 + 2 * detectors
        && column % 2 == 0)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant ScanResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    const int detectors = int(m_columns.detectorIds.size());
    if (section == 0)
        return tr("Mark");
    if (section == 1)
        return tr("Path");
    if (section < 2 + 2 * detectors) {
        const QString id = displayText(m_columns.detectorIds[(section - 2) / 2]);
        return section % 2 == 0 ? tr("P\n%1").arg(id) : tr("Verdict\n%1").arg(id);
    }
    switch (section - 2 - 2 * detectors) {
    case 0: return tr("Findings");
    case 1: return tr("Status");
    case 2: return tr("Size");
    case 3: return tr("Pixels");
    case 4: return tr("Format");
    default: return tr("Note");
    }
}

bool ScanResultsModel::lessThan(size_t a, size_t b) const
{
    const ScanResultRow &x = m_rows[a];
    const ScanResultRow &y = m_rows[b];
    const int column = m_sortColumn;
    const int detectors = int(m_columns.detectorIds.size());
    int order = 0;
    if (column == 0 || column == noteColumn()) {
        const TriageEntry *ex = m_triage.find(x.path);
        const TriageEntry *ey = m_triage.find(y.path);
        order = column == 0
            ? QString::compare(ex ? triageMarkName(ex->mark) : QString(),
                ey ? triageMarkName(ey->mark) : QString())
            : QString::compare(ex ? ex->note : QString(), ey ? ey->note : QString());
    } else if (column == 1) {
        order = QString::compare(x.path, y.path);
    } else if (column < 2 + 2 * detectors) {
        const size_t d = size_t((column - 2) / 2);
        order = column % 2 == 0
            ? compareNumbers(numericKey(x.scores[d].pSynthetic), numericKey(y.scores[d].pSynthetic))
            : QString::compare(x.scores[d].label, y.scores[d].label);
    } else {
        switch (column - 2 - 2 * detectors) {
        case 0: order = QString::compare(x.findings.join(u';'), y.findings.join(u';')); break;
        case 1: order = QString::compare(x.status, y.status); break;
        case 2: order = compareNumbers(double(x.size), double(y.size)); break;
        case 3:
            order = compareNumbers(
                double(x.width) * double(x.height), double(y.width) * double(y.height));
            break;
        default: order = QString::compare(x.format, y.format); break;
        }
    }
    if (order == 0)
        return a < b; // ties keep the report's order, whichever direction
    return m_sortOrder == Qt::AscendingOrder ? order < 0 : order > 0;
}

void ScanResultsModel::sort(int column, Qt::SortOrder order)
{
    if (column >= columnCount())
        return;
    const std::vector<int> before = m_visible;
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    m_sortColumn = column;
    m_sortOrder = order;
    if (column < 0)
        std::sort(m_visible.begin(), m_visible.end());
    else
        std::sort(m_visible.begin(), m_visible.end(),
            [this](int a, int b) { return lessThan(size_t(a), size_t(b)); });
    remapPersistent(before);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void ScanResultsModel::remapPersistent(const std::vector<int> &oldVisible)
{
    const QModelIndexList persistent = persistentIndexList();
    if (persistent.isEmpty())
        return;
    std::vector<int> position(m_rows.size(), -1);
    for (size_t i = 0; i < m_visible.size(); ++i)
        position[size_t(m_visible[i])] = int(i);
    QModelIndexList to;
    to.reserve(persistent.size());
    for (const QModelIndex &from : persistent) {
        const int row = from.row() < int(oldVisible.size())
            ? position[size_t(oldVisible[size_t(from.row())])]
            : -1;
        to << (row < 0 ? QModelIndex() : index(row, from.column()));
    }
    changePersistentIndexList(persistent, to);
}

bool ScanResultsModel::passes(const ScanResultRow &row, size_t) const
{
    const ScanResultsFilter &f = m_filter;
    if (!f.status.isEmpty()) {
        const bool ok = row.status == QLatin1String("ok");
        if (f.status == QLatin1String("failed") ? ok : row.status != f.status)
            return false;
    }
    if (!f.finding.isEmpty() && !row.findings.contains(f.finding))
        return false;
    if (!f.verdict.isEmpty()) {
        bool any = false;
        for (size_t d = 0; d < row.scores.size() && !any; ++d) {
            if (f.detector >= 0 && int(d) != f.detector)
                continue;
            any = verdictOfLabel(row.scores[d].label) == f.verdict;
        }
        if (!any)
            return false;
    }
    if (f.pHigh >= 0.0) {
        bool any = false;
        for (size_t d = 0; d < row.scores.size() && !any; ++d) {
            const double p = row.scores[d].pSynthetic;
            any = (f.detector < 0 || int(d) == f.detector) && !std::isnan(p) && p >= f.pLow
                && (p < f.pHigh || (f.pHigh >= 1.0 && p <= 1.0));
        }
        if (!any)
            return false;
    }
    const TriageEntry *entry = (f.mark || !f.text.isEmpty()) ? m_triage.find(row.path) : nullptr;
    if (f.mark && (entry ? entry->mark : TriageMark::None) != *f.mark)
        return false;
    if (!f.text.isEmpty() && !row.path.contains(f.text, Qt::CaseInsensitive)
        && !(entry && entry->note.contains(f.text, Qt::CaseInsensitive)))
        return false;
    return true;
}

void ScanResultsModel::setFilter(const ScanResultsFilter &filter)
{
    m_filter = filter;
    rebuildVisible();
}

void ScanResultsModel::rebuildVisible()
{
    beginResetModel();
    m_visible.clear();
    for (size_t i = 0; i < m_rows.size(); ++i) {
        if (passes(m_rows[i], i))
            m_visible.push_back(int(i));
    }
    if (m_sortColumn >= 0)
        std::sort(m_visible.begin(), m_visible.end(),
            [this](int a, int b) { return lessThan(size_t(a), size_t(b)); });
    endResetModel();
}

std::optional<Error> ScanResultsModel::changeTriage(
    int visibleRow, const std::function<void(TriageEntry &)> &edit)
{
    const ScanResultRow *row = rowAt(visibleRow);
    if (!row)
        return std::nullopt;
    TriageEntry entry;
    if (const TriageEntry *existing = m_triage.find(row->path))
        entry = *existing;
    edit(entry);
    entry.sha256 = row->sha256;
    entry.changedUtc = QDateTime::currentDateTimeUtc();
    m_triage.set(row->path, entry);
    Q_EMIT dataChanged(index(visibleRow, 0), index(visibleRow, columnCount() - 1));
    if (m_triageStore)
        return m_triageStore(row->path, entry);
    return m_reportCsv.isEmpty() ? std::nullopt : m_triage.save(m_reportCsv);
}

void ScanResultsModel::setTriageStore(
    std::function<std::optional<Error>(const QString &, const TriageEntry &)> store)
{
    m_triageStore = std::move(store);
}

std::optional<Error> ScanResultsModel::setMark(int visibleRow, TriageMark mark)
{
    return changeTriage(visibleRow, [mark](TriageEntry &entry) { entry.mark = mark; });
}

std::optional<Error> ScanResultsModel::setNote(int visibleRow, const QString &note)
{
    return changeTriage(visibleRow,
        [&note](TriageEntry &entry) { entry.note = note.left(TriageEntry::kMaxNoteChars); });
}

ScanResultsSummary ScanResultsModel::summary() const
{
    ScanResultsSummary summary;
    const size_t detectors = size_t(m_columns.detectorIds.size());
    summary.rows = qint64(m_rows.size());
    summary.verdicts.resize(detectors);
    summary.histograms.assign(
        detectors, std::vector<qint64>(ScanResultsSummary::kHistogramBins, 0));
    for (const ScanResultRow &row : m_rows) {
        for (size_t d = 0; d < detectors && d < row.scores.size(); ++d) {
            const ScanRowScore &score = row.scores[d];
            if (!score.label.isEmpty())
                ++summary.verdicts[d][verdictOfLabel(score.label)];
            if (!std::isnan(score.pSynthetic)) {
                const int bin
                    = std::clamp(int(score.pSynthetic * ScanResultsSummary::kHistogramBins), 0,
                        ScanResultsSummary::kHistogramBins - 1);
                ++summary.histograms[d][size_t(bin)];
            }
        }
        for (const QString &finding : row.findings)
            ++summary.findings[finding];
        ++summary.statuses[row.status];
        const TriageEntry *entry = m_triage.find(row.path);
        ++summary.marks[entry ? triageMarkName(entry->mark) : QString()];
    }
    return summary;
}

void ScanResultsModel::setPathDecoration(
    std::function<QVariant(const QString &absolutePath)> decoration)
{
    m_decoration = std::move(decoration);
    if (!m_visible.empty())
        Q_EMIT dataChanged(index(0, 1), index(rowCount() - 1, 1), { Qt::DecorationRole });
}

void ScanResultsModel::pathDecorationChanged(const QString &absolutePath)
{
    if (m_root.isEmpty() || !absolutePath.startsWith(m_root + u'/'))
        return;
    const int row = visibleRowOf(absolutePath.mid(m_root.size() + 1));
    if (row >= 0)
        Q_EMIT dataChanged(index(row, 1), index(row, 1), { Qt::DecorationRole });
}

} // namespace forgelens
