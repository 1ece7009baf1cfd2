#pragma once

#include <QString>

namespace forgelens {

// True when `path` is `folder` or lies anywhere under it, after both are resolved to canonical
// form: symbolic links followed, "." and ".." removed. A path that does not exist yet (an output
// about to be created) is resolved through its deepest existing ancestor, so a link to the
// evidence folder cannot smuggle a report, an evaluation or an override into it.
bool liesInsideFolder(const QString &path, const QString &folder);

} // namespace forgelens
