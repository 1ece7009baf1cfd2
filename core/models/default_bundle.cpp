#include "forgelens/models/default_bundle.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

namespace forgelens {
namespace {

// A folder's bundle: the reference detector when it is there, else the first *.pt.
QString bundleIn(const QString &folder)
{
    const QString reference = QDir(folder).filePath(QStringLiteral("reference/reference.pt"));
    if (QFileInfo(reference).isFile())
        return reference;
    QStringList bundles;
    QDirIterator it(folder, { QStringLiteral("*.pt") }, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        bundles << it.next();
    bundles.sort();
    return bundles.value(0);
}

} // namespace

QStringList modelSearchFolders()
{
    QStringList places;
    const QString fromEnvironment = qEnvironmentVariable("FORGELENS_MODELS");
    if (!fromEnvironment.isEmpty())
        places << fromEnvironment;
#ifdef FORGELENS_BUILD_MODELS_DIR
    places << QStringLiteral(FORGELENS_BUILD_MODELS_DIR);
#endif
    if (QCoreApplication::instance())
        places << QDir::cleanPath(
            QCoreApplication::applicationDirPath() + QStringLiteral("/../share/forgelens/models"));
#ifdef FORGELENS_INSTALL_MODELS_DIR
    places << QStringLiteral(FORGELENS_INSTALL_MODELS_DIR);
#endif
    places.removeDuplicates();
    return places;
}

Result<QString> findDefaultBundle()
{
    const QStringList places = modelSearchFolders();
    for (const QString &place : places) {
        const QFileInfo info(place);
        if (info.isFile())
            return info.absoluteFilePath();
        if (info.isDir()) {
            if (const QString bundle = bundleIn(place); !bundle.isEmpty())
                return QFileInfo(bundle).absoluteFilePath();
        }
    }
    return Error{ ErrorCode::NoModel,
        QStringLiteral("no model bundle was given and none was found in %1; name one with "
                       "--model, or set FORGELENS_MODELS to a bundle or a folder of bundles")
            .arg(places.join(QStringLiteral(", "))) };
}

} // namespace forgelens
