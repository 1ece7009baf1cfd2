#include "preferences_dialog.h"

#include "forgelens/inference/usable_cores.h"
#include "forgelens/report/display_text.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>

namespace forgelens {

PreferencesDialog::PreferencesDialog(
    const Preferences &preferences, const QStringList &currentDetectors, QWidget *parent)
    : QDialog(parent), m_preferences(preferences), m_currentDetectors(currentDetectors),
      m_device(new QComboBox(this)), m_threads(new QSpinBox(this)), m_defaults(new QLabel(this))
{
    setWindowTitle(tr("Preferences"));
    m_device->addItem(tr("Automatic (CUDA when present)"), int(EngineConfig::Device::Auto));
    m_device->addItem(tr("CPU"), int(EngineConfig::Device::Cpu));
    m_device->addItem(tr("CUDA"), int(EngineConfig::Device::Cuda));
    m_device->setCurrentIndex(m_device->findData(int(preferences.device)));
    m_threads->setRange(0, 256);
    m_threads->setSpecialValueText(tr("Automatic (%1)").arg(usableCoreCount()));
    m_threads->setValue(preferences.threads);
    m_defaults->setTextFormat(Qt::PlainText);
    m_defaults->setWordWrap(true);
    const auto showDefaults = [this] {
        QStringList shown;
        for (const QString &path : m_preferences.defaultDetectors)
            shown << displayText(path);
        m_defaults->setText(shown.isEmpty()
                ? tr("The detector found in the model folders (the reference detector).")
                : shown.join(QLatin1Char('\n')));
    };
    showDefaults();
    auto *useCurrent = new QPushButton(tr("Use the Loaded Detectors"), this);
    useCurrent->setEnabled(!currentDetectors.isEmpty());
    auto *reset = new QPushButton(tr("Reset"), this);
    connect(useCurrent, &QPushButton::clicked, this, [this, showDefaults] {
        m_preferences.defaultDetectors = m_currentDetectors;
        showDefaults();
    });
    connect(reset, &QPushButton::clicked, this, [this, showDefaults] {
        m_preferences.defaultDetectors.clear();
        showDefaults();
    });
    auto *defaultButtons = new QHBoxLayout;
    defaultButtons->addWidget(useCurrent);
    defaultButtons->addWidget(reset);
    defaultButtons->addStretch(1);

    auto *form = new QFormLayout(this);
    form->addRow(tr("Device:"), m_device);
    form->addRow(tr("Operator threads:"), m_threads);
    form->addRow(new QLabel(tr("Applies to detectors loaded from now on."), this));
    form->addRow(tr("Detectors at start:"), m_defaults);
    form->addRow(QString(), defaultButtons);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

Preferences PreferencesDialog::preferences() const
{
    Preferences out = m_preferences;
    out.device = EngineConfig::Device(m_device->currentData().toInt());
    out.threads = m_threads->value();
    return out;
}

} // namespace forgelens
