#pragma once

#include <QStringList>
#include <QWidget>

class QLabel;
class QLineEdit;
class QTreeWidget;

namespace forgelens {

struct MetadataReport;

// What the open file says about its own origin: the findings first, most telling first
// (warnings, then notices, then info), then every property in a searchable tree.
// Everything shown comes from a hostile file, so it is shown as plain text only, escaped with
// displayText() and capped in length.
class MetadataPanel : public QWidget {
    Q_OBJECT
public:
    explicit MetadataPanel(QWidget *parent = nullptr);

    void showReport(const MetadataReport &report);
    void showUnavailable(const QString &reason); // e.g. the file could not be read
    void clear();

    int findingCount() const;
    QStringList findingCodes() const; // in display order
    void setFilter(const QString &text); // same as typing into the search box

private:
    void clearContents();
    void showFindings(const MetadataReport &report);
    void showProperties(const MetadataReport &report);
    void applyFilter(const QString &text);
    void expandDefault();

    QTreeWidget *m_findings;
    QLabel *m_c2paNotice;
    QLabel *m_status;
    QLineEdit *m_filter;
    QTreeWidget *m_tree;
    QStringList m_findingCodes;
};

} // namespace forgelens
