#pragma once

#include "forgelens/result.h"

#include <QString>

#include <cstdint>

namespace forgelens {

// One deterministic share of a folder: `--shard K/N` takes the files whose stable hash of the
// relative path is K modulo N (K counts from 0, as Kubernetes' JOB_COMPLETION_INDEX and a Slurm
// array declared 0-(N-1) do). The hash depends on nothing but the path, so every machine, run
// and build agrees on who owns a file.
struct ShardSpec {
    int index = 0;
    int count = 1;

    // "K/N" with 0 <= K < N. Error code: bad-shard.
    static Result<ShardSpec> parse(const QString &text);
    QString toString() const; // "K/N"
    bool isWhole() const { return count == 1; }
    bool contains(const QString &relativePath) const;
};

// 64-bit FNV-1a over the UTF-8 bytes of the '/'-separated relative path.
std::uint64_t stablePathHash(const QString &relativePath);

} // namespace forgelens
