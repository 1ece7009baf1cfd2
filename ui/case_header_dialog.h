#pragma once

#include "forgelens/case/case_file.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;

namespace forgelens {

// Asks for a new case: where its file goes, and its header (number, title, examiner,
// organisation, time zone). OK is refused, with the reason shown, until the header is valid.
class CaseHeaderDialog : public QDialog {
    Q_OBJECT
public:
    explicit CaseHeaderDialog(const QString &folder, QWidget *parent = nullptr);

    QString path() const;
    CaseHeader header() const;

    void accept() override;

private:
    QLineEdit *m_path;
    QLineEdit *m_number;
    QLineEdit *m_title;
    QLineEdit *m_examiner;
    QLineEdit *m_organisation;
    QComboBox *m_timeZone;
    QLabel *m_problem;
};

} // namespace forgelens
