#pragma once

#include <QString>
#include <QStringView>

#include <optional>

namespace forgelens {

// Every error ForgeLens reports, named once. The stable name of each (errorCodeName) is what
// CSV `status` columns, JSON `status` fields and the CLI's "[code]" print; it never changes
// once released. Code compares codes by value, never by their text.
enum class ErrorCode {
    // Reading an evidence file
    NotFound, // the file is not there (or vanished during a scan)
    NotAFile,
    Unreadable,
    TooLarge,
    EmptyFile,
    // Decoding it
    NotAnImage,
    BadHeader,
    Truncated,
    DecompressionBomb,
    DecodeFailed,
    JpegTooManyScans,
    UnsupportedFormat, // an image format (or variant) recognised but not decoded
    DecoderCrashed,
    DecoderTimeout,
    DecoderOutOfMemory,
    DecoderSandboxViolation,
    SandboxUnavailable,
    // Its metadata (the image may still be analysed)
    MetadataUnreadable,
    MetadataMalformed,
    MalformedPng,
    PngCrcMismatch,
    PngNoIend,
    PngTooManyTextChunks,
    PngTextMalformed,
    PngTextInflate,
    PngTextTooLarge,
    MalformedJpeg,
    MalformedC2pa,
    // Models
    BadConfig,
    BadBundle,
    BadManifest,
    BadModel,
    HashMismatch,
    ModelUnusable,
    NoModel,
    // Running them
    PreprocessFailed,
    InferenceFailed,
    Cancelled,
    InternalError,
    // Scans and their reports
    BadSettings,
    OutputExists,
    InterruptedRunExists,
    NothingToResume,
    ResumeMismatch,
    RootUnreadable,
    OutputWriteFailed,
    ReportLocked,
    BadCsv,
    BadShard,
    MergeRefused,
    // Exemplar banks and what explains a verdict
    BadBank,
    BankMismatch,
    BankWriteFailed,
    NoEmbedding,
    // Cases and forensic reports
    BadCase,
    CaseWriteFailed,
    EvidenceChanged,
    ReportWriteFailed,
    // A caller's own reason to stop a callback-driven read (e.g. a CSV row visitor)
    Stopped,
};

// The stable machine-readable name: "not-found", "truncated", ...
QString errorCodeName(ErrorCode code);
// What the code means, for a person, translated (context "forgelens::ErrorCode").
QString errorCodeDescription(ErrorCode code);
std::optional<ErrorCode> errorCodeFromName(QStringView name);

} // namespace forgelens
