#include "forgelens/scan/output_location.h"

#include <QDir>
#include <QFileInfo>

namespace forgelens {
namespace {

// The canonical form of `path`: that of its deepest existing ancestor, with the components
// that do not exist yet appended as written.
QString canonicalPath(const QString &path)
{
    QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    QString rest;
    while (!QFileInfo::exists(absolute)) {
        const qsizetype slash = absolute.lastIndexOf(QLatin1Char('/'));
        if (slash <= 0)
            return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
        rest = rest.isEmpty() ? absolute.mid(slash + 1) : absolute.mid(slash + 1) + u'/' + rest;
        absolute.truncate(slash);
    }
    const QString base = QFileInfo(absolute).canonicalFilePath();
    if (rest.isEmpty())
        return base;
    return base == QStringLiteral("/") ? base + rest : base + u'/' + rest;
}

} // namespace

bool liesInsideFolder(const QString &path, const QString &folder)
{
    const QString inner = canonicalPath(path);
    const QString outer = canonicalPath(folder);
    return inner == outer || inner.startsWith(outer == QStringLiteral("/") ? outer : outer + u'/');
}

} // namespace forgelens
