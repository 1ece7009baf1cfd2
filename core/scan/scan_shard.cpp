#include "forgelens/scan/scan_shard.h"

#include <QRegularExpression>

namespace forgelens {

Result<ShardSpec> ShardSpec::parse(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d{1,9})/(\\d{1,9})$"));
    const QRegularExpressionMatch match = pattern.match(text.trimmed());
    const auto bad = [&text](const QString &why) {
        return Error{ ErrorCode::BadShard, QStringLiteral("--shard \"%1\": %2").arg(text, why) };
    };
    if (!match.hasMatch())
        return bad(QStringLiteral("expected K/N, e.g. 0/8 for the first of eight shards"));
    ShardSpec spec;
    spec.index = match.captured(1).toInt();
    spec.count = match.captured(2).toInt();
    if (spec.count < 1)
        return bad(QStringLiteral("N must be at least 1"));
    if (spec.index >= spec.count)
        return bad(QStringLiteral("K counts from 0 and must be below N"));
    return spec;
}

QString ShardSpec::toString() const
{
    return QStringLiteral("%1/%2").arg(index).arg(count);
}

bool ShardSpec::contains(const QString &relativePath) const
{
    return stablePathHash(relativePath) % std::uint64_t(count) == std::uint64_t(index);
}

std::uint64_t stablePathHash(const QString &relativePath)
{
    // FNV-1a, 64-bit: offset basis and prime as published by Fowler, Noll and Vo.
    std::uint64_t hash = 14695981039346656037ULL;
    const QByteArray bytes = relativePath.toUtf8();
    for (const char c : bytes) {
        hash ^= std::uint8_t(c);
        hash *= 1099511628211ULL;
    }
    return hash;
}

} // namespace forgelens
