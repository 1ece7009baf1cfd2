#include "forgelens/error_code.h"

#include <QCoreApplication>

#include <array>
#include <utility>

namespace forgelens {
namespace {

struct CodeText {
    ErrorCode code;
    const char *name;
    const char *description;
};

// QT_TRANSLATE_NOOP marks the descriptions for lupdate; errorCodeDescription translates them.
constexpr std::array kCodes{
    CodeText{ ErrorCode::NotFound, "not-found",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The file does not exist (or vanished).") },
    CodeText{ ErrorCode::NotAFile, "not-a-file",
        QT_TRANSLATE_NOOP(
            "forgelens::ErrorCode", "The path is a folder or a device, not a file.") },
    CodeText{ ErrorCode::Unreadable, "unreadable",
        QT_TRANSLATE_NOOP(
            "forgelens::ErrorCode", "The file could not be read (permissions, or a read error).") },
    CodeText{ ErrorCode::TooLarge, "too-large",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The file is larger than the size limit.") },
    CodeText{ ErrorCode::EmptyFile, "empty-file",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The file is empty.") },
    CodeText{ ErrorCode::NotAnImage, "not-an-image",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "The file's content is not an image format ForgeLens decodes.") },
    CodeText{ ErrorCode::BadHeader, "bad-header",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The image header is malformed.") },
    CodeText{ ErrorCode::Truncated, "truncated",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "The image data ends early: the file is truncated or damaged.") },
    CodeText{ ErrorCode::DecompressionBomb, "decompression-bomb",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "The header declares more pixels than the limit; refused before decoding.") },
    CodeText{ ErrorCode::DecodeFailed, "decode-failed",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The decoder could not decode the image.") },
    CodeText{ ErrorCode::JpegTooManyScans, "jpeg-too-many-scans",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "The JPEG has more scans than any encoder writes; refused before decoding (a known "
            "way to make decoders run for minutes).") },
    CodeText{ ErrorCode::UnsupportedFormat, "unsupported-format",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "The file is an image in a format or variant ForgeLens recognises but does not "
            "decode.") },
    CodeText{ ErrorCode::DecoderCrashed, "decoder-crashed",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "The sandboxed decoder crashed on this file; the job went on.") },
    CodeText{ ErrorCode::DecoderTimeout, "decoder-timeout",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "The sandboxed decoder ran past the per-file time limit and was stopped.") },
    CodeText{ ErrorCode::DecoderOutOfMemory, "decoder-out-of-memory",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "Decoding this file needs more memory than the decoder's limit.") },
    CodeText{ ErrorCode::DecoderSandboxViolation, "decoder-sandbox-violation",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "The decoder tried something its sandbox forbids (writing a file, starting a "
            "program) and was killed: the file may be an attack.") },
    CodeText{ ErrorCode::SandboxUnavailable, "sandbox-unavailable",
        QT_TRANSLATE_NOOP(
            "forgelens::ErrorCode", "The sandboxed decoder process could not be started.") },
    CodeText{ ErrorCode::MetadataUnreadable, "metadata-unreadable",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The EXIF, IPTC or XMP metadata is malformed.") },
    CodeText{ ErrorCode::MetadataMalformed, "metadata-malformed",
        QT_TRANSLATE_NOOP(
            "forgelens::ErrorCode", "Part of the metadata is malformed; the rest was read.") },
    CodeText{ ErrorCode::MalformedPng, "malformed-png",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The PNG chunk structure is malformed.") },
    CodeText{ ErrorCode::PngCrcMismatch, "png-crc-mismatch",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "A PNG chunk's CRC does not match its data.") },
    CodeText{ ErrorCode::PngNoIend, "png-no-iend",
        QT_TRANSLATE_NOOP(
            "forgelens::ErrorCode", "The PNG file ends without an IEND chunk (truncated?).") },
    CodeText{ ErrorCode::PngTooManyTextChunks, "png-too-many-text-chunks",
        QT_TRANSLATE_NOOP(
            "forgelens::ErrorCode", "The PNG file has more text chunks than are read.") },
    CodeText{ ErrorCode::PngTextMalformed, "png-text-malformed",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "A PNG text chunk is malformed.") },
    CodeText{ ErrorCode::PngTextInflate, "png-text-inflate",
        QT_TRANSLATE_NOOP(
            "forgelens::ErrorCode", "A compressed PNG text chunk does not inflate.") },
    CodeText{ ErrorCode::PngTextTooLarge, "png-text-too-large",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "A PNG text chunk inflates past the size limit (a possible zip bomb).") },
    CodeText{ ErrorCode::MalformedJpeg, "malformed-jpeg",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The JPEG marker structure is malformed.") },
    CodeText{ ErrorCode::MalformedC2pa, "malformed-c2pa",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The C2PA manifest store is malformed.") },
    CodeText{ ErrorCode::BadConfig, "bad-config",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The engine settings are not usable.") },
    CodeText{ ErrorCode::BadBundle, "bad-bundle",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The file is not a ForgeLens model bundle.") },
    CodeText{ ErrorCode::BadManifest, "bad-manifest",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The model bundle's manifest is invalid.") },
    CodeText{ ErrorCode::BadModel, "bad-model",
        QT_TRANSLATE_NOOP(
            "forgelens::ErrorCode", "The model does not behave as its manifest says.") },
    CodeText{ ErrorCode::HashMismatch, "hash-mismatch",
        QT_TRANSLATE_NOOP(
            "forgelens::ErrorCode", "The bundle's SHA-256 is not the one it was pinned to.") },
    CodeText{ ErrorCode::ModelUnusable, "model-unusable",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "A model bundle could not be loaded.") },
    CodeText{ ErrorCode::NoModel, "no-model",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "No model bundle was given and none was found in the model folders.") },
    CodeText{ ErrorCode::PreprocessFailed, "preprocess-failed",
        QT_TRANSLATE_NOOP(
            "forgelens::ErrorCode", "The image could not be prepared as the model's input.") },
    CodeText{ ErrorCode::InferenceFailed, "inference-failed",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The model failed while scoring the image.") },
    CodeText{ ErrorCode::Cancelled, "cancelled",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The analysis was cancelled.") },
    CodeText{ ErrorCode::InternalError, "internal-error",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "Something failed unexpectedly; please report it with the file's SHA-256.") },
    CodeText{ ErrorCode::BadSettings, "bad-settings",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The scan settings are not usable.") },
    CodeText{ ErrorCode::OutputExists, "output-exists",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The report exists and would be replaced.") },
    CodeText{ ErrorCode::InterruptedRunExists, "interrupted-run-exists",
        QT_TRANSLATE_NOOP(
            "forgelens::ErrorCode", "An interrupted scan is waiting to be resumed.") },
    CodeText{ ErrorCode::NothingToResume, "nothing-to-resume",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The report is already complete.") },
    CodeText{ ErrorCode::ResumeMismatch, "resume-mismatch",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "The interrupted scan used other models, folders or options.") },
    CodeText{ ErrorCode::RootUnreadable, "root-unreadable",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The folder could not be read.") },
    CodeText{ ErrorCode::OutputWriteFailed, "output-write-failed",
        QT_TRANSLATE_NOOP(
            "forgelens::ErrorCode", "The report could not be written (e.g. the disk is full).") },
    CodeText{ ErrorCode::ReportLocked, "report-locked",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "Another scan is writing the same report; two scans never write one file.") },
    CodeText{ ErrorCode::BadCsv, "bad-csv",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "A CSV report is malformed.") },
    CodeText{ ErrorCode::BadShard, "bad-shard",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The shard is not of the form K/N.") },
    CodeText{ ErrorCode::MergeRefused, "merge-refused",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The shard reports cannot be merged.") },
    CodeText{ ErrorCode::BadBank, "bad-bank",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "The file is not a usable exemplar bank (damaged, truncated, or not made by "
            "ForgeLens).") },
    CodeText{ ErrorCode::BankMismatch, "bank-mismatch",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "The exemplar bank was made with another detector bundle; its embeddings cannot be "
            "compared with this one's.") },
    CodeText{ ErrorCode::BankWriteFailed, "bank-write-failed",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The exemplar bank could not be written.") },
    CodeText{ ErrorCode::NoEmbedding, "no-embedding",
        QT_TRANSLATE_NOOP(
            "forgelens::ErrorCode", "The detector does not export the embedding this needs.") },
    CodeText{ ErrorCode::BadCase, "bad-case",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "The file is not a usable ForgeLens case (damaged, cut short, or not made by "
            "ForgeLens).") },
    CodeText{ ErrorCode::CaseWriteFailed, "case-write-failed",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "The case could not be written; it holds what it held before.") },
    CodeText{ ErrorCode::EvidenceChanged, "evidence-changed",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode",
            "The evidence file's bytes no longer match the hash recorded when it was taken "
            "into the case.") },
    CodeText{ ErrorCode::ReportWriteFailed, "report-write-failed",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "The report could not be written.") },
    CodeText{ ErrorCode::Stopped, "stopped",
        QT_TRANSLATE_NOOP("forgelens::ErrorCode", "Stopped at the caller's request.") },
};

const CodeText *find(ErrorCode code)
{
    for (const CodeText &entry : kCodes) {
        if (entry.code == code)
            return &entry;
    }
    return nullptr;
}

} // namespace

QString errorCodeName(ErrorCode code)
{
    const CodeText *entry = find(code);
    return entry ? QString::fromLatin1(entry->name) : QStringLiteral("internal-error");
}

QString errorCodeDescription(ErrorCode code)
{
    const CodeText *entry = find(code);
    return entry ? QCoreApplication::translate("forgelens::ErrorCode", entry->description)
                 : QString();
}

std::optional<ErrorCode> errorCodeFromName(QStringView name)
{
    for (const CodeText &entry : kCodes) {
        if (name == QLatin1String(entry.name))
            return entry.code;
    }
    return std::nullopt;
}

} // namespace forgelens
