#pragma once

#include <QString>
#include <QStringList>

namespace forgelens {

// The first of `names` that appears in `text` as a whole word, case-insensitive: "flux" must
// not match "influx", nor "imagen" "ImageNet". Empty when none does.
QString firstWholeWord(const QString &text, const QStringList &names);

} // namespace forgelens
