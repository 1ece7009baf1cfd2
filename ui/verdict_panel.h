#pragma once

#include "forgelens/analysis/analysis_record.h"

#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QTableWidget;

namespace forgelens {

// One file's verdicts, side by side: its identity (name, format, size, SHA-256), the cautions
// that concern the whole record (a file whose metadata names a generator, a C2PA manifest whose
// signature is not verified, detectors with caveats or errors) above everything else, the
// detectors' agreement, one row per detector (P, label, threshold, band, head score, what it
// scored, time), and the selected detector's verdict in words. Every row is drawn from the
// record, so it names the model that produced it.
class VerdictPanel : public QWidget {
    Q_OBJECT
public:
    explicit VerdictPanel(QWidget *parent = nullptr);

    void showAnalysing(const QString &path);
    void showWaitingForDetectors(const QString &path);
    void showRecord(const AnalysisRecord &record);
    void clear();
    // The file's standing in the open case, in one line under its hash: empty hides it;
    // `warning` shows it in red (a file that is no longer the evidence taken in).
    void setCustody(const QString &text, bool warning);
    int selectedDetector() const;
    const std::optional<AnalysisRecord> &record() const { return m_record; }

Q_SIGNALS:
    void detectorSelected(int index);

private:
    void showFile(const AnalysisRecord &record);
    void showDetail(int row);
    void clearVerdicts();

    std::optional<AnalysisRecord> m_record;
    QLabel *m_fileName;
    QLabel *m_fileDetails;
    QLineEdit *m_sha256; // read-only, so the whole hash can be selected and copied exactly
    QLabel *m_error;
    QLabel *m_custody;
    QLabel *m_caveats;
    QLabel *m_agreement;
    QTableWidget *m_table;
    QLabel *m_probability;
    QLabel *m_verdict;
};

} // namespace forgelens
