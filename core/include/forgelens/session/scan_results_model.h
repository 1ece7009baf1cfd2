#pragma once

#include "forgelens/scan/scan_report.h"
#include "forgelens/scan/triage_marks.h"

#include <QAbstractTableModel>
#include <QString>
#include <QVector>

#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace forgelens {

// What the results table shows; every part left empty passes everything.
struct ScanResultsFilter {
    // "synthetic", "inconclusive" or "not_flagged": rows where a detector (or `detector`, when
    // not -1) gave that verdict, whatever its caveat prefix (`stand_in_synthetic` counts as
    // synthetic).
    QString verdict;
    int detector = -1;
    // Rows whose P(synthetic) from a detector (or `detector`) lies in [pLow, pHigh); pHigh of 1
    // includes 1. pHigh < 0: no range.
    double pLow = 0.0;
    double pHigh = -1.0;
    QString finding; // a metadata finding code the row has
    QString status; // "ok", or an error code; "failed" matches every status but "ok"
    QString text; // in the path or the note, case-insensitive
    std::optional<TriageMark> mark; // TriageMark::None: rows not yet marked
};

// Counts over every row (not only the filtered ones), for the summary view.
struct ScanResultsSummary {
    qint64 rows = 0;
    std::vector<std::map<QString, qint64>> verdicts; // per detector: verdict -> rows
    std::map<QString, qint64> findings;
    std::map<QString, qint64> statuses;
    std::map<QString, qint64> marks; // "" = not marked
    // Per detector, kHistogramBins counts of P(synthetic) in [0, 1]; 1.0 falls in the last bin.
    std::vector<std::vector<qint64>> histograms;
    static constexpr int kHistogramBins = 20;
};

// The rows of one scan report (a scan running, or a report opened from disk) as a table: a
// model over plain row values, not a widget per row, sorted and filtered by index vectors so
// 100,000 rows sort and filter in tens of milliseconds (make bench). Rows arrive in batches while
// a scan runs and keep the current order and filter. The analyst's marks and notes live in a
// TriageMarks saved beside the report after every change.
//
// Columns: Mark, Path, then per detector "P" and "Verdict", then Findings, Status, Size,
// Pixels, Format, Note.
class ScanResultsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role {
        SortKeyRole = Qt::UserRole, // the raw value sorting uses (double or QString)
        RowIndexRole, // the row's index among all rows, stable while the model lives
        // True for a cell a view should make stand out: an error status, a synthetic verdict.
        // (Colours are the view's business: core stays free of QtGui's drawing types.)
        AlertRole,
    };

    explicit ScanResultsModel(QObject *parent = nullptr);

    // Starts afresh for a report with these columns; `reportCsv` is where marks are saved
    // (empty: not saved). `root` is the scanned folder (for absolutePath()).
    void reset(const ScanReportColumns &columns, const QString &reportCsv, const QString &root);
    // Marks and notes read from the report's triage file (replacing those in the model).
    void setTriage(TriageMarks marks);
    void appendRows(const QVector<ScanResultRow> &rows);
    void appendRows(std::vector<ScanResultRow> &&rows);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    void setFilter(const ScanResultsFilter &filter);
    const ScanResultsFilter &filter() const { return m_filter; }

    const ScanReportColumns &columns() const { return m_columns; }
    qint64 totalRows() const { return qint64(m_rows.size()); }
    // The row shown at `visibleRow` (nullptr when out of range).
    const ScanResultRow *rowAt(int visibleRow) const;
    // The file of a row on disk: the scanned folder joined with its path (empty without a root).
    QString absolutePath(int visibleRow) const;
    int visibleRowOf(const QString &path) const; // -1 when filtered out or unknown

    // Sets the mark or the note of the row shown at `visibleRow` and saves the triage file.
    // Error output-write-failed (the change stays in the model).
    // Where marks and notes are kept: by default the report's triage sidecar; while a case is
    // open, the case (ISSUE-NOTES: from then on it is their one store), and the sidecar is left
    // as it was. `store` gets the row's path and the entry as changed; null: the sidecar again.
    void setTriageStore(
        std::function<std::optional<Error>(const QString &, const TriageEntry &)> store);
    std::optional<Error> setMark(int visibleRow, TriageMark mark);
    std::optional<Error> setNote(int visibleRow, const QString &note);
    const TriageEntry *triage(int visibleRow) const;

    ScanResultsSummary summary() const;

    // What the Path column shows beside the path (DecorationRole), by the file's absolute path:
    // the window's thumbnails. Null: nothing.
    void setPathDecoration(std::function<QVariant(const QString &absolutePath)> decoration);
    // The decoration of this file changed (a thumbnail arrived).
    void pathDecorationChanged(const QString &absolutePath);

    int pathColumn() const { return 1; }
    int pColumn(int detector) const { return 2 + 2 * detector; }
    int verdictColumn(int detector) const { return 3 + 2 * detector; }
    int findingsColumn() const { return 2 + 2 * int(m_columns.detectorIds.size()); }
    int statusColumn() const { return findingsColumn() + 1; }
    int noteColumn() const { return findingsColumn() + 5; }

    // "synthetic", "inconclusive", "not_flagged" or "" for a label code.
    static QString verdictOfLabel(const QString &label);

private:
    bool passes(const ScanResultRow &row, size_t index) const;
    bool lessThan(size_t a, size_t b) const;
    void rebuildVisible();
    void remapPersistent(const std::vector<int> &oldVisible);
    std::optional<Error> changeTriage(
        int visibleRow, const std::function<void(TriageEntry &)> &edit);

    ScanReportColumns m_columns;
    QString m_reportCsv;
    QString m_root;
    std::vector<ScanResultRow> m_rows;
    std::vector<int> m_visible; // indexes into m_rows, in display order
    TriageMarks m_triage;
    std::function<std::optional<Error>(const QString &, const TriageEntry &)> m_triageStore;
    ScanResultsFilter m_filter;
    std::function<QVariant(const QString &)> m_decoration;
    int m_sortColumn = -1; // -1: the report's order (the walk's)
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
};

} // namespace forgelens
