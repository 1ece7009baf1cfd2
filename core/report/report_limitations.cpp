#include "forgelens/report/report_limitations.h"

#include <QCoreApplication>

namespace forgelens {

QStringList reportLimitations()
{
    const char *const context = "forgelens::ReportLimitations";
    return {
        QCoreApplication::translate(context,
            "A detector's score is a statistical judgement learned from the images it was "
            "trained on. It does not prove that an image was or was not made by a generative "
            "model, and it says nothing about who made the image or why."),
        QCoreApplication::translate(context,
            "Detectors are measured on the generators and photographs of their training and "
            "test sets. An image from a generator, camera, editing step or compression those "
            "sets did not contain may be scored wrongly, with high confidence either way."),
        QCoreApplication::translate(context,
            "Resizing, recompression, screenshots, printing and rescanning, and social-media "
            "processing remove much of the evidence detectors rely on. A photograph that was "
            "edited or retouched may be flagged; a generated image that was processed may not."),
        QCoreApplication::translate(context,
            "The threshold fixes a rate of false positives on the real photographs it was "
            "chosen on, not on the images of this case. How likely a flagged image is to be "
            "synthetic depends on how common synthetic images are among the images examined "
            "(the base rate), which the detector does not know."),
        QCoreApplication::translate(context,
            "Maps show where in the image a detector's evidence lies, as the detector sees it: "
            "they locate its response, not an edit. Nearest exemplars show which known images "
            "the detector's features resemble; their share is not a probability."),
        QCoreApplication::translate(context,
            "Metadata can be removed, forged or copied from another file. Its presence or absence "
            "is a finding to weigh, not proof of origin. A C2PA manifest is reported as found; "
            "its signature is verified only where the report says so."),
        QCoreApplication::translate(context,
            "Detectors marked experimental, stand-in or untrained have weak or no measured "
            "ability; their verdicts must not be relied on."),
    };
}

QString pdfaStatement()
{
    return QCoreApplication::translate("forgelens::ReportLimitations",
        "PDF/A-1b intended: written as PDF/A-1b with its fonts embedded; conformance was not "
        "checked with a validator.");
}

} // namespace forgelens
