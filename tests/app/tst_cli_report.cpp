// `forgelens-cli case` and `forgelens-cli report` as an analyst runs them: a case, its evidence
// analysed into it, the PDF and JSON report read back with poppler's tools and qpdf, and the
// case broken or its evidence changed behind ForgeLens's back.
#include "cli_run.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include "sqlite_edit.h"

#include <sqlite3.h>

using forgelens::testing::CliRun;
using forgelens::testing::editWithSqlite;
using forgelens::testing::runProgram;

namespace {

const QString kCli = QStringLiteral(FORGELENS_CLI);
const QString kModel = QStringLiteral(FORGELENS_TEST_MODEL);
const QString kReference = QStringLiteral(FORGELENS_REFERENCE_DIR "/reference.pt");
const QString kBank = QStringLiteral(FORGELENS_REFERENCE_DIR "/reference.bank.sqlite");

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QJsonObject readJson(const QString &path)
{
    return QJsonDocument::fromJson(fileBytes(path)).object();
}

QString hex(const QByteArray &bytes, QCryptographicHash::Algorithm algorithm)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, algorithm).toHex());
}

// The PDF's text as pdftotext gives it in the order it was drawn (-raw: a table cell's lines
// stay together); squeezed() then removes all white space, so a hash wrapped over two lines of
// a cell is still found whole.
QString pdfText(const QString &pdf)
{
    const CliRun run = runProgram(
        QStringLiteral("pdftotext"), { QStringLiteral("-raw"), pdf, QStringLiteral("-") });
    return run.exitCode == 0 ? run.out : QString();
}

QString squeezed(QString text)
{
    text.remove(QRegularExpression(QStringLiteral("\\s")));
    return text;
}

int pdfPages(const QString &pdf)
{
    const CliRun run = runProgram(QStringLiteral("pdfinfo"), { pdf });
    const QRegularExpressionMatch match
        = QRegularExpression(QStringLiteral("Pages:\\s+(\\d+)")).match(run.out);
    return match.hasMatch() ? match.captured(1).toInt() : -1;
}

// The pictures pdfimages lists (its two header lines left out).
int pdfImageCount(const QString &pdf)
{
    const CliRun run = runProgram(QStringLiteral("pdfimages"), { QStringLiteral("-list"), pdf });
    return run.exitCode == 0 ? int(run.out.split(u'\n', Qt::SkipEmptyParts).size()) - 2 : -1;
}

// What a report's JSON says the PDF shows of one evidence item: the picture with its scored
// regions and each map (only while the file is the evidence that was analysed), and each
// exemplar thumbnail (pictures from the bank, not from the evidence).
int expectedImages(const QJsonObject &item)
{
    const QJsonObject content = item.value(QStringLiteral("analysis"))
                                    .toObject()
                                    .value(QStringLiteral("item"))
                                    .toObject();
    if (content.isEmpty())
        return 0;
    const bool shown
        = item.value(QStringLiteral("check")).toObject().value(QStringLiteral("state")).toString()
        == QLatin1String("unchanged");
    int count = shown ? 1 + int(content.value(QStringLiteral("maps")).toArray().size()) : 0;
    for (const QJsonValue &detector : content.value(QStringLiteral("exemplars")).toArray()) {
        for (const QJsonValue &neighbour :
            detector.toObject().value(QStringLiteral("neighbours")).toArray())
            count += neighbour.toObject().value(QStringLiteral("thumbnail")).toObject().isEmpty()
                ? 0
                : 1;
    }
    return count;
}

} // namespace

class TestCliReport : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_evidence;
    QString m_case;
    QStringList m_images;
    QJsonObject m_report;
    QString m_pdf;

    CliRun cli(const QStringList &arguments) { return runProgram(kCli, arguments); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_evidence = m_dir.filePath(QStringLiteral("evidence"));
        QVERIFY(QDir().mkpath(m_evidence));
        QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("out"))));
        // A PNG with the settings a Stable Diffusion web UI writes, and a plain photograph-like
        // JPEG whose name needs quoting in a shell.
        QImage generated(320, 256, QImage::Format_RGB888);
        QRandomGenerator random(7);
        for (int y = 0; y < generated.height(); ++y)
            for (int x = 0; x < generated.width(); ++x)
                generated.setPixelColor(
                    x, y, QColor((x * 3) % 256, (y * 5) % 256, int(random.bounded(256))));
        generated.setText(QStringLiteral("parameters"),
            QStringLiteral("a harbour at dusk\nSteps: 30, Sampler: Euler a, CFG scale: 7, Seed: 1, "
                           "Size: 320x256, Model: sd_xl_base_1.0"));
        m_images << m_evidence + QStringLiteral("/generated.png");
        QVERIFY(generated.save(m_images.last()));
        QImage photo(400, 300, QImage::Format_RGB888);
        for (int y = 0; y < photo.height(); ++y)
            for (int x = 0; x < photo.width(); ++x)
                photo.setPixelColor(x, y, QColor(int(random.bounded(256)), 90 + y % 60, 120));
        m_images << m_evidence + QStringLiteral("/harbour's photo.jpg");
        QVERIFY(photo.save(m_images.last(), "JPEG", 90));

        m_case = m_dir.filePath(QStringLiteral("case.forgelens"));
        const CliRun made = cli({ QStringLiteral("case"), QStringLiteral("new"), m_case,
            QStringLiteral("--case-number"), QStringLiteral("2026-0017"), QStringLiteral("--title"),
            QStringLiteral("Harbour at dusk"), QStringLiteral("--examiner"),
            QStringLiteral("A. Analyst"), QStringLiteral("--organisation"),
            QStringLiteral("Verification desk"), QStringLiteral("--time-zone"),
            QStringLiteral("Europe/Berlin") });
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));

        m_pdf = m_dir.filePath(QStringLiteral("out/report.pdf"));
        const CliRun report = cli(QStringList{ QStringLiteral("report") } + m_images
            + QStringList{ QStringLiteral("--case"), m_case, QStringLiteral("--model"), kModel,
                QStringLiteral("--model"), kReference, QStringLiteral("--bank"), kBank,
                QStringLiteral("--max-windows"), QStringLiteral("16"), QStringLiteral("-o"), m_pdf,
                QStringLiteral("--json"), m_dir.filePath(QStringLiteral("out/report.json")) });
        QVERIFY2(report.exitCode == 0, qPrintable(report.err + report.out));
        m_report = readJson(m_dir.filePath(QStringLiteral("out/report.json")));
        QCOMPARE(m_report.value(QStringLiteral("format")).toString(),
            QStringLiteral("forgelens-report"));
    }

    void listedHashesVerifyAgainstTheEvidence()
    {
        const QJsonArray evidence = m_report.value(QStringLiteral("evidence")).toArray();
        QCOMPARE(evidence.size(), 2);
        const QString text = squeezed(pdfText(m_pdf));
        for (const QJsonValue &value : evidence) {
            const QJsonObject item = value.toObject();
            const QByteArray bytes = fileBytes(item.value(QStringLiteral("path")).toString());
            QVERIFY(!bytes.isEmpty());
            QCOMPARE(item.value(QStringLiteral("sha256")).toString(),
                hex(bytes, QCryptographicHash::Sha256));
            QCOMPARE(item.value(QStringLiteral("sha1")).toString(),
                hex(bytes, QCryptographicHash::Sha1));
            QCOMPARE(
                item.value(QStringLiteral("md5")).toString(), hex(bytes, QCryptographicHash::Md5));
            for (const char *key : { "sha256", "sha1", "md5" })
                QVERIFY2(text.contains(item.value(QLatin1String(key)).toString()), key);
            QCOMPARE(item.value(QStringLiteral("check"))
                         .toObject()
                         .value(QStringLiteral("state"))
                         .toString(),
                QStringLiteral("unchanged"));
        }
        // `case verify` hashes them again and finds them as they were taken in.
        const CliRun verify = cli({ QStringLiteral("case"), QStringLiteral("verify"), m_case });
        QCOMPARE(verify.exitCode, 0);
        QVERIFY(verify.out.contains(QStringLiteral("now    unchanged")));
    }

    void thePdfCarriesModelsThresholdsFindingsAndTheChainHead()
    {
        const QString text = squeezed(pdfText(m_pdf));
        QVERIFY(text.contains(QStringLiteral("forgelens-untrained-test")));
        QVERIFY(text.contains(QStringLiteral("forgelens-reference")));
        const QJsonArray runs = m_report.value(QStringLiteral("runs")).toArray();
        QCOMPARE(runs.size(), 1);
        const QJsonArray detectors = runs.first()
                                         .toObject()
                                         .value(QStringLiteral("environment"))
                                         .toObject()
                                         .value(QStringLiteral("detectors"))
                                         .toArray();
        QCOMPARE(detectors.size(), 2);
        for (const QJsonValue &value : detectors) {
            const QJsonObject model = value.toObject();
            QVERIFY(text.contains(model.value(QStringLiteral("bundle_sha256")).toString()));
            QVERIFY(text.contains(model.value(QStringLiteral("manifest_sha256")).toString()));
            QVERIFY2(text.contains(
                         QStringLiteral("threshold%1")
                             .arg(model.value(QStringLiteral("threshold")).toDouble(), 0, 'f', 4)),
                qPrintable(model.value(QStringLiteral("id")).toString()));
        }
        QStringList findings;
        for (const QJsonValue &value : m_report.value(QStringLiteral("evidence")).toArray()) {
            const QJsonObject metadata = value.toObject()
                                             .value(QStringLiteral("analysis"))
                                             .toObject()
                                             .value(QStringLiteral("item"))
                                             .toObject()
                                             .value(QStringLiteral("metadata"))
                                             .toObject();
            for (const QJsonValue &finding : metadata.value(QStringLiteral("findings")).toArray())
                findings << finding.toObject().value(QStringLiteral("code")).toString();
        }
        QVERIFY2(findings.contains(QStringLiteral("ai-generator-metadata")),
            qPrintable(findings.join(u' ')));
        for (const QString &code : findings)
            QVERIFY2(text.contains(code), qPrintable(code));
        // The chain head the report carries is the one the export logged.
        const QString head = m_report.value(QStringLiteral("chain"))
                                 .toObject()
                                 .value(QStringLiteral("head"))
                                 .toString();
        QCOMPARE(head.size(), 64);
        QVERIFY(text.contains(head));
        const CliRun info = cli({ QStringLiteral("case"), QStringLiteral("info"), m_case });
        QVERIFY(info.out.contains(QStringLiteral("intact")));
        QVERIFY(!text.contains(QStringLiteral("BROKEN")));
    }

    void pagesImagesFontsAndPdfA()
    {
        const int pages = pdfPages(m_pdf);
        QVERIFY(pages >= 4);
        const QString text = pdfText(m_pdf);
        QVERIFY(text.contains(QStringLiteral("Page %1 of %1").arg(pages)));
        QVERIFY(!text.contains(QStringLiteral("Page %1 of").arg(pages + 1)));
        int expected = 0;
        for (const QJsonValue &value : m_report.value(QStringLiteral("evidence")).toArray())
            expected += expectedImages(value.toObject());
        QVERIFY(expected >= 2 + 4 + 10); // two pictures, four maps or more, ten exemplars
        QCOMPARE(pdfImageCount(m_pdf), expected);
        // Every font is embedded.
        const CliRun fonts = runProgram(QStringLiteral("pdffonts"), { m_pdf });
        const QStringList rows = fonts.out.split(u'\n', Qt::SkipEmptyParts).mid(2);
        QVERIFY(!rows.isEmpty());
        for (const QString &row : rows)
            QVERIFY2(row.split(u' ', Qt::SkipEmptyParts)
                         .mid(row.split(u' ', Qt::SkipEmptyParts).size() - 5, 1)
                    == QStringList{ QStringLiteral("yes") },
                qPrintable(row));
        // PDF/A-1b as far as Debian's tools can tell: qpdf finds the file sound, the XMP says
        // part 1 conformance B, and nothing is transparent (opacity only 1.0, no soft mask).
        const CliRun check
            = runProgram(QStringLiteral("qpdf"), { QStringLiteral("--check"), m_pdf });
        QVERIFY2(check.exitCode == 0, qPrintable(check.out + check.err));
        const QByteArray pdf = fileBytes(m_pdf);
        QVERIFY(pdf.contains("pdfaid:part=\"1\""));
        QVERIFY(pdf.contains("pdfaid:conformance=\"B\""));
        const QRegularExpression opacity(QStringLiteral("/(ca|CA) ([0-9.]+)"));
        for (auto it = opacity.globalMatch(QString::fromLatin1(pdf)); it.hasNext();)
            QCOMPARE(it.next().captured(2).toDouble(), 1.0);
        const QRegularExpression softMask(QStringLiteral("/SMask\\s*/?(\\w+)"));
        for (auto it = softMask.globalMatch(QString::fromLatin1(pdf)); it.hasNext();)
            QCOMPARE(it.next().captured(1), QStringLiteral("None"));
        QVERIFY(text.contains(QStringLiteral("PDF/A-1b intended")));
    }

    void theExportIsLoggedWithItsHash()
    {
        const CliRun info = cli({ QStringLiteral("case"), QStringLiteral("info"), m_case });
        QVERIFY(info.out.contains(QStringLiteral("intact")));
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open_v2(
                     QFile::encodeName(m_case).constData(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
        sqlite3_stmt *last = nullptr;
        sqlite3_prepare_v2(
            db, "SELECT action, detail FROM log ORDER BY seq DESC LIMIT 1", -1, &last, nullptr);
        QCOMPARE(sqlite3_step(last), SQLITE_ROW);
        const QString action
            = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(last, 0)));
        const QJsonObject detail = QJsonDocument::fromJson(
            QByteArray(reinterpret_cast<const char *>(sqlite3_column_text(last, 1))))
                                       .object();
        sqlite3_finalize(last);
        sqlite3_close_v2(db);
        QCOMPARE(action, QStringLiteral("exported"));
        QCOMPARE(detail.value(QStringLiteral("pdf"))
                     .toObject()
                     .value(QStringLiteral("sha256"))
                     .toString(),
            hex(fileBytes(m_pdf), QCryptographicHash::Sha256));
        QCOMPARE(detail.value(QStringLiteral("chain_head")).toString(),
            m_report.value(QStringLiteral("chain"))
                .toObject()
                .value(QStringLiteral("head"))
                .toString());
    }

    void aReportOfTheCaseAlone()
    {
        const QString pdf = m_dir.filePath(QStringLiteral("out/again.pdf"));
        const CliRun run = cli({ QStringLiteral("report"), m_case, QStringLiteral("--page-size"),
            QStringLiteral("Letter"), QStringLiteral("-o"), pdf });
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const CliRun info = runProgram(QStringLiteral("pdfinfo"), { pdf });
        QVERIFY(info.out.contains(QStringLiteral("612 x 792 pts (letter)")));
        // The same analysis, the same pictures.
        QCOMPARE(pdfImageCount(pdf), pdfImageCount(m_pdf));
    }

    void changedEvidenceIsSaidAndNotShown()
    {
        const QString copy = m_dir.filePath(QStringLiteral("changed.forgelens"));
        QVERIFY(QFile::copy(m_case, copy));
        // The JPEG is re-saved: other bytes at the intake path.
        const QString jpeg = m_images.last();
        const QByteArray original = fileBytes(jpeg);
        QVERIFY(QImage(jpeg).save(jpeg, "JPEG", 70));
        const QString pdf = m_dir.filePath(QStringLiteral("out/changed.pdf"));
        const QString json = m_dir.filePath(QStringLiteral("out/changed.json"));
        const CliRun run = cli({ QStringLiteral("report"), copy, QStringLiteral("-o"), pdf,
            QStringLiteral("--json"), json });
        const CliRun verify = cli({ QStringLiteral("case"), QStringLiteral("verify"), copy });
        QFile restore(jpeg);
        QVERIFY(restore.open(QIODevice::WriteOnly | QIODevice::Truncate));
        restore.write(original);
        restore.close();
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(run.out.contains(QStringLiteral("1 evidence picture(s) not shown")));
        QCOMPARE(verify.exitCode, 1);
        QVERIFY(verify.out.contains(QStringLiteral("now    changed")));
        const QString text = pdfText(pdf);
        QVERIFY(text.contains(QStringLiteral("EVIDENCE FILE CHANGED")));
        QVERIFY(text.contains(QStringLiteral("no longer the")));
        const QJsonArray evidence = readJson(json).value(QStringLiteral("evidence")).toArray();
        int expected = 0;
        for (const QJsonValue &value : evidence) {
            const QJsonObject item = value.toObject();
            if (item.value(QStringLiteral("check"))
                    .toObject()
                    .value(QStringLiteral("state"))
                    .toString()
                == QLatin1String("changed"))
                QCOMPARE(item.value(QStringLiteral("path")).toString(), jpeg);
            expected += expectedImages(item);
        }
        QCOMPARE(pdfImageCount(pdf), expected);
    }

    void aCaseEditedWithSqliteIsReportedBroken()
    {
        const QString copy = m_dir.filePath(QStringLiteral("edited.forgelens"));
        QVERIFY(QFile::copy(m_case, copy));
        QVERIFY(editWithSqlite(copy, "UPDATE log SET actor = 'someone else' WHERE seq = 2"));
        const QByteArray before = fileBytes(copy);
        const CliRun verify = cli({ QStringLiteral("case"), QStringLiteral("verify"), copy });
        QCOMPARE(verify.exitCode, 1);
        QVERIFY(verify.out.contains(QStringLiteral("BROKEN")));
        QVERIFY(verify.out.contains(QStringLiteral("entry 2")));
        const QString pdf = m_dir.filePath(QStringLiteral("out/broken.pdf"));
        const CliRun run = cli({ QStringLiteral("report"), copy, QStringLiteral("-o"), pdf });
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(run.err.contains(QStringLiteral("does not verify")));
        QVERIFY(squeezed(pdfText(pdf)).contains(QStringLiteral("CASELOGBROKEN")));
        // Nothing was added to it: the export of a broken case is not logged in it.
        QCOMPARE(fileBytes(copy), before);
        // And no run is added to it either.
        const CliRun added
            = cli({ QStringLiteral("case"), QStringLiteral("note"), copy, QStringLiteral("more") });
        QCOMPARE(added.exitCode, 4);
        QCOMPARE(fileBytes(copy), before);
    }

    void aDamagedCaseIsRefused()
    {
        const QString copy = m_dir.filePath(QStringLiteral("cut.forgelens"));
        QByteArray bytes = fileBytes(m_case);
        bytes.truncate(bytes.size() / 2);
        QFile file(copy);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes);
        file.close();
        const QString pdf = m_dir.filePath(QStringLiteral("out/cut.pdf"));
        const CliRun run = cli({ QStringLiteral("report"), copy, QStringLiteral("-o"), pdf });
        QCOMPARE(run.exitCode, 4);
        QVERIFY2(
            run.err.contains(QStringLiteral("not a usable ForgeLens case")), qPrintable(run.err));
        QVERIFY(run.err.contains(QStringLiteral("cut short")));
        QVERIFY(!QFile::exists(pdf));
        QCOMPARE(fileBytes(copy), bytes);
    }

    void theEvidenceFolderIsNeverWritten()
    {
        const QString inside = m_evidence + QStringLiteral("/report.pdf");
        const CliRun run = cli({ QStringLiteral("report"), m_case, QStringLiteral("-o"), inside });
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QStringLiteral("evidence folder is never written")));
        QVERIFY(!QFile::exists(inside));
    }

    void aScanSummary()
    {
        const QString folder = m_dir.filePath(QStringLiteral("scanned"));
        QVERIFY(QDir().mkpath(folder));
        QRandomGenerator random(11);
        for (int i = 0; i < 6; ++i) {
            QImage image(96 + 8 * i, 80, QImage::Format_RGB888);
            image.fill(QColor(int(random.bounded(256)), int(random.bounded(256)), 40 * i));
            QVERIFY(image.save(folder + QStringLiteral("/frame-%1.png").arg(i)));
        }
        const QString csv = m_dir.filePath(QStringLiteral("out/scan.csv"));
        const CliRun scan = cli({ QStringLiteral("scan"), folder, QStringLiteral("--model"), kModel,
            QStringLiteral("-o"), csv, QStringLiteral("--progress"), QStringLiteral("none") });
        QVERIFY2(scan.exitCode == 0, qPrintable(scan.err));
        const QString pdf = m_dir.filePath(QStringLiteral("out/scan.pdf"));
        const QString json = m_dir.filePath(QStringLiteral("out/scan.json"));
        const CliRun run = cli({ QStringLiteral("report"), QStringLiteral("--scan"), csv,
            QStringLiteral("--thumbnails"), QStringLiteral("4"), QStringLiteral("-o"), pdf,
            QStringLiteral("--json"), json });
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject summary = readJson(json)
                                        .value(QStringLiteral("scans"))
                                        .toArray()
                                        .first()
                                        .toObject()
                                        .value(QStringLiteral("summary"))
                                        .toObject();
        QCOMPARE(summary.value(QStringLiteral("rows")).toInt(), 6);
        const QString csvSha256 = hex(fileBytes(csv), QCryptographicHash::Sha256);
        QCOMPARE(summary.value(QStringLiteral("csv"))
                     .toObject()
                     .value(QStringLiteral("sha256"))
                     .toString(),
            csvSha256);
        const QString text = squeezed(pdfText(pdf));
        QVERIFY(text.contains(csvSha256));
        const QJsonObject detector
            = summary.value(QStringLiteral("detectors")).toArray().first().toObject();
        const int flagged = detector.value(QStringLiteral("flagged_count")).toInt();
        QCOMPARE(detector.value(QStringLiteral("flagged")).toArray().size(), flagged);
        QVERIFY2(flagged > 0, "the untrained test model flags some of these frames");
        QCOMPARE(pdfImageCount(pdf), std::min(flagged, 4));
        for (const QJsonValue &row : detector.value(QStringLiteral("flagged")).toArray())
            QVERIFY(text.contains(row.toObject().value(QStringLiteral("sha256")).toString()));
    }

    void analyzeScanAndEvaluateAddTheirRuns()
    {
        const QString caseFile = m_dir.filePath(QStringLiteral("runs.forgelens"));
        QCOMPARE(cli({ QStringLiteral("case"), QStringLiteral("new"), caseFile,
                         QStringLiteral("--case-number"), QStringLiteral("R-1") })
                     .exitCode,
            0);
        const CliRun analyze = cli({ QStringLiteral("analyze"), m_images.first(),
            QStringLiteral("--model"), kModel, QStringLiteral("--case"), caseFile });
        QVERIFY2(analyze.exitCode == 0, qPrintable(analyze.err));
        QVERIFY(analyze.err.contains(QStringLiteral("recorded as run 1")));
        // A labelled folder: real/ and sdxl/, scanned and evaluated into the case.
        const QString labelled = m_dir.filePath(QStringLiteral("labelled"));
        QRandomGenerator random(3);
        for (const QString &label : { QStringLiteral("real"), QStringLiteral("sdxl") }) {
            QVERIFY(QDir().mkpath(labelled + u'/' + label));
            for (int i = 0; i < 5; ++i) {
                QImage image(80 + 4 * i, 72, QImage::Format_RGB888);
                image.fill(QColor(
                    int(random.bounded(256)), label == QLatin1String("real") ? 60 : 200, 30 * i));
                QVERIFY(image.save(labelled + u'/' + label + QStringLiteral("/%1.png").arg(i)));
            }
        }
        const CliRun scan = cli({ QStringLiteral("scan"), labelled, QStringLiteral("--model"),
            kModel, QStringLiteral("-o"), m_dir.filePath(QStringLiteral("out/labelled.csv")),
            QStringLiteral("--progress"), QStringLiteral("none"), QStringLiteral("--case"),
            caseFile });
        QVERIFY2(scan.exitCode == 0, qPrintable(scan.err));
        const CliRun evaluate = cli({ QStringLiteral("evaluate"), labelled,
            QStringLiteral("--model"), kModel, QStringLiteral("-o"),
            m_dir.filePath(QStringLiteral("out/evaluation")), QStringLiteral("--no-plots"),
            QStringLiteral("--bootstrap"), QStringLiteral("50"), QStringLiteral("--progress"),
            QStringLiteral("none"), QStringLiteral("--case"), caseFile });
        QVERIFY2(evaluate.exitCode == 0, qPrintable(evaluate.err));
        const CliRun info = cli({ QStringLiteral("case"), QStringLiteral("info"), caseFile });
        QVERIFY(info.out.contains(QStringLiteral("run 1: analysis")));
        QVERIFY(info.out.contains(QStringLiteral("run 2: scan")));
        QVERIFY(info.out.contains(QStringLiteral("run 3: evaluation")));
        QVERIFY(info.out.contains(QStringLiteral("intact")));
        const QString pdf = m_dir.filePath(QStringLiteral("out/runs.pdf"));
        const QString json = m_dir.filePath(QStringLiteral("out/runs.json"));
        const CliRun report = cli({ QStringLiteral("report"), caseFile, QStringLiteral("-o"), pdf,
            QStringLiteral("--json"), json });
        QVERIFY2(report.exitCode == 0, qPrintable(report.err));
        const QJsonObject content = readJson(json);
        QCOMPARE(content.value(QStringLiteral("scans")).toArray().size(), 1);
        const QJsonArray evaluations = content.value(QStringLiteral("evaluations")).toArray();
        QCOMPARE(evaluations.size(), 1);
        const QJsonObject detector = evaluations.first()
                                         .toObject()
                                         .value(QStringLiteral("detectors"))
                                         .toArray()
                                         .first()
                                         .toObject();
        const double auc = detector.value(QStringLiteral("overall"))
                               .toObject()
                               .value(QStringLiteral("auc"))
                               .toDouble();
        const QString text = pdfText(pdf);
        QVERIFY(text.contains(QStringLiteral("How the detectors measured on labelled images")));
        QVERIFY2(squeezed(text).contains(QString::number(auc, 'f', 3)),
            qPrintable(QString::number(auc)));
        QVERIFY(squeezed(text).contains(QStringLiteral("forgelens-clievaluate")));
    }
};

QTEST_GUILESS_MAIN(TestCliReport)
#include "tst_cli_report.moc"
