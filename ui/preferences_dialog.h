#pragma once

#include "preferences.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QSpinBox;

namespace forgelens {

// Edits the engine preferences (device, operator threads) and the detectors loaded at start.
// The device and threads apply to detectors loaded afterwards.
class PreferencesDialog : public QDialog {
    Q_OBJECT
public:
    PreferencesDialog(const Preferences &preferences, const QStringList &currentDetectors,
        QWidget *parent = nullptr);

    Preferences preferences() const;

private:
    Preferences m_preferences;
    QStringList m_currentDetectors;
    QComboBox *m_device;
    QSpinBox *m_threads;
    QLabel *m_defaults;
};

} // namespace forgelens
