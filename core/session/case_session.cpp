#include "forgelens/session/case_session.h"

#include "forgelens/case/case_recording.h"
#include "forgelens/case/scan_summary.h"

#include <QThreadPool>

namespace forgelens {

struct CaseSession::Impl {
    QThreadPool pool; // one thread: every operation on the case, in the order asked
    std::shared_ptr<CaseFile> caseFile; // touched on the pool's thread only
};

CaseSession::CaseSession(QObject *parent) : QObject(parent), m_impl(std::make_unique<Impl>())
{
    qRegisterMetaType<forgelens::EvidenceCheck>();
    qRegisterMetaType<forgelens::CaseMark>();
    qRegisterMetaType<QVector<forgelens::CaseMark>>();
    qRegisterMetaType<forgelens::Error>();
    m_impl->pool.setMaxThreadCount(1);
    m_impl->pool.setExpiryTimeout(-1);
}

CaseSession::~CaseSession()
{
    m_impl->pool.waitForDone();
}

void CaseSession::post(std::function<void(CaseFile *)> work)
{
    m_impl->pool.start([this, work = std::move(work)] { work(m_impl->caseFile.get()); });
}

std::optional<EvidenceCheck> CaseSession::evidenceState(const QString &path) const
{
    const auto found = m_states.find(path);
    if (found == m_states.end())
        return std::nullopt;
    return found->second;
}

// On the pool's thread: the case's state as the window shows it, sent to this object's thread.
void CaseSession::publish(const std::shared_ptr<CaseFile> &caseFile)
{
    const QString path = caseFile->path();
    const CaseHeader header = caseFile->header();
    const CaseChainStatus chain = caseFile->chainStatus();
    QMetaObject::invokeMethod(this, [this, path, header, chain] {
        m_path = path;
        m_header = header;
        m_chain = chain;
        Q_EMIT caseChanged();
    });
}

void CaseSession::adopt(std::shared_ptr<CaseFile> caseFile, bool checkEvidence)
{
    m_impl->caseFile = caseFile;
    QStringList paths;
    const std::vector<CaseEvidence> evidence = caseFile->evidence();
    for (const CaseEvidence &item : evidence)
        paths << item.intake.path;
    paths.removeDuplicates();
    const QString path = caseFile->path();
    const CaseHeader header = caseFile->header();
    const CaseChainStatus chain = caseFile->chainStatus();
    QMetaObject::invokeMethod(this, [this, path, header, chain, paths] {
        m_path = path;
        m_header = header;
        m_chain = chain;
        m_states.clear();
        Q_EMIT caseOpened(path, paths);
        Q_EMIT caseChanged();
    });
    if (!checkEvidence)
        return;
    // Each evidence file hashed again, so that every view can say whether it is still the
    // evidence that was taken in. The latest intake of a path is the one that counts.
    std::map<QString, EvidenceIntake> latest;
    for (const CaseEvidence &item : evidence)
        latest[item.intake.path] = item.intake;
    for (const auto &[file, intake] : latest) {
        const EvidenceCheck check = forgelens::checkEvidence(intake);
        QMetaObject::invokeMethod(this, [this, file = file, check] {
            m_states[file] = check;
            Q_EMIT evidenceChecked(file, check);
        });
    }
}

void CaseSession::createCase(const QString &path, const CaseHeader &header)
{
    post([this, path, header](CaseFile *) {
        Result<std::unique_ptr<CaseFile>> made = CaseFile::create(path, header);
        if (!made) {
            const Error error = made.error();
            QMetaObject::invokeMethod(this,
                [this, error] { Q_EMIT caseFailed(tr("The case could not be made"), error); });
            return;
        }
        adopt(std::shared_ptr<CaseFile>(std::move(made).value()), false);
    });
}

void CaseSession::openCase(const QString &path)
{
    post([this, path](CaseFile *) {
        Result<std::unique_ptr<CaseFile>> opened = CaseFile::open(path);
        if (!opened) {
            const Error error = opened.error();
            QMetaObject::invokeMethod(this,
                [this, error] { Q_EMIT caseFailed(tr("The case could not be opened"), error); });
            return;
        }
        adopt(std::shared_ptr<CaseFile>(std::move(opened).value()), true);
    });
}

void CaseSession::saveCaseAs(const QString &path)
{
    post([this, path](CaseFile *caseFile) {
        if (!caseFile)
            return;
        if (std::optional<Error> error = caseFile->saveAs(path)) {
            QMetaObject::invokeMethod(this, [this, error = *error] {
                Q_EMIT caseFailed(tr("The case could not be saved"), error);
            });
            return;
        }
        publish(m_impl->caseFile);
    });
}

void CaseSession::closeCase()
{
    post([this](CaseFile *) {
        m_impl->caseFile.reset();
        QMetaObject::invokeMethod(this, [this] {
            m_path.clear();
            m_header = {};
            m_chain = {};
            m_states.clear();
            Q_EMIT caseClosed();
        });
    });
}

void CaseSession::recordAnalysis(const ReportItemInput &item, const QJsonObject &environment,
    const QDateTime &startedUtc, const QDateTime &finishedUtc)
{
    post([this, item, environment, startedUtc, finishedUtc](CaseFile *caseFile) {
        if (!caseFile || item.record.digest.sha256.isEmpty())
            return;
        // The same path taken in before with other bytes: the file is no longer that evidence.
        for (const CaseEvidence &earlier : caseFile->evidence()) {
            if (earlier.intake.path == item.record.path
                && earlier.intake.sha256 != item.record.digest.sha256) {
                const EvidenceCheck check = compareEvidence(
                    earlier.intake, item.record.digest.sha256, item.record.fileSize);
                const QString path = item.record.path;
                QMetaObject::invokeMethod(this, [this, path, check] {
                    m_states[path] = check;
                    Q_EMIT evidenceChecked(path, check);
                });
            }
        }
        Result<RecordedRun> recorded
            = forgelens::recordAnalysis(*caseFile, { item }, environment, startedUtc, finishedUtc);
        if (!recorded) {
            QMetaObject::invokeMethod(this, [this, error = recorded.error()] {
                Q_EMIT caseFailed(tr("The analysis could not be recorded in the case"), error);
            });
        } else if (!recorded->problems.isEmpty()) {
            const Error error{ ErrorCode::EvidenceChanged, recorded->problems.join(u'\n') };
            QMetaObject::invokeMethod(this, [this, error] {
                Q_EMIT caseFailed(tr("The file was not taken into the case"), error);
            });
        } else if (!recorded->evidence.empty()) {
            const QString path = item.record.path;
            EvidenceCheck check;
            check.checkedUtc = QDateTime::currentDateTimeUtc();
            check.currentSha256 = item.record.digest.sha256;
            QMetaObject::invokeMethod(this, [this, path, check] {
                // A changed earlier intake of the path stays what the views say.
                if (!m_states.contains(path) || m_states[path].state == EvidenceState::Unchanged) {
                    m_states[path] = check;
                    Q_EMIT evidenceChecked(path, check);
                }
            });
        }
        publish(m_impl->caseFile);
    });
}

void CaseSession::recordRun(const CaseRun &run)
{
    post([this, run](CaseFile *caseFile) {
        if (!caseFile)
            return;
        if (Result<qint64> added = caseFile->addRun(run); !added)
            QMetaObject::invokeMethod(this, [this, error = added.error()] {
                Q_EMIT caseFailed(tr("The run could not be recorded in the case"), error);
            });
        publish(m_impl->caseFile);
    });
}

void CaseSession::recordScanReport(const QString &reportCsv)
{
    post([this, reportCsv](CaseFile *caseFile) {
        if (!caseFile)
            return;
        Result<CaseRun> run = scanCaseRun(reportCsv);
        Result<qint64> added = run ? caseFile->addRun(*run) : Result<qint64>(run.error());
        if (!added)
            QMetaObject::invokeMethod(this, [this, error = added.error()] {
                Q_EMIT caseFailed(tr("The scan could not be recorded in the case"), error);
            });
        publish(m_impl->caseFile);
    });
}

void CaseSession::setMark(const CaseMark &mark)
{
    post([this, mark](CaseFile *caseFile) {
        if (!caseFile)
            return;
        if (std::optional<Error> error = caseFile->setMark(mark))
            QMetaObject::invokeMethod(this, [this, error = *error] {
                Q_EMIT caseFailed(tr("The mark could not be saved in the case"), error);
            });
        publish(m_impl->caseFile);
    });
}

void CaseSession::addNote(const QString &text, const QString &evidenceSha256)
{
    post([this, text, evidenceSha256](CaseFile *caseFile) {
        if (!caseFile)
            return;
        if (Result<qint64> added = caseFile->addNote(text, evidenceSha256); !added)
            QMetaObject::invokeMethod(this, [this, error = added.error()] {
                Q_EMIT caseFailed(tr("The note could not be added to the case"), error);
            });
        publish(m_impl->caseFile);
    });
}

void CaseSession::importTriage(const QString &reportCsv)
{
    post([this, reportCsv](CaseFile *caseFile) {
        if (!caseFile)
            return;
        if (Result<int> taken = caseFile->importTriage(reportCsv); !taken)
            QMetaObject::invokeMethod(this, [this, error = taken.error()] {
                Q_EMIT caseFailed(tr("The scan's marks could not be taken into the case"), error);
            });
        QVector<CaseMark> marks;
        for (const CaseMark &mark : caseFile->marks())
            marks.push_back(mark);
        QMetaObject::invokeMethod(
            this, [this, reportCsv, marks] { Q_EMIT marksLoaded(reportCsv, marks); });
        publish(m_impl->caseFile);
    });
}

void CaseSession::withCase(std::function<Result<QString>(CaseFile &)> work,
    std::function<void(const Result<QString> &)> done)
{
    post([this, work = std::move(work), done = std::move(done)](CaseFile *caseFile) {
        if (!caseFile)
            return;
        const Result<QString> result = work(*caseFile);
        QMetaObject::invokeMethod(this, [done, result] { done(result); });
        publish(m_impl->caseFile);
    });
}

} // namespace forgelens
