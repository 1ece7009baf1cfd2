// The sandbox contract (DESIGN.md, "Trust boundaries"): evidence is read, parsed and decoded in
// worker processes; a worker that writes a file, starts a program, crashes, spins or exhausts
// its memory costs one coded result, and the next file is read by a fresh worker.
#include "forgelens/sandbox/decoder_pool.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include <QElapsedTimer>

#include <sys/stat.h>
#include <thread>

using namespace forgelens;

class TestDecoderPool : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void readsExactlyWhatTheProcessReads();
    void killsAWorkerThatWritesOrExecutes_data();
    void killsAWorkerThatWritesOrExecutes();
    void containsCrashesTimeoutsAndMemory_data();
    void containsCrashesTimeoutsAndMemory();
    void cancelStopsAWorkerMidFile();
    void refusesPipesWithoutWaiting();
    void cameraMakerNotesAreReadInTheSandbox();
    void reducedJpegDecodeCrossesTheSandbox();
    void cropOnlyJpegDecodeCrossesTheSandbox();

private:
    SandboxConfig config() const
    {
        SandboxConfig sandbox;
        sandbox.workerExecutable = QStringLiteral(FORGELENS_CLI);
        sandbox.maxWorkers = 2;
        sandbox.cpuSecondsPerFile = 2;
        sandbox.wallSecondsPerFile = 20;
        sandbox.memoryBytes = qint64(256) << 20;
        return sandbox;
    }

    QTemporaryDir m_dir;
    QString m_png;
};

void TestDecoderPool::initTestCase()
{
    QImage image(37, 23, QImage::Format_RGB888);
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            image.setPixel(x, y, qRgb(x * 7, y * 11, (x * y) % 256));
    }
    m_png = m_dir.filePath(QStringLiteral("gradient.png"));
    QVERIFY(image.save(m_png));
    // The self-tests' files would be written into the working directory: make it ours.
    QVERIFY(QDir::setCurrent(m_dir.path()));
}

void TestDecoderPool::cleanup()
{
    qunsetenv("FORGELENS_SANDBOX_SELF_TEST");
}

void TestDecoderPool::readsExactlyWhatTheProcessReads()
{
    EvidenceReadRequest request;
    request.keepMetadataReport = true;
    const EvidenceReading local = readEvidence(m_png, QFile::encodeName(m_png), request);
    QVERIFY(local.image);

    DecoderPool pool(config());
    for (int round = 0; round < 3; ++round) { // the same worker answers again
        const EvidenceReading sandboxed = pool.read(m_png, QFile::encodeName(m_png), request);
        QVERIFY2(
            !sandboxed.error, qPrintable(sandboxed.error ? sandboxed.error->message : QString()));
        QVERIFY(sandboxed.image);
        QCOMPARE(sandboxed.fileSize, local.fileSize);
        QCOMPARE(sandboxed.digest.sha256, local.digest.sha256);
        QCOMPARE(sandboxed.image->width, 37);
        QCOMPARE(sandboxed.image->rgb, local.image->rgb);
        QVERIFY(sandboxed.metadata);
        QCOMPARE(sandboxed.metadata->png.has_value(), local.metadata->png.has_value());
        QCOMPARE(sandboxed.findingCodes, local.findingCodes);
    }
    QCOMPARE(pool.workersStarted(), qint64(1));
}

void TestDecoderPool::killsAWorkerThatWritesOrExecutes_data()
{
    QTest::addColumn<QString>("selfTest");
    QTest::newRow("open a file for writing") << QStringLiteral("open-for-writing");
    QTest::newRow("exec a program") << QStringLiteral("exec");
}

void TestDecoderPool::killsAWorkerThatWritesOrExecutes()
{
    QFETCH(QString, selfTest);
    DecoderPool pool(config());
    qputenv("FORGELENS_SANDBOX_SELF_TEST", selfTest.toLatin1());
    const EvidenceReading refused = pool.read(m_png, QFile::encodeName(m_png), {});
    QVERIFY(refused.error);
    QCOMPARE(refused.error->codeName(), QStringLiteral("decoder-sandbox-violation"));
    QVERIFY(!refused.image);
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("forgelens-sandbox-self-test"))));

    // The next file gets a fresh worker, and an honest one reads it.
    qunsetenv("FORGELENS_SANDBOX_SELF_TEST");
    const EvidenceReading next = pool.read(m_png, QFile::encodeName(m_png), {});
    QVERIFY(next.image);
    QCOMPARE(pool.workersStarted(), qint64(2));
}

void TestDecoderPool::containsCrashesTimeoutsAndMemory_data()
{
    QTest::addColumn<QString>("selfTest");
    QTest::addColumn<QString>("code");
    QTest::newRow("segmentation fault")
        << QStringLiteral("crash") << QStringLiteral("decoder-crashed");
    QTest::newRow("endless loop") << QStringLiteral("spin") << QStringLiteral("decoder-timeout");
    QTest::newRow("unbounded allocation")
        << QStringLiteral("allocate") << QStringLiteral("decoder-out-of-memory");
}

void TestDecoderPool::containsCrashesTimeoutsAndMemory()
{
    QFETCH(QString, selfTest);
    QFETCH(QString, code);
    DecoderPool pool(config());
    qputenv("FORGELENS_SANDBOX_SELF_TEST", selfTest.toLatin1());
    const EvidenceReading failed = pool.read(m_png, QFile::encodeName(m_png), {});
    QVERIFY(failed.error);
#if defined(__SANITIZE_ADDRESS__)
    // Under AddressSanitizer (`make sanitize`) a failed operator new ends the process with a
    // report instead of throwing std::bad_alloc: contained all the same, as a crash.
    if (selfTest == QLatin1String("allocate"))
        code = QStringLiteral("decoder-crashed");
#endif
    QCOMPARE(failed.error->codeName(), code);
    qunsetenv("FORGELENS_SANDBOX_SELF_TEST");
    QVERIFY(pool.read(m_png, QFile::encodeName(m_png), {}).image);
}

void TestDecoderPool::cancelStopsAWorkerMidFile()
{
    SandboxConfig slow = config();
    slow.cpuSecondsPerFile = 60;
    DecoderPool pool(slow);
    qputenv("FORGELENS_SANDBOX_SELF_TEST", "spin");
    std::atomic_bool cancel{ false };
    std::thread stopper([&cancel] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        cancel = true;
    });
    QElapsedTimer timer;
    timer.start();
    const EvidenceReading cancelled = pool.read(m_png, QFile::encodeName(m_png), {}, &cancel);
    stopper.join();
    QVERIFY(cancelled.error);
    QCOMPARE(cancelled.error->codeName(), QStringLiteral("cancelled"));
    QVERIFY2(timer.elapsed() < 10'000, "a cancelled read waits for the worker to finish");
}

// The probe: a name swapped for a FIFO after the walk hung the process for ever.
void TestDecoderPool::refusesPipesWithoutWaiting()
{
    const QString fifo = m_dir.filePath(QStringLiteral("swapped.jpg"));
    QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
    DecoderPool pool(config());
    const EvidenceReading refused = pool.read(fifo, QFile::encodeName(fifo), {});
    QVERIFY(refused.error);
    QCOMPARE(refused.error->codeName(), QStringLiteral("not-a-file"));
    const EvidenceReading local = readEvidence(fifo, QFile::encodeName(fifo), {});
    QCOMPARE(local.error->codeName(), QStringLiteral("not-a-file"));
}

// Exiv2 looks up the user's home folder when it names a Canon, Pentax or Sony lens; the first
// sandbox killed every photograph that had one (a camera JPEG reported as hostile). The fixture
// is a 64 x 48 JPEG with a Canon maker note naming lens type 1.
void TestDecoderPool::cameraMakerNotesAreReadInTheSandbox()
{
    const QString path = QStringLiteral(FORGELENS_FIXTURES_DIR "/images/canon_makernote.jpg");
    EvidenceReadRequest request;
    request.keepMetadataReport = true;
    DecoderPool pool(config());
    const EvidenceReading sandboxed = pool.read(path, QFile::encodeName(path), request);
    QVERIFY2(!sandboxed.error, qPrintable(sandboxed.error ? sandboxed.error->message : QString()));
    QVERIFY(sandboxed.image && sandboxed.metadata);
    bool lensNamed = false;
    for (const MetadataProperty &property : sandboxed.metadata->embedded.properties)
        lensNamed = lensNamed
            || (property.key == QStringLiteral("Exif.CanonCs.LensType")
                && property.value.contains(QStringLiteral("50mm")));
    QVERIFY(lensNamed);
}

void TestDecoderPool::reducedJpegDecodeCrossesTheSandbox()
{
    // The resizes travel to the worker, which decodes at 1/2 and hands over pixels and sizes
    // exactly as this process would (the orientation from its metadata pass, EXIF's 6 here).
    const QString path = QStringLiteral(FORGELENS_FIXTURES_DIR "/images/pattern_orient6.jpg");
    EvidenceReadRequest request;
    const EvidenceReading whole = readEvidence(path, QFile::encodeName(path), request);
    QVERIFY(whole.image);
    request.reduceJpegFor = { ReducibleResize{ InputSpec::Resize::ShorterSide,
        std::min(whole.image->width, whole.image->height) / 8, 0, std::nullopt } };
    const EvidenceReading local = readEvidence(path, QFile::encodeName(path), request);
    QVERIFY(local.image);
    QCOMPARE(local.image->reduction, 2);
    DecoderPool pool(config());
    const EvidenceReading sandboxed = pool.read(path, QFile::encodeName(path), request);
    QVERIFY2(!sandboxed.error, qPrintable(sandboxed.error ? sandboxed.error->message : QString()));
    QVERIFY(sandboxed.image);
    QCOMPARE(sandboxed.image->reduction, 2);
    QCOMPARE(sandboxed.image->orientation, 6);
    QCOMPARE(sandboxed.image->width, local.image->width);
    QCOMPARE(sandboxed.image->fullWidth(), whole.image->width);
    QCOMPARE(sandboxed.image->fullHeight(), whole.image->height);
    QCOMPARE(sandboxed.image->rgb, local.image->rgb);
}

void TestDecoderPool::cropOnlyJpegDecodeCrossesTheSandbox()
{
    // The crops travel to the worker, which decodes only around them and hands over the same
    // region, sizes and pixels as this process, and those pixels are the whole decode's.
    const QString path = QStringLiteral(FORGELENS_FIXTURES_DIR "/images/pattern_orient6.jpg");
    EvidenceReadRequest request;
    const EvidenceReading whole = readEvidence(path, QFile::encodeName(path), request);
    QVERIFY(whole.image);
    request.cropJpegFor = { NativeCenterCrop{ 16, 12, true, true } };
    const EvidenceReading local = readEvidence(path, QFile::encodeName(path), request);
    QVERIFY(local.image && local.image->isPartial());
    DecoderPool pool(config());
    const EvidenceReading sandboxed = pool.read(path, QFile::encodeName(path), request);
    QVERIFY2(!sandboxed.error, qPrintable(sandboxed.error ? sandboxed.error->message : QString()));
    QVERIFY(sandboxed.image);
    QCOMPARE(sandboxed.image->region, local.image->region);
    QCOMPARE(sandboxed.image->orientation, 6);
    QCOMPARE(sandboxed.image->fullWidth(), whole.image->width);
    QCOMPARE(sandboxed.image->fullHeight(), whole.image->height);
    QCOMPARE(sandboxed.image->rgb, local.image->rgb);
    const QRect region = sandboxed.image->region;
    QCOMPARE(region.size(), QSize(12, 16));
    QByteArray fromWhole;
    for (int y = region.top(); y <= region.bottom(); ++y)
        fromWhole += whole.image->rgb.mid(
            (qsizetype(y) * whole.image->width + region.left()) * 3, qsizetype(region.width()) * 3);
    QCOMPARE(sandboxed.image->rgb, fromWhole);
}

QTEST_GUILESS_MAIN(TestDecoderPool)
#include "tst_decoder_pool.moc"
