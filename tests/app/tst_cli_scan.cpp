// forgelens-cli scan and merge as a user runs them: a folder of good and bad files to a CSV and
// its sidecar, an interrupted scan (kill -9, Ctrl-C, a full disk) resumed to the same report as
// an uninterrupted one, and N shards merged to the same report as one run.
#include "cli_run.h"
#include "test_model_factory.h"

#include "forgelens/scan/csv_record.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using forgelens::testing::CliRun;
using forgelens::testing::runProgram;

namespace {

const QString kCli = QStringLiteral(FORGELENS_CLI);
const QString kModel = QStringLiteral(FORGELENS_TEST_MODEL);

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

std::vector<QStringList> parseRecords(const QByteArray &text, qint64 *completeBytes = nullptr)
{
    std::vector<QStringList> records;
    forgelens::Result<qint64> parsed
        = forgelens::parseCsv(text, [&](QStringList &&record) -> std::optional<forgelens::Error> {
              records.push_back(std::move(record));
              return std::nullopt;
          });
    if (!parsed)
        qWarning("%s", qPrintable(parsed.error().message));
    if (completeBytes)
        *completeBytes = parsed ? *parsed : -1;
    return records;
}

QJsonObject readJson(const QString &path)
{
    return QJsonDocument::fromJson(readAll(path)).object();
}

// Every file under `root` with its SHA-256 and modification time: evidence must not change.
QMap<QString, QString> fingerprint(const QString &root)
{
    QMap<QString, QString> prints;
    QDirIterator it(root,
        QDir::Files | QDir::Hidden | QDir::System | QDir::Dirs | QDir::NoDotAndDotDot,
        QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QFileInfo info(path);
        prints.insert(path,
            QString::fromLatin1(
                QCryptographicHash::hash(readAll(path), QCryptographicHash::Sha256).toHex())
                + QString::number(info.lastModified().toMSecsSinceEpoch()));
    }
    return prints;
}

// Noise photographs large enough that decoding takes a while, so a scan can be caught mid-way.
void writeNoiseImages(const QString &folder, int distinct, int copies, int side)
{
    QDir().mkpath(folder);
    QRandomGenerator random(7);
    for (int d = 0; d < distinct; ++d) {
        QImage image(side, side, QImage::Format_RGB888);
        for (int y = 0; y < side; ++y) {
            uchar *line = image.scanLine(y);
            for (int x = 0; x < side * 3; ++x)
                line[x] = uchar(random.bounded(256));
        }
        const QString first = QStringLiteral("%1/noise-%2-0000.png").arg(folder).arg(d);
        QVERIFY(image.save(first));
        for (int c = 1; c < copies; ++c)
            QVERIFY(QFile::copy(first,
                QStringLiteral("%1/noise-%2-%3.png")
                    .arg(folder)
                    .arg(d)
                    .arg(c, 4, 10, QLatin1Char('0'))));
    }
}

// Data rows within the prefix of an interrupted report that its sidecar vouches for.
int vouchedRows(const QString &csv)
{
    const qint64 bytes = readJson(csv + QStringLiteral(".partial.json"))
                             .value(QStringLiteral("flushed"))
                             .toObject()
                             .value(QStringLiteral("bytes"))
                             .toInteger();
    return int(readAll(csv + QStringLiteral(".partial")).left(bytes).count("\r\n")) - 1;
}

// Data lines of the CSV file, or -1 when it does not parse.
int countRows(const QString &csv)
{
    qint64 complete = 0;
    const std::vector<QStringList> records = parseRecords(readAll(csv), &complete);
    return complete < 0 ? -1 : int(records.size()) - 1;
}

} // namespace

class TestCliScan : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        m_evidence = m_work.filePath(QStringLiteral("evidence"));
        const QDir fixtures(QStringLiteral(FORGELENS_FIXTURES_DIR "/images"));
        QDir().mkpath(m_evidence + QStringLiteral("/nested/deeper"));
        for (const QString &name : fixtures.entryList(QDir::Files))
            QVERIFY(QFile::copy(fixtures.filePath(name), m_evidence + u'/' + name));
        QVERIFY(QFile::copy(fixtures.filePath(QStringLiteral("pattern_baseline.jpg")),
            m_evidence + QStringLiteral("/nested/deeper/no extension, \"quoted\"")));
        QFile notes(m_evidence + QStringLiteral("/nested/notes.txt"));
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.write("case notes, not an image\n");
        notes.close();

        // A second model with its own id and input size: one pass must fill both columns.
        m_secondModel = m_work.filePath(QStringLiteral("second.pt"));
        QJsonObject input
            = forgelens::testing::testManifest().value(QStringLiteral("input")).toObject();
        QJsonObject resize = input.value(QStringLiteral("resize")).toObject();
        resize.insert(QStringLiteral("size"), QJsonArray{ 32, 32 });
        input.insert(QStringLiteral("resize"), resize);
        QVERIFY(forgelens::testing::saveTestBundle(m_secondModel,
            forgelens::testing::makeTestModule(3, 5),
            forgelens::testing::testManifest({ { QStringLiteral("id"), QStringLiteral("second") },
                { QStringLiteral("task"), QStringLiteral("multiclass") },
                { QStringLiteral("classes"),
                    QJsonArray{
                        QStringLiteral("real"), QStringLiteral("gan"), QStringLiteral("dm") } },
                { QStringLiteral("fake_classes"),
                    QJsonArray{ QStringLiteral("gan"), QStringLiteral("dm") } },
                { QStringLiteral("input"), input } })));

        m_big = m_work.filePath(QStringLiteral("big"));
        writeNoiseImages(m_big, 4, 100, 640);
        m_bigReference = m_work.filePath(QStringLiteral("big-reference.csv"));
        const CliRun run = scan(m_big, m_bigReference);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(countRows(m_bigReference), 400);
    }

    void scansAFolderToACsvWithARowForEveryFile()
    {
        const QMap<QString, QString> before = fingerprint(m_evidence);
        const QString csv = m_work.filePath(QStringLiteral("report.csv"));
        const CliRun run = runProgram(kCli,
            { QStringLiteral("scan"), m_evidence, QStringLiteral("--model"), kModel,
                QStringLiteral("--model"), m_secondModel, QStringLiteral("-o"), csv });
        QVERIFY2(run.exitCode == 1, qPrintable(run.err)); // some rows carry errors
        QVERIFY(run.err.contains(QStringLiteral("UNTRAINED TEST MODEL")));
        QCOMPARE(fingerprint(m_evidence), before); // nothing written or touched in evidence

        qint64 complete = 0;
        const QByteArray text = readAll(csv);
        const std::vector<QStringList> records = parseRecords(text, &complete);
        QCOMPARE(complete, qint64(text.size()));
        QCOMPARE(records.front(),
            (QStringList{ QStringLiteral("path"), QStringLiteral("size"), QStringLiteral("sha256"),
                QStringLiteral("width"), QStringLiteral("height"), QStringLiteral("format"),
                QStringLiteral("forgelens-untrained-test.p_synthetic"),
                QStringLiteral("forgelens-untrained-test.label"),
                QStringLiteral("forgelens-untrained-test.threshold"),
                QStringLiteral("second.p_synthetic"), QStringLiteral("second.label"),
                QStringLiteral("second.threshold"), QStringLiteral("metadata_findings"),
                QStringLiteral("status"), QStringLiteral("error") }));

        QMap<QString, QStringList> rows;
        QStringList order;
        for (size_t i = 1; i < records.size(); ++i) {
            QCOMPARE(records[i].size(), records.front().size());
            rows.insert(records[i].at(0), records[i]);
            order.append(records[i].at(0));
        }
        QStringList sorted = order;
        std::sort(sorted.begin(), sorted.end());
        QCOMPARE(order, sorted);
        const int fixtureCount
            = QDir(QStringLiteral(FORGELENS_FIXTURES_DIR "/images")).entryList(QDir::Files).size();
        QCOMPARE(rows.size(), fixtureCount + 1); // notes.txt has none, the extension-less JPEG has
        QVERIFY(!rows.contains(QStringLiteral("nested/notes.txt")));

        const QStringList good
            = rows.value(QStringLiteral("nested/deeper/no extension, \"quoted\""));
        QCOMPARE(good.at(13), QStringLiteral("ok"));
        QCOMPARE(good.at(1), QString::number(QFileInfo(m_evidence + u'/' + good.at(0)).size()));
        QCOMPARE(good.at(2),
            QString::fromLatin1(QCryptographicHash::hash(
                readAll(m_evidence + u'/' + good.at(0)), QCryptographicHash::Sha256)
                                    .toHex()));
        QCOMPARE(good.at(5), QStringLiteral("jpeg"));
        QVERIFY(good.at(12).split(u';').contains(QStringLiteral("standard-quant-tables")));
        for (const int column : { 6, 9 }) {
            bool ok = false;
            const double p = good.at(column).toDouble(&ok);
            QVERIFY(ok && p >= 0.0 && p <= 1.0);
            // Both are untrained test models: every label says so.
            QCOMPARE(good.at(column + 1),
                p >= 0.5 ? QStringLiteral("untrained_synthetic")
                         : QStringLiteral("untrained_not_flagged"));
            QCOMPARE(good.at(column + 2), QStringLiteral("0.5"));
        }
        QVERIFY(good.at(6) != good.at(9)); // two different models, two verdicts

        // The scan says what analyze says for the same file and model.
        const CliRun analyze = runProgram(kCli,
            { QStringLiteral("analyze"), QStringLiteral("--json"), QStringLiteral("--model"),
                kModel, m_evidence + u'/' + good.at(0) });
        const double analysed = QJsonDocument::fromJson(analyze.out.toUtf8())
                                    .object()
                                    .value(QStringLiteral("results"))
                                    .toArray()
                                    .first()
                                    .toObject()
                                    .value(QStringLiteral("detectors"))
                                    .toArray()
                                    .first()
                                    .toObject()
                                    .value(QStringLiteral("p_synthetic"))
                                    .toDouble();
        QVERIFY(qAbs(analysed - good.at(6).toDouble()) < 1e-5);

        const auto expectStatus = [&rows](const char *name, const char *status) {
            const QStringList row = rows.value(QString::fromLatin1(name));
            QVERIFY2(row.size() > 14, name);
            QCOMPARE(row.at(13), QString::fromLatin1(status));
            QCOMPARE(row.at(6), QString()); // no verdict on a failed file
            QVERIFY(!row.at(14).isEmpty());
        };
        expectStatus("empty.png", "empty-file");
        expectStatus("truncated.jpg", "truncated");
        expectStatus("text_renamed.png", "not-an-image");
        expectStatus("bomb.png", "decompression-bomb");
        QVERIFY(!rows.value(QStringLiteral("truncated.jpg")).at(2).isEmpty()); // still hashed

        const QJsonObject sidecar = readJson(csv + QStringLiteral(".json"));
        QVERIFY(sidecar.value(QStringLiteral("complete")).toBool());
        QCOMPARE(sidecar.value(QStringLiteral("tool_version")).toString(),
            QStringLiteral(FORGELENS_VERSION));
        const QJsonArray models = sidecar.value(QStringLiteral("models")).toArray();
        QCOMPARE(models.size(), 2);
        QCOMPARE(models.at(1).toObject().value(QStringLiteral("bundle_sha256")).toString(),
            QString::fromLatin1(
                QCryptographicHash::hash(readAll(m_secondModel), QCryptographicHash::Sha256)
                    .toHex()));
        QVERIFY(models.at(0).toObject().value(QStringLiteral("manifest")).isObject());
        qint64 counted = 0;
        const QJsonObject counts = sidecar.value(QStringLiteral("status_counts")).toObject();
        for (auto it = counts.begin(); it != counts.end(); ++it)
            counted += it.value().toInteger();
        QCOMPARE(counted, qint64(rows.size()));
        QCOMPARE(counts.value(QStringLiteral("empty-file")).toInteger(), 1);
        QCOMPARE(sidecar.value(QStringLiteral("files"))
                     .toObject()
                     .value(QStringLiteral("skipped_not_images"))
                     .toInteger(),
            1);
        const QDateTime started = QDateTime::fromString(
            sidecar.value(QStringLiteral("started_utc")).toString(), Qt::ISODateWithMs);
        const QDateTime finished = QDateTime::fromString(
            sidecar.value(QStringLiteral("finished_utc")).toString(), Qt::ISODateWithMs);
        QVERIFY(started.isValid() && finished >= started);
        QCOMPARE(started.timeSpec(), Qt::UTC);
        QVERIFY(!QFileInfo::exists(csv + QStringLiteral(".partial")));
        QVERIFY(!QFileInfo::exists(csv + QStringLiteral(".partial.json")));
    }

    // The sidecar records whether JPEGs were decoded reduced: only for a bundle that allows it,
    // and not with --full-decode, so a report says which decode its scores came from.
    void decodeChoiceIsRecorded()
    {
        const QJsonObject manifest
            = forgelens::testing::allowingReducedJpegDecode(forgelens::testing::testManifest());
        const QString allowing = m_work.filePath(QStringLiteral("allows-reduced.pt"));
        QVERIFY(forgelens::testing::saveTestBundle(
            allowing, forgelens::testing::makeTestModule(1), manifest));
        const struct {
            QString model;
            bool fullDecode;
            bool reduced;
        } cases[]
            = { { allowing, false, true }, { allowing, true, false }, { kModel, false, false } };
        int n = 0;
        for (const auto &c : cases) {
            const QString csv = m_work.filePath(QStringLiteral("decode-%1.csv").arg(n++));
            QStringList arguments{ QStringLiteral("scan"), m_evidence, QStringLiteral("--model"),
                c.model, QStringLiteral("-o"), csv, QStringLiteral("--progress"),
                QStringLiteral("none") };
            if (c.fullDecode)
                arguments << QStringLiteral("--full-decode");
            const CliRun run = runProgram(kCli, arguments);
            QVERIFY2(run.exitCode == 0 || run.exitCode == 1, qPrintable(run.err));
            const QJsonObject settings = readJson(csv + QStringLiteral(".json"))
                                             .value(QStringLiteral("settings"))
                                             .toObject();
            QVERIFY(settings.contains(QStringLiteral("reduced_jpeg_decode")));
            QCOMPARE(settings.value(QStringLiteral("reduced_jpeg_decode")).toBool(), c.reduced);
        }
    }

    void refusesWhatWouldLoseOrTouchSomething()
    {
        const QString csv = m_work.filePath(QStringLiteral("refusals.csv"));
        QCOMPARE(scan(m_evidence, csv).exitCode, 1);
        const QByteArray first = readAll(csv);

        CliRun run = scan(m_evidence, csv);
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QStringLiteral("--overwrite")));
        QCOMPARE(readAll(csv), first);

        run = scan(m_evidence, m_evidence + QStringLiteral("/inside.csv"));
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QStringLiteral("inside the evidence folder")));
        QVERIFY(!QFileInfo::exists(m_evidence + QStringLiteral("/inside.csv.partial")));

        run = scan(m_evidence, csv, { QStringLiteral("--resume") });
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QStringLiteral("already complete")));

        run = runProgram(kCli,
            { QStringLiteral("scan"), m_evidence, QStringLiteral("--model"),
                m_work.filePath(QStringLiteral("missing.pt")), QStringLiteral("-o"),
                m_work.filePath(QStringLiteral("never.csv")) });
        QCOMPARE(run.exitCode, 3);
        QVERIFY(!QFileInfo::exists(m_work.filePath(QStringLiteral("never.csv.partial"))));

        run = runProgram(kCli,
            { QStringLiteral("scan"), m_work.filePath(QStringLiteral("no-such-folder")),
                QStringLiteral("--model"), kModel, QStringLiteral("-o"),
                m_work.filePath(QStringLiteral("never.csv")) });
        QCOMPARE(run.exitCode, 4);

        QCOMPARE(
            scan(m_evidence, csv, { QStringLiteral("--shard"), QStringLiteral("3/3") }).exitCode,
            2);
    }

    void resumesAfterKill9WithoutRepeatingOrLosingARow()
    {
        const QString csv = m_work.filePath(QStringLiteral("killed.csv"));
        const QString partial = csv + QStringLiteral(".partial");
        QProcess process;
        startSlowScan(process, csv);
        QVERIFY(waitForRows(partial, 40));
        process.kill(); // SIGKILL: no handler runs, nothing is tidied up
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitStatus(), QProcess::CrashExit);
        QVERIFY(!QFileInfo::exists(csv));
        // What --resume takes back: the rows its sidecar vouches for (a kill between the CSV's
        // sync and the sidecar's leaves a few more, which are scanned again).
        const int kept = vouchedRows(csv);
        QVERIFY2(kept >= 36 && kept < 400, qPrintable(QString::number(kept)));

        // As a scan from before the reduced JPEG decode left its sidecar: without the key, it
        // decoded in full, which is what this bundle (not allowing a reduced decode) does now.
        {
            const QString sidecarPath = partial + QStringLiteral(".json");
            QJsonObject sidecar = readJson(sidecarPath);
            QJsonObject settings = sidecar.value(QStringLiteral("settings")).toObject();
            QVERIFY(settings.contains(QStringLiteral("reduced_jpeg_decode")));
            settings.remove(QStringLiteral("reduced_jpeg_decode"));
            sidecar.insert(QStringLiteral("settings"), settings);
            QFile out(sidecarPath);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(QJsonDocument(sidecar).toJson());
        }

        const CliRun resumed = scan(m_big, csv, { QStringLiteral("--resume") });
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        QVERIFY(resumed.err.contains(QStringLiteral("already in the interrupted report")));
        QCOMPARE(readAll(csv), readAll(m_bigReference));
        const QJsonArray runs
            = readJson(csv + QStringLiteral(".json")).value(QStringLiteral("runs")).toArray();
        QCOMPARE(runs.size(), 2);
        QVERIFY(runs.at(0).toObject().value(QStringLiteral("interrupted")).toBool());
        QVERIFY(!runs.at(1).toObject().value(QStringLiteral("interrupted")).toBool());
        QCOMPARE(
            runs.at(1).toObject().value(QStringLiteral("rows_written")).toInteger(), 400 - kept);
    }

    // The probe: --resume kept an edited partial report (a row for a file that does not exist,
    // a forged label). Now the sidecar vouches for the bytes the scan wrote, and every kept row
    // must name a file of the walk and hold values the scan could have written.
    void resumeTakesBackOnlyWhatTheScanWrote()
    {
        const QString csv = m_work.filePath(QStringLiteral("edited.csv"));
        const QString partial = csv + QStringLiteral(".partial");
        const QString sidecar = partial + QStringLiteral(".json");
        QProcess process;
        startSlowScan(process, csv);
        QVERIFY(waitForRows(partial, 20));
        process.kill();
        QVERIFY(process.waitForFinished(30000));
        const QByteArray original = readAll(partial);
        const QJsonObject originalSidecar = readJson(sidecar);
        const qint64 vouched = originalSidecar.value(QStringLiteral("flushed"))
                                   .toObject()
                                   .value(QStringLiteral("bytes"))
                                   .toInteger();
        QVERIFY(vouched > 0 && vouched <= original.size());

        const auto attempt = [&](const QByteArray &text, bool rehash) {
            QFile file(partial);
            file.open(QIODevice::WriteOnly | QIODevice::Truncate);
            file.write(text);
            file.close();
            QJsonObject json = originalSidecar;
            if (rehash) // an editor who also knows to fix the hash
                json.insert(QStringLiteral("flushed"),
                    QJsonObject{ { QStringLiteral("bytes"), qint64(text.size()) },
                        { QStringLiteral("sha256"),
                            QString::fromLatin1(
                                QCryptographicHash::hash(text, QCryptographicHash::Sha256)
                                    .toHex()) } });
            QFile out(sidecar);
            out.open(QIODevice::WriteOnly | QIODevice::Truncate);
            out.write(QJsonDocument(json).toJson());
            out.close();
            return scan(m_big, csv, { QStringLiteral("--resume") });
        };
        const QByteArray prefix = original.left(vouched);
        const qsizetype firstRow = prefix.indexOf("\r\n") + 2;
        // A forged label inside the vouched rows: the hash no longer matches.
        QByteArray forged = prefix;
        const qsizetype label = forged.indexOf("untrained_", firstRow);
        QVERIFY(label > 0);
        forged.replace(label, 10, "UNTRAINED_");
        CliRun run = attempt(forged, false);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("was changed after the scan wrote it")),
            qPrintable(run.err));
        // With the hash recomputed, the values are checked.
        run = attempt(forged, true);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("is not a label this model gives")),
            qPrintable(run.err));
        // A row for a file that does not exist, hash recomputed.
        QByteArray ghost = prefix;
        const qsizetype end = ghost.indexOf("\r\n", firstRow) + 2;
        QByteArray row = ghost.mid(firstRow, end - firstRow);
        row.replace(0, row.indexOf(','), "no-such-file.png");
        ghost += row;
        run = attempt(ghost, true);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("no-such-file.png, which is not a file")),
            qPrintable(run.err));
        // Rows appended after the vouched prefix are not taken back: their files are scanned
        // again, and the report ends as the one-run reference.
        run = attempt(original + row, false);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(readAll(csv), readAll(m_bigReference));
    }

    // The probe: two scans given the same -o spliced rows into each other, and one still exited
    // 0 with its sidecar saying complete. Now the second refuses while the first holds the lock,
    // and the first's report is exactly the one-run reference.
    void twoScansOnOneReportRefuseEachOther()
    {
        const QString csv = m_work.filePath(QStringLiteral("contested.csv"));
        QProcess first;
        startSlowScan(first, csv);
        QVERIFY(waitForRows(csv + QStringLiteral(".partial"), 4));
        // Held mid-scan, lock taken, while the others try: a fast machine finished the whole
        // scan between two attempts and the test raced it.
        const auto pid = pid_t(first.processId());
        QCOMPARE(::kill(pid, SIGSTOP), 0);
        for (const QStringList &extra : { QStringList{}, QStringList{ QStringLiteral("--resume") },
                 QStringList{ QStringLiteral("--overwrite") } }) {
            const CliRun second = scan(m_big, csv, extra);
            if (second.exitCode != 2)
                ::kill(pid, SIGCONT);
            QCOMPARE(second.exitCode, 2);
            QVERIFY2(second.err.contains(QStringLiteral("report-locked")), qPrintable(second.err));
        }
        QCOMPARE(::kill(pid, SIGCONT), 0);
        QVERIFY(first.waitForFinished(120000));
        QCOMPARE(first.exitCode(), 0);
        QCOMPARE(readAll(csv), readAll(m_bigReference));
        QVERIFY(!QFile::exists(csv + QStringLiteral(".lock")));
    }

    void ctrlCStopsCleanlyAndResumes()
    {
        const QString csv = m_work.filePath(QStringLiteral("interrupted.csv"));
        const QString partial = csv + QStringLiteral(".partial");
        QProcess process;
        startSlowScan(process, csv);
        QVERIFY(waitForRows(partial, 20));
        ::kill(pid_t(process.processId()), SIGINT);
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 130);
        const QString err = QString::fromUtf8(process.readAllStandardError());
        QVERIFY2(err.contains(QStringLiteral("--resume")), qPrintable(err));

        // A clean stop leaves no torn record behind.
        qint64 complete = 0;
        const QByteArray text = readAll(partial);
        parseRecords(text, &complete);
        QCOMPARE(complete, qint64(text.size()));
        const QJsonObject sidecar = readJson(csv + QStringLiteral(".partial.json"));
        QVERIFY(!sidecar.value(QStringLiteral("complete")).toBool());

        CliRun run = scan(m_big, csv);
        QCOMPARE(run.exitCode, 2); // must not silently start over
        QVERIFY(run.err.contains(QStringLiteral("--resume")));

        run = scan(m_big, csv, { QStringLiteral("--resume") });
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(readAll(csv), readAll(m_bigReference));
    }

    // The probe: names that are not valid UTF-8 got no row and no count, a file named like a
    // formula reached the CSV as one, and a walk error (a path over PATH_MAX) still exited 0.
    void hostileNamesGetRowsAndWalkErrorsFailTheExit()
    {
        const QString folder = m_work.filePath(QStringLiteral("names"));
        QVERIFY(QDir().mkpath(folder));
        const QByteArray jpeg
            = readAll(QStringLiteral(FORGELENS_FIXTURES_DIR "/images/pattern_baseline.jpg"));
        const auto writeNative = [&jpeg](const QByteArray &path) {
            const int fd = ::open(path.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const bool ok
                = fd >= 0 && ::write(fd, jpeg.constData(), size_t(jpeg.size())) == jpeg.size();
            if (fd >= 0)
                ::close(fd);
            return ok;
        };
        const QByteArray native = QFile::encodeName(folder);
        QVERIFY(writeNative(native + "/caf\xE9 100%.jpg")); // Latin-1, not UTF-8
        QVERIFY(writeNative(native + "/=HYPERLINK(\"x\").jpg"));

        CliRun run = scan(folder, m_work.filePath(QStringLiteral("names.csv")));
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QByteArray csv = readAll(m_work.filePath(QStringLiteral("names.csv")));
        QVERIFY2(csv.contains("\r\ncaf%E9%20100%25.jpg,"), csv.constData());
        QVERIFY2(csv.contains("\r\n\"'=HYPERLINK(\"\"x\"\").jpg\","), csv.constData());
        QCOMPARE(countRows(m_work.filePath(QStringLiteral("names.csv"))), 2);
        QVERIFY(!csv.contains(",not-found,"));

        // Folders nested past PATH_MAX (4,096 bytes) cannot be listed by path: reported, and the
        // exit code is no longer "every row is ok".
        QByteArray deep = native + "/deep";
        QVERIFY(::mkdir(deep.constData(), 0755) == 0);
        const QByteArray level(200, 'd');
        const int start = ::open(".", O_RDONLY | O_DIRECTORY);
        QVERIFY(::chdir(deep.constData()) == 0);
        for (int i = 0; i < 24; ++i) {
            QVERIFY(::mkdir(level.constData(), 0755) == 0);
            QVERIFY(::chdir(level.constData()) == 0);
        }
        QVERIFY(writeNative("buried.jpg"));
        QVERIFY(::fchdir(start) == 0);
        ::close(start);
        run = scan(folder, m_work.filePath(QStringLiteral("deep.csv")));
        // Removed level by level, from inside: no path to it fits PATH_MAX either.
        QVERIFY(::chdir(deep.constData()) == 0);
        for (int i = 0; i < 24; ++i)
            QVERIFY(::chdir(level.constData()) == 0);
        QVERIFY(::unlink("buried.jpg") == 0);
        for (int i = 0; i < 24; ++i) {
            QVERIFY(::chdir("..") == 0);
            QVERIFY(::rmdir(level.constData()) == 0);
        }
        QVERIFY(QDir::setCurrent(m_work.path()));
        QVERIFY(::unlink(native + "/caf\xE9 100%.jpg") == 0); // QTemporaryDir cannot name it
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("scan: warning: deep/")), qPrintable(run.err));
    }

    void aFullDiskEndsWithAClearMessageAndResumes()
    {
        // RLIMIT_FSIZE makes write(2) fail with EFBIG as a full disk fails it with ENOSPC.
        const QString csv = m_work.filePath(QStringLiteral("full.csv"));
        QProcess process;
        process.start(QStringLiteral("/bin/sh"),
            { QStringLiteral("-c"),
                QStringLiteral("ulimit -f 16; trap '' XFSZ; exec \"$0\" \"$@\""), kCli,
                QStringLiteral("scan"), m_big, QStringLiteral("--model"), kModel,
                QStringLiteral("-o"), csv, QStringLiteral("--batch"), QStringLiteral("1"),
                QStringLiteral("--flush-rows"), QStringLiteral("10"), QStringLiteral("--progress"),
                QStringLiteral("none") });
        QVERIFY(process.waitForFinished(120000));
        QCOMPARE(process.exitCode(), 4);
        const QString err = QString::fromUtf8(process.readAllStandardError());
        QVERIFY2(err.contains(QStringLiteral("cannot write")), qPrintable(err));
        QVERIFY(err.contains(QStringLiteral("--resume")));
        QVERIFY(!QFileInfo::exists(csv));
        QVERIFY(countRows(csv + QStringLiteral(".partial")) > 0);

        const CliRun run = scan(m_big, csv, { QStringLiteral("--resume") });
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(readAll(csv), readAll(m_bigReference));
    }

    void shardsMergeToTheSameReportAsOneRun()
    {
        const QString whole = m_work.filePath(QStringLiteral("whole.csv"));
        QCOMPARE(scan(m_evidence, whole).exitCode, 1);

        // Three shards as three processes at once, as a job array runs them.
        std::vector<std::unique_ptr<QProcess>> shards;
        QStringList parts;
        for (int k = 0; k < 3; ++k) {
            parts.append(m_work.filePath(QStringLiteral("shard-%1.csv").arg(k)));
            shards.push_back(std::make_unique<QProcess>());
            shards.back()->start(kCli,
                scanArguments(m_evidence, parts.back(),
                    { QStringLiteral("--shard"), QStringLiteral("%1/3").arg(k) }));
        }
        int rows = 0;
        for (int k = 0; k < 3; ++k) {
            QVERIFY(shards[size_t(k)]->waitForFinished(120000));
            QVERIFY(shards[size_t(k)]->exitCode() <= 1);
            rows += countRows(parts.at(k));
        }
        QCOMPARE(rows, countRows(whole));

        const QString merged = m_work.filePath(QStringLiteral("merged.csv"));
        CliRun run = runProgram(kCli,
            { QStringLiteral("merge"), parts.at(2), parts.at(0), parts.at(1), QStringLiteral("-o"),
                merged });
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(readAll(merged), readAll(whole));
        const QJsonObject sidecar = readJson(merged + QStringLiteral(".json"));
        QVERIFY(sidecar.value(QStringLiteral("complete")).toBool());
        QCOMPARE(sidecar.value(QStringLiteral("shards")).toArray().size(), 3);

        const QString refused = m_work.filePath(QStringLiteral("refused.csv"));
        run = runProgram(kCli,
            { QStringLiteral("merge"), parts.at(0), parts.at(1), QStringLiteral("-o"), refused });
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.err.contains(QStringLiteral("shards 2/3 are missing")));
        QVERIFY(!QFileInfo::exists(refused));
        run = runProgram(kCli,
            { QStringLiteral("merge"), parts.at(0), parts.at(1), QStringLiteral("-o"), refused,
                QStringLiteral("--allow-missing-shards") });
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(countRows(refused), countRows(parts.at(0)) + countRows(parts.at(1)));

        // The same file twice: refused whether or not sidecars tell the shards apart.
        const QString copy = m_work.filePath(QStringLiteral("copy-of-shard-1.csv"));
        QVERIFY(QFile::copy(parts.at(1), copy));
        run = runProgram(kCli,
            { QStringLiteral("merge"), parts.at(0), parts.at(1), copy, parts.at(2),
                QStringLiteral("-o"), m_work.filePath(QStringLiteral("dup.csv")) });
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("has a row in both")), qPrintable(run.err));
        QVERIFY(!QFileInfo::exists(m_work.filePath(QStringLiteral("dup.csv"))));
    }

private:
    QStringList scanArguments(
        const QString &folder, const QString &csv, const QStringList &extra = {}) const
    {
        // --batch 1: every image runs alone, so results are bit-identical between runs.
        return QStringList{ QStringLiteral("scan"), folder, QStringLiteral("--model"), kModel,
            QStringLiteral("-o"), csv, QStringLiteral("--batch"), QStringLiteral("1"),
            QStringLiteral("--progress"), QStringLiteral("none") }
        + extra;
    }

    CliRun scan(const QString &folder, const QString &csv, const QStringList &extra = {}) const
    {
        return runProgram(kCli, scanArguments(folder, csv, extra));
    }

    void startSlowScan(QProcess &process, const QString &csv) const
    {
        process.start(kCli,
            scanArguments(m_big, csv,
                { QStringLiteral("--decode-threads"), QStringLiteral("1"),
                    QStringLiteral("--flush-rows"), QStringLiteral("4") }));
        QVERIFY(process.waitForStarted());
    }

    static bool waitForRows(const QString &partial, int rows)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 60000) {
            if (countRows(partial) >= rows)
                return true;
            QThread::msleep(5);
        }
        return false;
    }

    QTemporaryDir m_work;
    QString m_evidence;
    QString m_secondModel;
    QString m_big;
    QString m_bigReference;
};

QTEST_GUILESS_MAIN(TestCliScan)
#include "tst_cli_scan.moc"
