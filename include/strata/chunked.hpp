/**
 * @file
 * @brief Chunked documents (needs strata::json): a `chunk_layout` names a document's id and
 * the array members kept apart in fixed-size chunks; `chunked_store` keeps the metadata apart
 * from the chunks, so that listing reads the metadata only and an append rewrites one chunk.
 *
 * @code
 * template <>
 * struct strata::chunk_layout<session_v3> : strata::chunked<"id", 16, "screenshots"> {};
 * strata::chunked_store<session_v3, strata::memory_backend> store(backend, "sessions/");
 * @endcode
 */
#pragma once

#include <strata/chunked/chunked_store.hpp>
#include <strata/chunked/layout.hpp>
#include <strata/chunked/metadata.hpp>
