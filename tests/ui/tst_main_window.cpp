#include "test_model_factory.h"
#include "ui/image_view.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QUrl>

using namespace forgelens;

namespace {

const QString kFixtures = QStringLiteral(FORGELENS_FIXTURES_DIR "/images/");

QString labelText(const QWidget &window, const char *name)
{
    const auto *label = window.findChild<QLabel *>(QLatin1String(name));
    return label ? label->text() : QStringLiteral("<no label %1>").arg(QLatin1String(name));
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void showsTheVerdictOfAnOpenedImage();
    void showsAClearErrorForABadFile();
    void acceptsADroppedFile();
    void reportsAModelThatCannotBeLoaded();
    void onlyTheNewestRequestIsShown();
    void closingWhileBusyIsSafe();

private:
    QTemporaryDir m_dir;
    QString m_model;
};

void TestMainWindow::initTestCase()
{
    m_model = m_dir.filePath(QStringLiteral("test-model.pt"));
    QVERIFY(testing::saveTestBundle(m_model, testing::makeTestModule(1), testing::testManifest()));
}

void TestMainWindow::showsTheVerdictOfAnOpenedImage()
{
    MainWindow window;
    window.show();
    QSignalSpy ready(&window, &MainWindow::modelReady);
    QSignalSpy shown(&window, &MainWindow::analysisShown);
    window.loadModel(m_model);
    window.openImage(kFixtures + QStringLiteral("pattern_orient6.jpg"));
    const auto *busy = window.findChild<QProgressBar *>(QStringLiteral("busyIndicator"));
    QVERIFY(busy->isVisible()); // shown while the work runs elsewhere
    QVERIFY(shown.wait(30000));
    QCOMPARE(ready.count(), 1);
    QVERIFY(!window.isBusy());
    QVERIFY(!busy->isVisible());

    const AnalysisOutcome outcome = shown.first().first().value<AnalysisOutcome>();
    QVERIFY(outcome.ok());
    QVERIFY2(labelText(window, "probability")
                 .contains(QString::number(double(outcome.prediction->pSynthetic), 'f', 3)),
        qPrintable(labelText(window, "probability")));
    QVERIFY(labelText(window, "verdict").contains(QStringLiteral("threshold 0.500")));
    QVERIFY(labelText(window, "verdict")
                .contains(outcome.prediction->synthetic ? QStringLiteral("Flagged as synthetic")
                                                        : QStringLiteral("Not flagged")));
    QVERIFY(labelText(window, "modelBanner").contains(QStringLiteral("UNTRAINED TEST MODEL")));
    QVERIFY(window.findChild<QLabel *>(QStringLiteral("modelBanner"))->isVisible());
    QCOMPARE(
        window.findChild<QLineEdit *>(QStringLiteral("sha256"))->text(), outcome.digest.sha256);
    QVERIFY(labelText(window, "fileDetails").contains(QStringLiteral("32 × 48")));
    QCOMPARE(window.findChild<QTableWidget *>(QStringLiteral("classTable"))->rowCount(), 2);

    const auto *view = window.findChild<ImageView *>();
    QCOMPARE(view->image().size(), QSize(32, 48)); // shown upright, orientation applied
}

void TestMainWindow::showsAClearErrorForABadFile()
{
    MainWindow window;
    window.show();
    QSignalSpy shown(&window, &MainWindow::analysisShown);
    window.loadModel(m_model);
    window.openImage(kFixtures + QStringLiteral("truncated.jpg"));
    QVERIFY(shown.wait(30000));
    QVERIFY(labelText(window, "error").contains(QStringLiteral("truncated")));
    QCOMPARE(labelText(window, "probability"), QStringLiteral("–"));

    // The window goes on working after the error.
    window.openImage(kFixtures + QStringLiteral("pattern.png"));
    QVERIFY(shown.wait(30000));
    QVERIFY(shown.last().first().value<AnalysisOutcome>().ok());
    QVERIFY(labelText(window, "error").isEmpty());
}

void TestMainWindow::acceptsADroppedFile()
{
    MainWindow window;
    window.show();
    QSignalSpy shown(&window, &MainWindow::analysisShown);
    window.loadModel(m_model);

    QMimeData mime;
    mime.setUrls({ QUrl::fromLocalFile(kFixtures + QStringLiteral("pattern.gif")) });
    const QPoint centre = window.rect().center();
    QDragEnterEvent enter(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(centre), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);

    QVERIFY(shown.wait(30000));
    const AnalysisOutcome outcome = shown.first().first().value<AnalysisOutcome>();
    QVERIFY(outcome.ok());
    QVERIFY(outcome.path.endsWith(QStringLiteral("pattern.gif")));
}

void TestMainWindow::reportsAModelThatCannotBeLoaded()
{
    MainWindow window;
    window.show();
    window.loadModel(m_dir.filePath(QStringLiteral("missing.pt")));
    QTRY_VERIFY_WITH_TIMEOUT(
        labelText(window, "error").contains(QStringLiteral("not-found")), 30000);
    QVERIFY(!window.isBusy());
}

void TestMainWindow::onlyTheNewestRequestIsShown()
{
    MainWindow window;
    window.show();
    QSignalSpy ready(&window, &MainWindow::modelReady);
    QSignalSpy shown(&window, &MainWindow::analysisShown);
    window.loadModel(m_model);
    QVERIFY(ready.wait(30000));
    window.openImage(kFixtures + QStringLiteral("pattern_progressive.jpg"));
    window.openImage(kFixtures + QStringLiteral("pattern.bmp"));
    QVERIFY(shown.wait(30000));
    QThreadPool::globalInstance()->waitForDone();
    QTest::qWait(200); // let any stale result arrive: it must be dropped
    QCOMPARE(shown.count(), 1);
    QVERIFY(shown.first().first().value<AnalysisOutcome>().path.endsWith(
        QStringLiteral("pattern.bmp")));
    QVERIFY(!window.isBusy());
}

void TestMainWindow::closingWhileBusyIsSafe()
{
    auto *window = new MainWindow;
    window->show();
    window->loadModel(m_model);
    window->openImage(kFixtures + QStringLiteral("pattern.png"));
    delete window; // jobs still queued or running must not touch it
    QVERIFY(QThreadPool::globalInstance()->waitForDone(30000));
    QTest::qWait(100); // their queued signals are dropped with the window
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
