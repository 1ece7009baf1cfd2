#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QToolButton;
class QTreeWidget;

namespace forgelens {

class Workbench;
struct Error;

// The detectors loaded in the workbench, in the order they are compared: id, family, device,
// bundle SHA-256 and the caveat that must travel with every verdict (experimental, stand-in
// weights, untrained). Bundles still loading are listed in italics; a load that failed is
// stated under the list and changes nothing above it. Each detector's exemplar bank is managed
// here too: attach a bank file, detach it, or build one from a folder of labelled images as a
// background job with progress.
class DetectorListPanel : public QWidget {
    Q_OBJECT
public:
    explicit DetectorListPanel(Workbench *workbench, QWidget *parent = nullptr);

    int selectedIndex() const;

Q_SIGNALS:
    void addRequested();
    void replaceRequested(int index);

private:
    void refresh();
    void showLoadError(const QString &bundlePath, const Error &error);
    void updateButtons();
    void attachBank();
    void buildBank();

    Workbench *m_workbench;
    QTreeWidget *m_list;
    QLabel *m_error;
    QPushButton *m_add;
    QPushButton *m_replace;
    QPushButton *m_remove;
    QToolButton *m_up;
    QToolButton *m_down;
    QToolButton *m_bank;
    QProgressBar *m_bankProgress;
    QLabel *m_bankStatus;
};

} // namespace forgelens
