/**
 * @file
 * @brief strata's errors: one hierarchy of exceptions, rooted at `strata::error`.
 *
 * Why exceptions: a failure (a malformed document, a step that refuses a record, a backend
 * that cannot write) is rare per call but must carry rich context: the document, the JSON path,
 * what was expected and what was found. Exceptions keep the success path free of checks, and
 * they compose through the user's own step code: a step that throws is just another failure
 * that the caller records. Internally, simdjson's error codes are turned into a `decode_error`
 * at the point of failure; each enclosing level adds its part of the path as the error passes.
 */
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace strata {
inline namespace v1 {

/// @cond internal
namespace detail {
/// Appends `bytes` to `out` in double quotes, printable ASCII as is and every other byte (and
/// `"` and `\`) as `\xHH`: how messages show keys and texts that may hold any bytes.
inline void append_quoted_bytes(std::string& out, std::string_view bytes) {
    constexpr char hex[] = "0123456789abcdef";
    out += '"';
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out += ch;
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    out += '"';
}
}  // namespace detail
/// @endcond

/// The base of every error strata throws.
class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/**
 * @brief An error located in a document: which document (when known), the JSON path, what
 * was expected there and what was found.
 *
 * `what()` reads, e.g.:
 * `document "session-000007": at screenshots[3].attachment.base64: expected string, found number 12`
 */
class document_error : public error {
public:
    document_error(std::string expected, std::string found)
        : error(""), expected_(std::move(expected)), found_(std::move(found)) {
        rebuild();
    }

    /// The JSON path of the failure, e.g. `screenshots[3].attachment.base64` ("" for the root).
    const std::string& path() const noexcept { return path_; }
    /// What the reader expected at the path.
    const std::string& expected() const noexcept { return expected_; }
    /// What it found there.
    const std::string& found() const noexcept { return found_; }
    /// The document's id or file name, when the caller knows it.
    const std::string& document() const noexcept { return document_; }

    /// Adds an object key in front of the path (used while the error passes up).
    void prepend_key(std::string_view key) {
        std::string p(key);
        if (!path_.empty()) {
            if (path_.front() != '[') p += '.';
            p += path_;
        }
        path_ = std::move(p);
        rebuild();
    }
    /// Adds an array index in front of the path.
    void prepend_index(std::size_t index) {
        std::string p = "[" + std::to_string(index) + "]";
        if (!path_.empty()) {
            if (path_.front() != '[') p += '.';
            p += path_;
        }
        path_ = std::move(p);
        rebuild();
    }
    /// Names the document the error belongs to.
    void set_document(std::string document) {
        document_ = std::move(document);
        rebuild();
    }

    const char* what() const noexcept override { return message_.c_str(); }

private:
    void rebuild() {
        message_.clear();
        if (!document_.empty()) message_ += "document \"" + document_ + "\": ";
        message_ += "at " + (path_.empty() ? std::string("(root)") : path_) + ": expected " +
                    expected_ + ", found " + found_;
    }

    std::string path_;
    std::string expected_;
    std::string found_;
    std::string document_;
    std::string message_;
};

/// Reading a document failed: malformed JSON, a wrong type, a missing or unknown key.
class decode_error : public document_error {
public:
    using document_error::document_error;
};

/// Writing a value failed: it has no JSON form (a NaN, invalid UTF-8 in a string).
class encode_error : public document_error {
public:
    using document_error::document_error;
};

/**
 * @brief A document broke a rule of its schema (a required field empty, a value out of range,
 * an attachment missing from the content store): thrown by validators, with the JSON path.
 */
class validation_error : public document_error {
public:
    using document_error::document_error;
};

/// A document's schema version is not one the chain knows (e.g. written by a newer program).
class version_error : public error {
public:
    using error::error;
};

/**
 * @brief A store could not do what was asked: an I/O error, a SQLite error, a store that is
 * not a strata store, a corrupt or unreadable value.
 *
 * It carries the operation (`"get"`, `"put"`, `"apply batch"`, `"open"`), the key it concerned
 * (empty when none, e.g. opening), and the underlying reason as the OS or SQLite reported it.
 * `what()` reads, e.g.:
 * `storage: put "sessions/s-0001": write /data/store/…: No space left on device`
 *
 * An error is *transient* when the same call may succeed if simply tried again a little later
 * and the failed call changed nothing (another process held a lock: SQLite's `SQLITE_BUSY`);
 * `with_retry` (storage/retry.hpp) retries those and only those.
 */
class storage_error : public error {
public:
    storage_error(std::string operation, std::string key, std::string reason, bool transient = false)
        : error(compose(operation, key, reason)),
          operation_(std::move(operation)),
          key_(std::move(key)),
          reason_(std::move(reason)),
          transient_(transient) {}

    /// A transient error: the call changed nothing and may succeed when tried again later.
    static storage_error transient_failure(std::string operation, std::string key, std::string reason) {
        return storage_error(std::move(operation), std::move(key), std::move(reason), true);
    }

    /// Whether trying the same call again later may succeed (and this failure changed nothing).
    bool transient() const noexcept { return transient_; }

    /// What was being done: "get", "put", "erase", "scan", "apply batch", "open", ….
    const std::string& operation() const noexcept { return operation_; }
    /// The key concerned (may hold any bytes; empty when the error concerns no one key).
    const std::string& key() const noexcept { return key_; }
    /// The underlying reason: the OS's `strerror`, SQLite's `sqlite3_errmsg`, or strata's own.
    const std::string& reason() const noexcept { return reason_; }

private:
    static std::string compose(const std::string& operation, const std::string& key,
                               const std::string& reason) {
        std::string m = "storage: " + operation;
        if (!key.empty()) {
            m += ' ';
            detail::append_quoted_bytes(m, key);  // keys are bytes: the unprintable ones escaped
        }
        m += ": " + reason;
        return m;
    }

    std::string operation_;
    std::string key_;
    std::string reason_;
    bool transient_ = false;
};

}  // namespace v1
}  // namespace strata
