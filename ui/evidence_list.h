#pragma once

#include <QListWidget>

namespace forgelens {

class Workbench;
struct AnalysisRecord;

// The evidence files open in the workbench, with each one's outcome once analysed (how many
// detectors flag it, or its error code). Selecting a file makes it current.
class EvidenceList : public QListWidget {
    Q_OBJECT
public:
    explicit EvidenceList(Workbench *workbench, QWidget *parent = nullptr);

private:
    void refresh();
    void showRecord(const QString &path, const AnalysisRecord &record);
    static QString summary(const AnalysisRecord &record);

    Workbench *m_workbench;
};

} // namespace forgelens
