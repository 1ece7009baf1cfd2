#pragma once

#include "exit_code.h"

#include <QStringList>

namespace forgelens::cli {

// `forgelens-cli explain IMAGE… --model BUNDLE -o FOLDER`: each detector's maps over each image,
// as PNG (drawn over the image, with a legend) and as a numeric grid in JSON. `arguments` starts
// with the program name followed by "explain". Needs a QGuiApplication (the offscreen platform
// does) for the drawing.
int runExplain(const QStringList &arguments);

} // namespace forgelens::cli
