#pragma once

#include "forgelens/error_code.h"

#include <QMetaType>
#include <QString>

#include <utility>
#include <variant>

namespace forgelens {

// An error that crosses the core boundary. `code` is one of the named codes (error_code.h); its
// stable name goes into CSV and JSON ("truncated", "not-an-image", ...). `message` says what
// happened and, where possible, what the person can do about it.
struct Error {
    ErrorCode code = ErrorCode::InternalError;
    QString message;

    QString codeName() const { return errorCodeName(code); }
};

// A value or an Error: what every fallible core function returns instead of throwing.
// (std::expected is C++23; this is the subset the project needs.)
template <typename T> class Result {
public:
    Result(T value) : m_state(std::move(value)) { } // NOLINT(google-explicit-constructor)
    Result(Error error) : m_state(std::move(error)) { } // NOLINT(google-explicit-constructor)

    static Result failure(ErrorCode code, QString message)
    {
        return Result(Error{ code, std::move(message) });
    }

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<T>(m_state); }
    const T &value() const & { return std::get<T>(m_state); }
    T &&value() && { return std::get<T>(std::move(m_state)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<Error>(m_state); }

private:
    std::variant<T, Error> m_state;
};

} // namespace forgelens

Q_DECLARE_METATYPE(forgelens::Error)
