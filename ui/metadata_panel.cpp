#include "metadata_panel.h"

#include "forgelens/error_code.h"
#include "forgelens/metadata/metadata_report.h"
#include "forgelens/report/display_text.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QHash>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <iterator>
#include <vector>

namespace forgelens {
namespace {

constexpr qsizetype kMaxShownChars = 2000;
constexpr qsizetype kMaxToolTipChars = 20000;
constexpr qsizetype kMaxToolTipLines = 100;
// Levels of nesting below a group: an XMP name may legally hold dots, so a hostile file could
// otherwise ask for a tree thousands of levels deep.
constexpr int kMaxNesting = 3;

constexpr int kEntryType = QTreeWidgetItem::UserType + 1;
// The text a structural row (a group, a level of a key) is matched on when filtering: a group's
// name without its count, so typing a number does not reveal a whole group.
constexpr int kMatchRole = Qt::UserRole + 1;

const QChar kEllipsis(0x2026);

// Cuts `text` to `limit` characters without leaving half of a surrogate pair at the end.
QString cut(const QString &text, qsizetype limit)
{
    QString out = text.left(limit);
    if (!out.isEmpty() && out.back().isHighSurrogate())
        out.chop(1);
    return out;
}

// Text from the file, escaped and capped, with an ellipsis where it was cut. Escaping only
// lengthens text, so no more than `limit` characters of the input can be shown.
QString shown(const QString &text, qsizetype limit = kMaxShownChars)
{
    bool truncated = text.size() > limit;
    QString out = displayText(truncated ? cut(text, limit) : text);
    if (out.size() > limit) {
        out = cut(out, limit);
        truncated = true;
    }
    if (truncated)
        out += kEllipsis;
    return out;
}

// A tooltip may be long, so the file's own line breaks are kept as lines; each line is escaped
// as the rows are.
QStringList toolTipLines(const QString &text)
{
    bool truncated = text.size() > kMaxToolTipChars;
    QStringList lines = (truncated ? cut(text, kMaxToolTipChars) : text).split(QLatin1Char('\n'));
    if (lines.size() > kMaxToolTipLines) {
        lines.resize(kMaxToolTipLines);
        truncated = true;
    }
    for (QString &line : lines)
        line = shown(line, kMaxToolTipChars);
    if (truncated)
        lines.back() += kEllipsis;
    return lines;
}

// Qt renders a tooltip as rich text whenever it merely looks like markup, so a file's text
// could inject HTML there. Writing every tooltip as HTML with the text escaped makes it always
// show as the text it is.
QString richToolTip(const QStringList &lines)
{
    QStringList html;
    html.reserve(lines.size());
    for (const QString &line : lines)
        html << line.toHtmlEscaped();
    return QStringLiteral("<p style=\"white-space: pre-wrap;\">%1</p>")
        .arg(html.join(QStringLiteral("<br>")));
}

// One row of the property tree: a name, a value and a type. The row keeps the whole value (a
// shared reference to the report's string, not a copy) and builds its tooltip only when asked,
// since a file can hold thousands of long values.
class EntryItem : public QTreeWidgetItem {
public:
    EntryItem(QTreeWidgetItem *parent, const QString &name, const QString &value,
        const QString &type = {}, const QString &fullName = {}, const QString &details = {})
        : QTreeWidgetItem(parent, kEntryType), m_name(fullName.isEmpty() ? name : fullName),
          m_value(value), m_details(details)
    {
        setText(0, shown(name));
        setText(1, shown(value));
        setText(2, shown(type));
    }

    QVariant data(int column, int role) const override
    {
        if (role == Qt::ToolTipRole) {
            QStringList lines = toolTipLines(m_name);
            lines << toolTipLines(m_value);
            if (!m_details.isEmpty())
                lines << toolTipLines(m_details);
            return richToolTip(lines);
        }
        return QTreeWidgetItem::data(column, role);
    }

    // The raw texts find what lies past the displayed cap; the shown ones find what an escaped
    // character looks like on screen (e.g. "\u202e").
    bool matches(const QString &needle) const
    {
        return m_name.contains(needle, Qt::CaseInsensitive)
            || m_value.contains(needle, Qt::CaseInsensitive)
            || text(0).contains(needle, Qt::CaseInsensitive)
            || text(1).contains(needle, Qt::CaseInsensitive);
    }

private:
    QString m_name;
    QString m_value;
    QString m_details;
};

// A row that only holds others: a group, or one level of a dotted key. `name` is shown as is,
// so it must already be escaped where it comes from the file.
QTreeWidgetItem *makeNode(const QString &name, QTreeWidgetItem *parent = nullptr)
{
    auto *item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem;
    item->setText(0, name);
    item->setData(0, kMatchRole, name);
    return item;
}

bool itemMatches(const QTreeWidgetItem *item, const QString &needle)
{
    if (item->type() == kEntryType)
        return static_cast<const EntryItem *>(item)->matches(needle);
    return item->data(0, kMatchRole).toString().contains(needle, Qt::CaseInsensitive);
}

void showSubtree(QTreeWidgetItem *item)
{
    item->setHidden(false);
    for (int i = 0; i < item->childCount(); ++i)
        showSubtree(item->child(i));
}

// Shows `item` when it or one of its descendants matches; a matching row shows all it holds.
bool filterItem(QTreeWidgetItem *item, const QString &needle)
{
    if (needle.isEmpty() || itemMatches(item, needle)) {
        showSubtree(item);
        return true;
    }
    bool anyChild = false;
    for (int i = 0; i < item->childCount(); ++i)
        anyChild = filterItem(item->child(i), needle) || anyChild;
    item->setHidden(!anyChild);
    return anyChild;
}

QString severityLabel(MetadataFinding::Severity severity)
{
    switch (severity) {
    case MetadataFinding::Severity::Warning: return MetadataPanel::tr("Warning");
    case MetadataFinding::Severity::Notice: return MetadataPanel::tr("Notice");
    case MetadataFinding::Severity::Info: return MetadataPanel::tr("Info");
    }
    return {};
}

QColor severityColour(MetadataFinding::Severity severity)
{
    switch (severity) {
    case MetadataFinding::Severity::Warning: return QColor(0xb3, 0x26, 0x1e);
    case MetadataFinding::Severity::Notice: return QColor(0xa6, 0x62, 0x00);
    case MetadataFinding::Severity::Info: return QColor(0x6b, 0x6b, 0x6b);
    }
    return {};
}

// Adds the properties of one family (Exif, Iptc, Xmp), nested by the key's dotted components
// below the family: Exif.Image.Make becomes Image > Make.
void addProperties(QTreeWidgetItem *group, const std::vector<const MetadataProperty *> &properties)
{
    QHash<QString, QTreeWidgetItem *> levels;
    for (const MetadataProperty *property : properties) {
        QStringList parts = property->key.split(QLatin1Char('.'), Qt::SkipEmptyParts);
        if (!parts.isEmpty() && parts.first().compare(property->group, Qt::CaseInsensitive) == 0)
            parts.removeFirst();
        if (parts.isEmpty())
            parts << property->key;
        if (parts.size() > kMaxNesting + 1) {
            const QString rest = parts.mid(kMaxNesting).join(QLatin1Char('.'));
            parts.resize(kMaxNesting);
            parts << rest;
        }
        QTreeWidgetItem *parent = group;
        QString path;
        for (qsizetype i = 0; i + 1 < parts.size(); ++i) {
            path += QLatin1Char('.') + parts[i];
            QTreeWidgetItem *&level = levels[path];
            if (!level)
                level = makeNode(shown(parts[i]), parent);
            parent = level;
        }
        const QString details = property->raw != property->value && !property->raw.isEmpty()
            ? MetadataPanel::tr("Stored as: %1").arg(property->raw)
            : QString();
        new EntryItem(
            parent, parts.last(), property->value, property->type, property->key, details);
    }
}

void addPngChunks(QTreeWidgetItem *group, const PngChunkScan &png)
{
    new EntryItem(group, MetadataPanel::tr("Chunks in file order"),
        png.chunkTypes.join(QLatin1Char(' ')), MetadataPanel::tr("chunk list"));
    for (const PngTextChunk &text : png.texts) {
        QString type = text.chunkType;
        if (text.compressed)
            type += MetadataPanel::tr(", compressed, inflated");
        if (!text.language.isEmpty())
            type += MetadataPanel::tr(", language %1").arg(text.language);
        new EntryItem(
            group, text.keyword, text.text, type, {}, MetadataPanel::tr("Chunk: %1").arg(type));
    }
    for (const Error &problem : png.problems)
        new EntryItem(group, problem.codeName(), problem.message, MetadataPanel::tr("error"), {},
            errorCodeDescription(problem.code));
}

void addC2pa(QTreeWidgetItem *group, const C2paSummary &c2pa)
{
    // Whatever the parser set: ForgeLens never verifies the signature, so it cannot say more.
    new EntryItem(group, MetadataPanel::tr("Signature"), MetadataPanel::tr("NOT verified"), {}, {},
        MetadataPanel::tr("ForgeLens does not verify C2PA signatures: everything in this "
                          "manifest is a claim, not a proof."));
    new EntryItem(group, MetadataPanel::tr("Container"), c2pa.container);
    for (qsizetype i = 0; i < c2pa.manifests.size(); ++i)
        new EntryItem(group,
            i + 1 == c2pa.manifests.size() ? MetadataPanel::tr("Active manifest")
                                           : MetadataPanel::tr("Manifest"),
            c2pa.manifests[i]);
    new EntryItem(group, MetadataPanel::tr("Claim generator"), c2pa.claimGenerator);
    new EntryItem(group, MetadataPanel::tr("Title"), c2pa.title);
    for (const C2paAction &action : c2pa.actions) {
        auto *row = new EntryItem(group, MetadataPanel::tr("Action"), action.action);
        if (!action.digitalSourceType.isEmpty())
            new EntryItem(row, MetadataPanel::tr("Digital source type"), action.digitalSourceType);
        if (!action.softwareAgent.isEmpty())
            new EntryItem(row, MetadataPanel::tr("Software agent"), action.softwareAgent);
    }
    for (const QString &ingredient : c2pa.ingredients)
        new EntryItem(group, MetadataPanel::tr("Ingredient"), ingredient);
    new EntryItem(group, MetadataPanel::tr("Certificate names"), c2pa.signatureIssuer, {}, {},
        MetadataPanel::tr("Subject and issuer names found in the signing certificate, as text; "
                          "the certificate is not checked."));
}

void addJpeg(QTreeWidgetItem *group, const JpegStructure &jpeg)
{
    new EntryItem(group, MetadataPanel::tr("Coding process"),
        jpeg.process
            + (jpeg.arithmetic ? MetadataPanel::tr(" (arithmetic coding)")
                               : MetadataPanel::tr(" (Huffman coding)")));
    new EntryItem(group, MetadataPanel::tr("Components"), QString::number(jpeg.components));
    if (!jpeg.subsampling.isEmpty())
        new EntryItem(group, MetadataPanel::tr("Chroma subsampling"), jpeg.subsampling);
    new EntryItem(group, MetadataPanel::tr("Restart interval"),
        jpeg.restartInterval > 0 ? MetadataPanel::tr("%1 MCUs").arg(jpeg.restartInterval)
                                 : MetadataPanel::tr("none"));
    new EntryItem(group, MetadataPanel::tr("Estimated quality"),
        jpeg.estimatedQuality >= 0 ? QString::number(jpeg.estimatedQuality)
                                   : MetadataPanel::tr("unknown (no tables)"));
    new EntryItem(group, MetadataPanel::tr("Standard IJG tables"),
        jpeg.standardTables ? MetadataPanel::tr("yes, at quality %1 (typical of software "
                                                "encoders; cameras mostly use their own)")
                                  .arg(jpeg.estimatedQuality)
                            : MetadataPanel::tr("no"));
    for (const QuantizationTable &table : jpeg.tables) {
        QStringList values;
        QStringList rows;
        for (int row = 0; row < 8; ++row) {
            QStringList cells;
            for (int column = 0; column < 8; ++column)
                cells << QString::number(table.values[size_t(row * 8 + column)]);
            values << cells;
            rows << cells.join(QLatin1Char(' '));
        }
        new EntryItem(group, MetadataPanel::tr("Quantisation table %1").arg(table.id),
            values.join(QLatin1Char(' ')), MetadataPanel::tr("%1-bit").arg(table.precision), {},
            rows.join(QLatin1Char('\n')));
    }
}

void addThumbnail(QTreeWidgetItem *group, const MetadataReport &report)
{
    if (const std::optional<ThumbnailComparison> &thumb = report.thumbnail) {
        new EntryItem(group, MetadataPanel::tr("Size"),
            MetadataPanel::tr("%1 × %2 pixels").arg(thumb->width).arg(thumb->height));
        new EntryItem(group, MetadataPanel::tr("Compared with the image"),
            thumb->mismatch ? MetadataPanel::tr("MISMATCH: %1").arg(thumb->reason)
                            : MetadataPanel::tr("consistent"));
        new EntryItem(group, MetadataPanel::tr("Correlation"),
            QString::number(thumb->correlation, 'f', 2), {}, {},
            MetadataPanel::tr("Of 32 × 32 grey versions of the thumbnail and the image, -1 to 1"));
        new EntryItem(group, MetadataPanel::tr("Aspect difference"),
            MetadataPanel::tr("%1 %").arg(thumb->aspectDifference * 100.0, 0, 'f', 1));
    } else if (!report.embedded.thumbnail.isEmpty()) {
        new EntryItem(group, MetadataPanel::tr("Size"),
            MetadataPanel::tr("%1 bytes").arg(report.embedded.thumbnail.size()));
        new EntryItem(group, MetadataPanel::tr("Compared with the image"),
            MetadataPanel::tr("not compared: the thumbnail or the image could not be decoded"));
    }
}

void addErrors(QTreeWidgetItem *group, const MetadataReport &report)
{
    for (const Error &error : report.errors)
        new EntryItem(group, error.codeName(), error.message, MetadataPanel::tr("error"), {},
            errorCodeDescription(error.code));
    // readMetadataReport already lists each Exiv2 warning as a metadata-malformed error; only
    // warnings no error repeats get a row of their own.
    for (const QString &warning : report.embedded.warnings) {
        const bool listed = std::any_of(
            report.errors.begin(), report.errors.end(), [&warning](const Error &error) {
                return error.code == ErrorCode::MetadataMalformed
                    && error.message.endsWith(QLatin1String(": ") + warning);
            });
        if (!listed)
            new EntryItem(group, MetadataPanel::tr("Exiv2"), warning, MetadataPanel::tr("warning"));
    }
}

} // namespace

MetadataPanel::MetadataPanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    layout->addWidget(splitter);

    auto *top = new QWidget(splitter);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    auto *caption = new QLabel(
        tr("Findings: evidence, not a verdict. Metadata can be removed or forged."), top);
    caption->setObjectName(QStringLiteral("findingsCaption"));
    caption->setTextFormat(Qt::PlainText);
    caption->setWordWrap(true);
    m_findings = new QTreeWidget(top);
    m_findings->setObjectName(QStringLiteral("findings"));
    m_findings->setColumnCount(3);
    m_findings->setHeaderLabels({ tr("Severity"), tr("Code"), tr("Message") });
    m_findings->setRootIsDecorated(false);
    m_findings->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_findings->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_findings->header()->setStretchLastSection(true);
    // ForgeLens' own statement, not the file's: the manifest's claims may be forged.
    m_c2paNotice = new QLabel(tr("C2PA signature NOT verified: ForgeLens reads what a C2PA "
                                 "manifest claims but does not verify its signature, so the "
                                 "manifest is a claim, not a proof."),
        top);
    m_c2paNotice->setObjectName(QStringLiteral("c2paSignatureNotice"));
    m_c2paNotice->setTextFormat(Qt::PlainText);
    m_c2paNotice->setWordWrap(true);
    m_c2paNotice->setStyleSheet(QStringLiteral("color: #b3261e; font-weight: bold;"));
    m_status = new QLabel(top);
    m_status->setObjectName(QStringLiteral("metadataStatus"));
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    topLayout->addWidget(caption);
    topLayout->addWidget(m_findings, 1);
    topLayout->addWidget(m_c2paNotice);
    topLayout->addWidget(m_status);

    auto *bottom = new QWidget(splitter);
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    m_filter = new QLineEdit(bottom);
    m_filter->setObjectName(QStringLiteral("metadataFilter"));
    m_filter->setPlaceholderText(tr("Filter properties…"));
    m_filter->setClearButtonEnabled(true);
    m_tree = new QTreeWidget(bottom);
    m_tree->setObjectName(QStringLiteral("metadataTree"));
    m_tree->setColumnCount(3);
    m_tree->setHeaderLabels({ tr("Property"), tr("Value"), tr("Type") });
    // Every row is one line (displayText escapes line breaks), and a file can hold thousands.
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(2, QHeaderView::Interactive);
    m_tree->header()->resizeSection(0, 240);
    m_tree->header()->resizeSection(2, 120);
    bottomLayout->addWidget(m_filter);
    bottomLayout->addWidget(m_tree, 1);

    splitter->addWidget(top);
    splitter->addWidget(bottom);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);

    connect(m_filter, &QLineEdit::textChanged, this, &MetadataPanel::applyFilter);
    clearContents();
}

void MetadataPanel::showReport(const MetadataReport &report)
{
    clearContents();
    showFindings(report);
    showProperties(report);
    m_c2paNotice->setVisible(report.c2pa.has_value());

    QStringList status;
    status << tr("Format: %1.").arg(imageFormatDisplayName(report.format));
    if (report.findings.empty())
        status << tr("No findings: nothing in the metadata speaks to the file's origin, which "
                     "proves nothing either way.");
    if (!report.errors.empty())
        status << tr("%n part(s) of the metadata could not be read; see Parse errors.", "",
            int(report.errors.size()));
    m_status->setText(status.join(QLatin1Char(' ')));
    m_status->show();

    applyFilter(m_filter->text());
}

void MetadataPanel::showUnavailable(const QString &reason)
{
    clearContents();
    m_status->setText(tr("Metadata unavailable: %1").arg(shown(reason)));
    m_status->show();
}

void MetadataPanel::clear()
{
    clearContents();
    m_filter->clear();
}

int MetadataPanel::findingCount() const
{
    return int(m_findingCodes.size());
}

QStringList MetadataPanel::findingCodes() const
{
    return m_findingCodes;
}

void MetadataPanel::setFilter(const QString &text)
{
    m_filter->setText(text);
}

void MetadataPanel::clearContents()
{
    m_findings->clear();
    m_findingCodes.clear();
    m_tree->clear();
    m_c2paNotice->hide();
    m_status->clear();
    m_status->hide();
}

void MetadataPanel::showFindings(const MetadataReport &report)
{
    std::vector<const MetadataFinding *> ordered;
    ordered.reserve(report.findings.size());
    for (const MetadataFinding &finding : report.findings)
        ordered.push_back(&finding);
    // Stable: within a severity, the order the findings were derived in (most telling first).
    std::stable_sort(
        ordered.begin(), ordered.end(), [](const MetadataFinding *a, const MetadataFinding *b) {
            return int(a->severity) > int(b->severity);
        });

    for (const MetadataFinding *finding : ordered) {
        auto *row = new QTreeWidgetItem(m_findings);
        row->setText(0, severityLabel(finding->severity));
        row->setText(1, shown(finding->code));
        row->setText(2, shown(finding->message));
        row->setForeground(0, QBrush(severityColour(finding->severity)));
        if (finding->severity == MetadataFinding::Severity::Warning) {
            QFont bold = row->font(0);
            bold.setBold(true);
            row->setFont(0, bold);
        }
        QStringList tip = toolTipLines(finding->message);
        if (!finding->evidence.isEmpty()) {
            const QStringList evidence = toolTipLines(finding->evidence);
            tip << tr("Evidence: %1").arg(evidence.first()) << evidence.mid(1);
            // The evidence as a second line, so it can be read without hovering.
            auto *line = new QTreeWidgetItem(row);
            line->setText(0, tr("Evidence: %1").arg(shown(finding->evidence)));
            line->setFirstColumnSpanned(true);
            line->setForeground(0, QBrush(severityColour(MetadataFinding::Severity::Info)));
            line->setToolTip(0, richToolTip(tip));
        }
        for (int column = 0; column < 3; ++column)
            row->setToolTip(column, richToolTip(tip));
        m_findingCodes << finding->code;
    }
    m_findings->expandAll();
}

void MetadataPanel::showProperties(const MetadataReport &report)
{
    // Groups are filled before they enter the tree (one insertion each), and those left empty
    // are dropped.
    const auto finish = [this](QTreeWidgetItem *group, const QString &name, qsizetype count) {
        if (group->childCount() == 0) {
            delete group;
            return;
        }
        group->setText(0, QStringLiteral("%1 (%2)").arg(name).arg(count));
        QFont bold = group->font(0);
        bold.setBold(true);
        group->setFont(0, bold);
        m_tree->addTopLevelItem(group);
        group->setFirstColumnSpanned(true);
    };

    struct Family {
        QString key;
        QString name;
    };
    const Family families[] = { { QStringLiteral("Exif"), tr("EXIF") },
        { QStringLiteral("Iptc"), tr("IPTC") }, { QStringLiteral("Xmp"), tr("XMP") } };
    std::vector<const MetadataProperty *> others;
    std::vector<std::vector<const MetadataProperty *>> byFamily(std::size(families));
    for (const MetadataProperty &property : report.embedded.properties) {
        const auto family
            = std::find_if(std::begin(families), std::end(families), [&property](const Family &f) {
                  return f.key.compare(property.group, Qt::CaseInsensitive) == 0;
              });
        if (family == std::end(families))
            others.push_back(&property);
        else
            byFamily[size_t(family - std::begin(families))].push_back(&property);
    }
    for (size_t i = 0; i < byFamily.size(); ++i) {
        QTreeWidgetItem *group = makeNode(families[i].name);
        addProperties(group, byFamily[i]);
        finish(group, families[i].name, qsizetype(byFamily[i].size()));
    }
    if (!others.empty()) {
        const QString name = tr("Other properties");
        QTreeWidgetItem *group = makeNode(name);
        addProperties(group, others);
        finish(group, name, qsizetype(others.size()));
    }

    if (report.png) {
        const QString name = tr("PNG text chunks");
        QTreeWidgetItem *group = makeNode(name);
        addPngChunks(group, *report.png);
        finish(group, name, qsizetype(report.png->texts.size()));
    }
    if (report.c2pa) {
        const QString name = tr("C2PA manifest");
        QTreeWidgetItem *group = makeNode(name);
        addC2pa(group, *report.c2pa);
        finish(group, name, group->childCount());
    }
    if (report.jpeg) {
        const QString name = tr("JPEG structure");
        QTreeWidgetItem *group = makeNode(name);
        addJpeg(group, *report.jpeg);
        finish(group, name, group->childCount());
    }
    {
        const QString name = tr("Embedded thumbnail");
        QTreeWidgetItem *group = makeNode(name);
        addThumbnail(group, report);
        finish(group, name, group->childCount());
    }
    {
        const QString name = tr("Parse errors");
        QTreeWidgetItem *group = makeNode(name);
        addErrors(group, report);
        finish(group, name, group->childCount());
    }
}

void MetadataPanel::applyFilter(const QString &text)
{
    const QString needle = text.trimmed();
    m_tree->setUpdatesEnabled(false);
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        filterItem(m_tree->topLevelItem(i), needle);
    if (needle.isEmpty())
        expandDefault();
    else
        m_tree->expandAll();
    m_tree->setUpdatesEnabled(true);
}

void MetadataPanel::expandDefault()
{
    m_tree->collapseAll();
    m_tree->expandToDepth(1);
}

} // namespace forgelens
