#pragma once

#include <QImage>
#include <QString>
#include <QWidget>

namespace forgelens {

// Shows the image under analysis, scaled to fit with its aspect ratio kept; shows a hint when
// nothing is open.
class ImageView : public QWidget {
    Q_OBJECT
public:
    explicit ImageView(QWidget *parent = nullptr);

    void setImage(const QImage &image);
    void setPlaceholder(const QString &text);
    const QImage &image() const { return m_image; }

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QImage m_image;
    QString m_placeholder;
};

} // namespace forgelens
