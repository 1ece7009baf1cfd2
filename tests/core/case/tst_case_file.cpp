// Cases: the store of an analyst's evidence, runs, marks and notes, and the hash-chained log
// that shows whether any of it was changed outside ForgeLens.
#include "forgelens/case/case_file.h"
#include "forgelens/case/case_report.h"
#include "sqlite_edit.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace forgelens;
using forgelens::testing::editWithSqlite;

namespace {

CaseHeader header()
{
    CaseHeader h;
    h.number = QStringLiteral("2026-0042");
    h.title = QStringLiteral("Harbour photograph");
    h.examiner = QStringLiteral("A. Analyst");
    h.organisation = QStringLiteral("Verification desk");
    h.timeZone = QStringLiteral("Europe/Berlin");
    return h;
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        && file.write(bytes) == bytes.size();
}

QString hex(const QByteArray &bytes, QCryptographicHash::Algorithm algorithm)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, algorithm).toHex());
}

} // namespace

class TestCaseFile : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_evidence;
    QByteArray m_bytes;

    // A case with one evidence item, one analysis run, a note and a mark: 5 log entries.
    std::unique_ptr<CaseFile> filledCase(const QString &name)
    {
        Result<std::unique_ptr<CaseFile>> made = CaseFile::create(m_dir.filePath(name), header());
        if (!made)
            return nullptr;
        std::unique_ptr<CaseFile> c = std::move(made).value();
        Result<CaseEvidence> item = c->addEvidence(m_evidence);
        CaseRun run;
        run.kind = QStringLiteral("analysis");
        run.startedUtc = QDateTime::currentDateTimeUtc();
        run.finishedUtc = run.startedUtc;
        run.environment = QJsonObject{ { QStringLiteral("tool_version"), QStringLiteral("test") } };
        run.results = QJsonObject{ { QStringLiteral("items"),
            QJsonArray{ QJsonObject{ { QStringLiteral("record"),
                QJsonObject{ { QStringLiteral("sha256"), item ? item->intake.sha256 : QString() },
                    { QStringLiteral("p"), 0.25 } } } } } } };
        if (!item || !c->addRun(run)
            || !c->addNote(QStringLiteral("Seen at 10:00.\nSecond line."), item->intake.sha256)
            || c->setMark(CaseMark{ m_evidence, item->intake.sha256, TriageMark::Suspicious,
                QStringLiteral("check the sky"), {} }))
            return nullptr;
        return c;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_evidence = m_dir.filePath(QStringLiteral("harbour's photo.jpg"));
        m_bytes = QByteArray("\xff\xd8\xff\xe0 not really a JPEG, but evidence bytes all the same");
        QVERIFY(writeBytes(m_evidence, m_bytes));
    }

    void createdCaseReopensIntact()
    {
        const QString path = m_dir.filePath(QStringLiteral("new.forgelens"));
        Result<std::unique_ptr<CaseFile>> made = CaseFile::create(path, header());
        QVERIFY2(made.ok(), qPrintable(made.ok() ? QString() : made.error().message));
        QVERIFY(!QFile::exists(path + QStringLiteral(".part")));
        made.value().reset();
        Result<std::unique_ptr<CaseFile>> opened = CaseFile::open(path);
        QVERIFY(opened.ok());
        const CaseHeader h = (*opened)->header();
        QCOMPARE(h.number, header().number);
        QCOMPARE(h.timeZone, QStringLiteral("Europe/Berlin"));
        QVERIFY((*opened)->chainStatus().intact);
        const std::vector<CaseLogEntry> log = (*opened)->log();
        QCOMPARE(log.size(), size_t(1));
        QCOMPARE(log.front().action, QStringLiteral("case-created"));
        QCOMPARE(log.front().previousHash, caseLogAnchor((*opened)->uid()));
        QCOMPARE((*opened)->chainStatus().head, log.front().hash);
        // A second case at the same path is refused; a bad header is refused.
        QCOMPARE(CaseFile::create(path, header()).error().code, ErrorCode::OutputExists);
        CaseHeader bad = header();
        bad.timeZone = QStringLiteral("Mars/Olympus_Mons");
        QCOMPARE(CaseFile::create(m_dir.filePath(QStringLiteral("x.forgelens")), bad).error().code,
            ErrorCode::BadSettings);
        bad = header();
        bad.title = QStringLiteral("two\nlines");
        QCOMPARE(CaseFile::create(m_dir.filePath(QStringLiteral("x.forgelens")), bad).error().code,
            ErrorCode::BadSettings);
    }

    void intakeRecordsThreeHashes()
    {
        std::unique_ptr<CaseFile> c = filledCase(QStringLiteral("intake.forgelens"));
        QVERIFY(c);
        const std::vector<CaseEvidence> items = c->evidence();
        QCOMPARE(items.size(), size_t(1));
        const EvidenceIntake &intake = items.front().intake;
        QCOMPARE(intake.sha256, hex(m_bytes, QCryptographicHash::Sha256));
        QCOMPARE(intake.sha1, hex(m_bytes, QCryptographicHash::Sha1));
        QCOMPARE(intake.md5, hex(m_bytes, QCryptographicHash::Md5));
        QCOMPARE(intake.size, qint64(m_bytes.size()));
        QVERIFY(intake.stableDuringIntake);
        // The same file again is the same item, and logs nothing.
        const qint64 entries = c->chainStatus().entries;
        Result<CaseEvidence> again = c->addEvidence(m_evidence);
        QVERIFY(again.ok());
        QCOMPARE(again->id, items.front().id);
        QCOMPARE(c->chainStatus().entries, entries);
        QCOMPARE(c->addEvidence(m_dir.filePath(QStringLiteral("absent.jpg"))).error().code,
            ErrorCode::NotFound);
        // Evidence is read, never written: its bytes are as they were.
        QCOMPARE(fileBytes(m_evidence), m_bytes);
    }

    void everyChangeIsChainedAndSurvivesReopening()
    {
        const QString path = m_dir.filePath(QStringLiteral("chain.forgelens"));
        {
            std::unique_ptr<CaseFile> c = filledCase(QStringLiteral("chain.forgelens"));
            QVERIFY(c);
            QVERIFY(!c->logAction(QStringLiteral("exported"),
                QJsonObject{ { QStringLiteral("file"), QStringLiteral("r.pdf") } }));
        }
        Result<std::unique_ptr<CaseFile>> opened = CaseFile::open(path);
        QVERIFY(opened.ok());
        const CaseChainStatus status = (*opened)->chainStatus();
        QVERIFY2(status.intact, qPrintable(status.problems.join(u'\n')));
        QCOMPARE(status.entries, qint64(6));
        const std::vector<CaseLogEntry> log = (*opened)->log();
        QStringList actions;
        for (size_t i = 0; i < log.size(); ++i) {
            actions << log[i].action;
            QCOMPARE(log[i].seq, qint64(i + 1));
            QCOMPARE(log[i].hash, caseLogEntryHash(log[i]));
            if (i > 0)
                QCOMPARE(log[i].previousHash, log[i - 1].hash);
        }
        QCOMPARE(actions,
            QStringList({ QStringLiteral("case-created"), QStringLiteral("evidence-added"),
                QStringLiteral("run-added"), QStringLiteral("note-added"),
                QStringLiteral("mark-set"), QStringLiteral("exported") }));
        QCOMPARE((*opened)->notes().front().text, QStringLiteral("Seen at 10:00.\nSecond line."));
        QCOMPARE((*opened)->marks().front().mark, TriageMark::Suspicious);
        QCOMPARE(
            (*opened)->runs().front().results.value(QStringLiteral("items")).toArray().size(), 1);
        // A run without times is recorded at the time it was added, not refused.
        CaseRun untimed;
        untimed.kind = QStringLiteral("evaluation");
        Result<qint64> added = (*opened)->addRun(untimed);
        QVERIFY2(added.ok(), qPrintable(added.ok() ? QString() : added.error().message));
        QVERIFY((*opened)->runs().back().startedUtc.isValid());
    }

    void editsOutsideForgeLensAreFound_data()
    {
        QTest::addColumn<QByteArray>("sql");
        QTest::addColumn<QString>("expected");
        QTest::newRow("log entry edited")
            << QByteArray("UPDATE log SET detail = '{}' WHERE seq = 2")
            << QStringLiteral("entry 2 (evidence-added) no longer matches its hash");
        QTest::newRow("log entry deleted") << QByteArray("DELETE FROM log WHERE seq = 3")
                                           << QStringLiteral("entry 4 follows entry 2");
        QTest::newRow("last entry deleted")
            << QByteArray("DELETE FROM log WHERE seq = 5")
            << QStringLiteral("the case recorded 5 log entries, but 4 are there");
        QTest::newRow("whole chain rewritten from entry 3")
            << QByteArray("UPDATE log SET previous_hash = hash WHERE seq >= 3")
            << QStringLiteral("entry 3 (run-added) does not follow");
        QTest::newRow("run results edited")
            << QByteArray("UPDATE runs SET results = '{\"items\":[]}'")
            << QStringLiteral("run 1's results are not as they were logged");
        QTest::newRow("note edited") << QByteArray("UPDATE notes SET text = 'Seen at 11:00.'")
                                     << QStringLiteral("note 1 is not as it was logged");
        QTest::newRow("evidence hash replaced")
            << QByteArray("UPDATE evidence SET sha256 = '" + QByteArray(64, 'a') + "'")
            << QStringLiteral("evidence item 1 is not as its intake was logged");
        QTest::newRow("mark changed") << QByteArray("UPDATE marks SET mark = 'cleared'")
                                      << QStringLiteral("is not as it was logged");
        QTest::newRow("mark deleted")
            << QByteArray("DELETE FROM marks") << QStringLiteral("was logged but is gone");
    }

    void editsOutsideForgeLensAreFound()
    {
        QFETCH(QByteArray, sql);
        QFETCH(QString, expected);
        const QString name
            = QStringLiteral("tamper-%1.forgelens")
                  .arg(QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-'));
        const QString path = m_dir.filePath(name);
        QVERIFY(filledCase(name));
        QVERIFY(editWithSqlite(path, sql.constData()));
        Result<std::unique_ptr<CaseFile>> opened = CaseFile::open(path);
        QVERIFY2(opened.ok(), "a case whose log does not verify still opens, to be seen");
        const CaseChainStatus status = (*opened)->chainStatus();
        QVERIFY(!status.intact);
        QVERIFY2(status.problems.join(u'\n').contains(expected),
            qPrintable(status.problems.join(u'\n')));
        QVERIFY(status.summary().startsWith(QStringLiteral("BROKEN")));
        // A broken case is kept as it is for examination: nothing is added to it, and it is
        // never copied over the last good copy.
        const QString backup = CaseFile::backupPathFor(path);
        const QByteArray backupBefore = fileBytes(backup);
        const QByteArray caseBefore = fileBytes(path);
        Result<qint64> note = (*opened)->addNote(QStringLiteral("after the edit"));
        QVERIFY(!note.ok());
        QCOMPARE(note.error().code, ErrorCode::CaseWriteFailed);
        QVERIFY(note.error().message.contains(QStringLiteral("does not verify")));
        QCOMPARE(fileBytes(backup), backupBefore);
        QCOMPARE(fileBytes(path), caseBefore);
    }

    void damagedCasesAreRefusedAndTheGoodCopyKept_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::newRow("cut short") << QStringLiteral("cut");
        QTest::newRow("page overwritten") << QStringLiteral("overwrite");
        QTest::newRow("header garbled") << QStringLiteral("header");
        QTest::newRow("empty") << QStringLiteral("empty");
    }

    void damagedCasesAreRefusedAndTheGoodCopyKept()
    {
        QFETCH(QString, damage);
        const QString path = m_dir.filePath(QStringLiteral("damaged-%1.forgelens").arg(damage));
        QVERIFY(filledCase(QFileInfo(path).fileName()));
        // A second session: its first change copies the intact case to PATH.bak.
        {
            Result<std::unique_ptr<CaseFile>> opened = CaseFile::open(path);
            QVERIFY(opened.ok());
            QVERIFY((*opened)->addNote(QStringLiteral("second session")).ok());
        }
        const QString backup = CaseFile::backupPathFor(path);
        const QByteArray good = fileBytes(backup);
        QVERIFY(!good.isEmpty());
        QByteArray bytes = fileBytes(path);
        if (damage == QLatin1String("cut"))
            bytes.truncate(bytes.size() - 4096 - 100);
        else if (damage == QLatin1String("overwrite"))
            bytes.replace(4096 + 8, 512, QByteArray(512, '\x5a'));
        else if (damage == QLatin1String("header"))
            bytes.replace(0, 16, QByteArray(16, '\0'));
        else
            bytes.clear();
        QVERIFY(writeBytes(path, bytes));
        Result<std::unique_ptr<CaseFile>> opened = CaseFile::open(path);
        QVERIFY(!opened.ok());
        QCOMPARE(opened.error().code, ErrorCode::BadCase);
        QVERIFY2(opened.error().message.contains(QFileInfo(backup).fileName()),
            qPrintable(opened.error().message));
        // Refusing it wrote nothing: neither the damaged file nor the good copy changed.
        QCOMPARE(fileBytes(path), bytes);
        QCOMPARE(fileBytes(backup), good);
        Result<std::unique_ptr<CaseFile>> rescued = CaseFile::open(backup);
        QVERIFY(rescued.ok());
        QVERIFY((*rescued)->chainStatus().intact);
        QCOMPARE((*rescued)->header().number, header().number);
    }

    void hostileSchemaIsRefused()
    {
        const QString path = m_dir.filePath(QStringLiteral("hostile.forgelens"));
        QVERIFY(filledCase(QStringLiteral("hostile.forgelens")));
        QVERIFY(editWithSqlite(
            path, "CREATE TRIGGER t AFTER INSERT ON notes BEGIN DELETE FROM log; END;"));
        Result<std::unique_ptr<CaseFile>> opened = CaseFile::open(path);
        QVERIFY(!opened.ok());
        QCOMPARE(opened.error().code, ErrorCode::BadCase);
        QVERIFY(opened.error().message.contains(QStringLiteral("trigger t")));
    }

    void changedEvidenceIsSaid()
    {
        std::unique_ptr<CaseFile> c = filledCase(QStringLiteral("changed.forgelens"));
        QVERIFY(c);
        const EvidenceIntake intake = c->evidence().front().intake;
        QCOMPARE(checkEvidence(intake).state, EvidenceState::Unchanged);
        const QString copy = m_dir.filePath(QStringLiteral("copy.jpg"));
        QVERIFY(writeBytes(copy, m_bytes));
        EvidenceIntake moved = intake;
        moved.path = copy;
        QCOMPARE(checkEvidence(moved).state, EvidenceState::Unchanged);
        QVERIFY(writeBytes(copy, m_bytes + "x"));
        const EvidenceCheck changed = checkEvidence(moved);
        QCOMPARE(changed.state, EvidenceState::Changed);
        QVERIFY(changed.message.contains(intake.sha256));
        QVERIFY(changed.message.contains(QStringLiteral("no longer matches")));
        QFile::remove(copy);
        QCOMPARE(checkEvidence(moved).state, EvidenceState::Missing);
    }

    void triageSidecarIsImported()
    {
        std::unique_ptr<CaseFile> c = filledCase(QStringLiteral("triage.forgelens"));
        QVERIFY(c);
        const QString report = m_dir.filePath(QStringLiteral("scan.csv"));
        TriageMarks marks;
        marks.set(QStringLiteral("a/one.png"),
            TriageEntry{ TriageMark::Cleared, QStringLiteral("a camera original"),
                QString(64, u'b'), QDateTime::currentDateTimeUtc() });
        marks.set(QStringLiteral("b/two.png"),
            TriageEntry{ TriageMark::Suspicious, QString(), QString(64, u'c'),
                QDateTime::currentDateTimeUtc() });
        QVERIFY(!marks.save(report));
        Result<int> taken = c->importTriage(report);
        QVERIFY(taken.ok());
        QCOMPARE(*taken, 2);
        const std::vector<CaseMark> all = c->marks();
        QCOMPARE(all.size(), size_t(3));
        const auto one = std::find_if(all.begin(), all.end(),
            [](const CaseMark &m) { return m.path == QStringLiteral("a/one.png"); });
        QVERIFY(one != all.end());
        QCOMPARE(one->mark, TriageMark::Cleared);
        QCOMPARE(one->note, QStringLiteral("a camera original"));
        QCOMPARE(one->sha256, QString(64, u'b'));
        QVERIFY(c->chainStatus().intact);
        QCOMPARE(c->log().back().action, QStringLiteral("marks-imported"));
        // A mark set to nothing is removed, and that too is logged.
        QVERIFY(!c->setMark(CaseMark{ QStringLiteral("b/two.png"), {}, TriageMark::None, {}, {} }));
        QCOMPARE(c->marks().size(), size_t(2));
        const QString path = c->path();
        c.reset();
        QVERIFY((*CaseFile::open(path))->chainStatus().intact);
    }

    void saveAsMakesAnIndependentCopy()
    {
        std::unique_ptr<CaseFile> c = filledCase(QStringLiteral("original.forgelens"));
        QVERIFY(c);
        const QString original = c->path();
        const QByteArray before = fileBytes(original);
        const QString target = m_dir.filePath(QStringLiteral("copy.forgelens"));
        QVERIFY(!c->saveAs(target));
        QCOMPARE(c->path(), target);
        QVERIFY(c->addNote(QStringLiteral("in the copy")).ok());
        QCOMPARE(fileBytes(original), before);
        c.reset();
        Result<std::unique_ptr<CaseFile>> copy = CaseFile::open(target);
        QVERIFY(copy.ok());
        QVERIFY((*copy)->chainStatus().intact);
        const std::vector<CaseLogEntry> log = (*copy)->log();
        QCOMPARE(log.at(log.size() - 2).action, QStringLiteral("saved-as"));
        QCOMPARE((*copy)->uid(), (*CaseFile::open(original))->uid());
    }

    void reportCarriesHashesChainAndCommands()
    {
        std::unique_ptr<CaseFile> c = filledCase(QStringLiteral("report.forgelens"));
        QVERIFY(c);
        const QJsonObject report = buildCaseReport(*c);
        QCOMPARE(
            report.value(QStringLiteral("format")).toString(), QStringLiteral("forgelens-report"));
        QCOMPARE(report.value(QStringLiteral("chain"))
                     .toObject()
                     .value(QStringLiteral("head"))
                     .toString(),
            c->chainStatus().head);
        const QJsonObject item
            = report.value(QStringLiteral("evidence")).toArray().first().toObject();
        QCOMPARE(item.value(QStringLiteral("sha256")).toString(),
            hex(m_bytes, QCryptographicHash::Sha256));
        QCOMPARE(
            item.value(QStringLiteral("md5")).toString(), hex(m_bytes, QCryptographicHash::Md5));
        QCOMPARE(item.value(QStringLiteral("check"))
                     .toObject()
                     .value(QStringLiteral("state"))
                     .toString(),
            QStringLiteral("unchanged"));
        QVERIFY(item.value(QStringLiteral("analysis")).isObject());
        QCOMPARE(
            item.value(QStringLiteral("mark")).toObject().value(QStringLiteral("mark")).toString(),
            QStringLiteral("suspicious"));
        QCOMPARE(item.value(QStringLiteral("notes")).toArray().size(), 1);
        QVERIFY(!report.value(QStringLiteral("limitations")).toArray().isEmpty());
        // The evidence path holds an apostrophe: every command quotes it for the shell.
        const QStringList commands
            = report.value(QStringLiteral("commands")).toVariant().toStringList();
        QVERIFY(commands.join(u'\n').contains(QStringLiteral("'\\''s photo.jpg'")));
        QCOMPARE(
            shellQuoted(QStringLiteral("a'b; rm -rf /")), QStringLiteral("'a'\\''b; rm -rf /'"));
        QCOMPARE(report.value(QStringLiteral("log")).toArray().size(), 5);
    }
};

QTEST_GUILESS_MAIN(TestCaseFile)
#include "tst_case_file.moc"
