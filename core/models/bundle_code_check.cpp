#include "forgelens/models/bundle_code_check.h"

#include <QSet>

#include <algorithm>
#include <iterator>
#include <string_view>

namespace forgelens {
namespace {

// Pure operations on tensors, numbers, lists and dicts: what the shipped reference detector, the
// four seed systems' converted bundles (CoDE ViT and heads, DeepFakeDefenders' ConvNeXt-V2 and
// EfficientNets, Dataset Alignment's ResNet-50, DeepFeatureX) and common vision networks use.
// Nothing here reads or writes a file, the network, the process or the terminal.
constexpr std::string_view kAllowedOperations[] = {
    "__and__",
    "__contains__",
    "__derive_index",
    "__getitem__",
    "__is__",
    "__isnot__",
    "__not__",
    "__or__",
    "__range_length",
    "_set_item",
    "abs",
    "acos",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "add",
    "add_",
    "addcmul",
    "addmm",
    "all",
    "any",
    "append",
    "arange",
    "argmax",
    "argmin",
    "asin",
    "atan",
    "atan2",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "baddbmm",
    "batch_norm",
    "bmm",
    "cat",
    "ceil",
    "chunk",
    "clamp",
    "clamp_",
    "clamp_max",
    "clamp_min",
    "clamp_min_",
    "clear",
    "clone",
    "concat",
    "contiguous",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "copy_",
    "cos",
    "cosh",
    "cumsum",
    "detach",
    "device",
    "dict",
    "dim",
    "div",
    "div_",
    "dropout",
    "dropout_",
    "dtype",
    "einsum",
    "elu",
    "embedding",
    "empty",
    "empty_like",
    "eq",
    "erf",
    "exp",
    "expand",
    "expand_as",
    "extend",
    "fill_",
    "flatten",
    "flip",
    "float",
    "floor",
    "floor_divide",
    "floordiv",
    "format",
    "full",
    "full_like",
    "gather",
    "ge",
    "gelu",
    "get",
    "group_norm",
    "gt",
    "hardsigmoid",
    "hardsigmoid_",
    "hardswish",
    "hardswish_",
    "hardtanh",
    "hardtanh_",
    "index",
    "index_select",
    "insert",
    "instance_norm",
    "int",
    "is_floating_point",
    "isfinite",
    "isinf",
    "isnan",
    "item",
    "items",
    "keys",
    "layer_norm",
    "le",
    "leaky_relu",
    "leaky_relu_",
    "len",
    "lerp",
    "linalg_norm",
    "linear",
    "linspace",
    "list",
    "log",
    "log10",
    "log1p",
    "log2",
    "log_softmax",
    "logical_and",
    "logical_not",
    "logical_or",
    "logsumexp",
    "lt",
    "masked_fill",
    "masked_fill_",
    "matmul",
    "max",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mm",
    "mul",
    "mul_",
    "narrow",
    "ne",
    "neg",
    "norm",
    "normalize",
    "numel",
    "ones",
    "ones_like",
    "pad",
    "permute",
    "pixel_shuffle",
    "pop",
    "pow",
    "prod",
    "reciprocal",
    "relu",
    "relu6",
    "relu_",
    "remainder",
    "repeat",
    "repeat_interleave",
    "reshape",
    "round",
    "rsqrt",
    "scalar_tensor",
    "select",
    "selu",
    "sigmoid",
    "sigmoid_",
    "sign",
    "silu",
    "silu_",
    "sin",
    "sinh",
    "size",
    "slice",
    "softmax",
    "softplus",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "sub",
    "sub_",
    "sum",
    "t",
    "tanh",
    "tanh_",
    "tensor",
    "to",
    "topk",
    "transpose",
    "tril",
    "triu",
    "type_as",
    "unbind",
    "unflatten",
    "unsqueeze",
    "upsample_bicubic2d",
    "upsample_bilinear2d",
    "upsample_nearest2d",
    "values",
    "var",
    "view",
    "view_as",
    "warn",
    "where",
    "zero_",
    "zeros",
    "zeros_like",
};

// The interpreter's own control operations, named ops.prim.X in serialized code.
constexpr std::string_view kAllowedPrimOperations[] = {
    "NumToTensor",
    "RaiseException",
    "TupleIndex",
    "TupleUnpack",
    "abs",
    "data",
    "device",
    "dtype",
    "is_cuda",
    "layout",
    "max",
    "min",
    "shape",
    "unchecked_cast",
    "unchecked_unwrap_optional",
    "isinstance",
    "requires_grad",
    "grad",
};

template <size_t N> bool listed(const std::string_view (&list)[N], const QString &name)
{
    const std::string utf8 = name.toStdString();
    return !utf8.empty() && std::find(std::begin(list), std::end(list), utf8) != std::end(list);
}

struct Token {
    enum Kind { Identifier, Dot, Other } kind;
    QString text;
};

bool identifierStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool identifierPart(char c)
{
    return identifierStart(c) || (c >= '0' && c <= '9');
}

// Python-like lexing, enough to tell names from strings and comments: TorchScript's lexer allows
// whitespace and line continuations around '.', so a name is matched token by token.
std::vector<Token> tokenize(const QByteArray &source)
{
    std::vector<Token> tokens;
    const qsizetype n = source.size();
    qsizetype i = 0;
    while (i < n) {
        const char c = source[i];
        if (c == '#') {
            while (i < n && source[i] != '\n')
                ++i;
        } else if (c == '"' || c == '\'') {
            const bool triple = i + 2 < n && source[i + 1] == c && source[i + 2] == c;
            const qsizetype quoteLength = triple ? 3 : 1;
            i += quoteLength;
            while (i < n) {
                if (source[i] == '\\') {
                    i += 2;
                    continue;
                }
                if (source[i] == c
                    && (!triple || (i + 2 < n && source[i + 1] == c && source[i + 2] == c))) {
                    i += quoteLength;
                    break;
                }
                ++i;
            }
            tokens.push_back({ Token::Other, QString() });
        } else if (identifierStart(c)) {
            const qsizetype start = i;
            while (i < n && identifierPart(source[i]))
                ++i;
            tokens.push_back(
                { Token::Identifier, QString::fromLatin1(source.mid(start, i - start)) });
        } else if (c == '.') {
            ++i;
            tokens.push_back({ Token::Dot, QString() });
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\' || c == '\f') {
            ++i;
        } else {
            if (c >= '0' && c <= '9') {
                while (i < n && (identifierPart(source[i]) || source[i] == '.'))
                    ++i;
            } else {
                ++i;
            }
            tokens.push_back({ Token::Other, QString() });
        }
    }
    return tokens;
}

} // namespace

QStringList torchScriptOperations(const QByteArray &source)
{
    const std::vector<Token> tokens = tokenize(source);
    QStringList operations;
    const auto nameAt = [&tokens](size_t index) -> QString {
        return index < tokens.size() && tokens[index].kind == Token::Identifier ? tokens[index].text
                                                                                : QString();
    };
    const auto dotAt = [&tokens](size_t index) {
        return index < tokens.size() && tokens[index].kind == Token::Dot;
    };
    for (size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i].kind != Token::Identifier || (i > 0 && tokens[i - 1].kind == Token::Dot))
            continue;
        const QString &root = tokens[i].text;
        QString operation;
        if (root == QLatin1String("print")) {
            operation = root;
        } else if (root == QLatin1String("torch") && dotAt(i + 1)) {
            const QString second = nameAt(i + 2);
            if ((second == QLatin1String("ops")) && dotAt(i + 3) && dotAt(i + 5))
                operation = QStringLiteral("torch.ops.%1.%2").arg(nameAt(i + 4), nameAt(i + 6));
            else
                operation = QStringLiteral("torch.%1").arg(second);
        } else if (root == QLatin1String("ops") && dotAt(i + 1) && dotAt(i + 3)) {
            operation = QStringLiteral("ops.%1.%2").arg(nameAt(i + 2), nameAt(i + 4));
        } else if (root == QLatin1String("__torch__")) {
            // A class path: only the archive's own classes, never a registered custom class.
            for (size_t j = i + 1; dotAt(j) && !nameAt(j + 1).isEmpty(); j += 2) {
                if (nameAt(j + 1) == QLatin1String("classes")
                    && nameAt(j - 1) == QLatin1String("torch")) {
                    operation = QStringLiteral("__torch__.torch.classes");
                    break;
                }
            }
        }
        if (!operation.isEmpty() && !operations.contains(operation))
            operations.append(operation);
    }
    return operations;
}

bool isAllowedTorchScriptOperation(const QString &operation)
{
    const QStringList parts = operation.split(QLatin1Char('.'));
    if (parts.size() == 2 && parts[0] == QLatin1String("torch"))
        return listed(kAllowedOperations, parts[1]);
    const QStringList op
        = parts.size() == 4 && parts[0] == QLatin1String("torch") ? parts.mid(1) : parts;
    if (op.size() == 3 && op[0] == QLatin1String("ops")) {
        if (op[1] == QLatin1String("aten"))
            return listed(kAllowedOperations, op[2]);
        if (op[1] == QLatin1String("prim"))
            return listed(kAllowedPrimOperations, op[2]);
    }
    return false;
}

std::optional<Error> checkBundleCode(
    const QByteArray &archiveBytes, const BundleArchive &archive, const BundleArchiveLimits &limits)
{
    const QString codeFolder = archive.root + QStringLiteral("/code/");
    qint64 codeBytes = 0;
    bool anyCode = false;
    for (const BundleArchiveEntry &entry : archive.entries) {
        if (!entry.name.startsWith(codeFolder) || !entry.name.endsWith(QLatin1String(".py")))
            continue;
        anyCode = true;
        codeBytes += entry.size;
        if (codeBytes > limits.maxCodeBytes)
            return Error{ ErrorCode::BadBundle,
                QStringLiteral("the bundle's TorchScript code is more than %1 bytes")
                    .arg(limits.maxCodeBytes) };
        for (const QString &operation :
            torchScriptOperations(bundleEntryBytes(archiveBytes, entry))) {
            if (!isAllowedTorchScriptOperation(operation))
                return Error{ ErrorCode::BadBundle,
                    QStringLiteral("the bundle's code (%1) uses %2, which is not on ForgeLens's "
                                   "allow-list of TorchScript operations (pure tensor "
                                   "operations only: nothing that opens files, prints or calls "
                                   "registered classes); it was not loaded")
                        .arg(entry.name.mid(archive.root.size() + 1), operation) };
        }
    }
    if (!anyCode)
        return Error{ ErrorCode::BadBundle,
            QStringLiteral("the archive holds no TorchScript code (code/*.py): not a TorchScript "
                           "bundle") };
    return std::nullopt;
}

} // namespace forgelens
