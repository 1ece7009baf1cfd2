#pragma once

#include <QDialog>
#include <QPageSize>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QRadioButton;

namespace forgelens {

// Asks what File ▸ Export Report… writes: the PDF's place, its page size, whether the JSON of the
// same content goes beside it, and whether the report covers every evidence item of the case or
// only the image shown now.
class ReportExportDialog : public QDialog {
    Q_OBJECT
public:
    ReportExportDialog(
        const QString &suggestedPdf, bool haveCurrentImage, QWidget *parent = nullptr);

    QString pdfPath() const;
    QString jsonPath() const; // empty when not asked for
    QPageSize::PageSizeId pageSize() const;
    bool currentImageOnly() const;

    void accept() override;

private:
    QLineEdit *m_pdf;
    QComboBox *m_pageSize;
    QCheckBox *m_json;
    QRadioButton *m_all;
    QRadioButton *m_current;
    QLabel *m_problem;
};

} // namespace forgelens
