/**
 * @file
 * @brief The inverted index, everything: field declarations, tokenizer, dates, queries,
 * reports and `inverted_index` itself (core: needs Boost.Hana only; stores through any backend).
 *
 * @code
 * #include <strata/index.hpp>
 * using fields = strata::index_fields<strata::text<"name">, strata::tags<"tags">, strata::date<"start_time">>;
 * strata::memory_backend store;
 * strata::inverted_index<session_v3, fields, strata::memory_backend> index(store);
 * index.update(session);
 * auto page = index.search(strata::parse_query("focus editor --tag ops"));
 * @endcode
 */
#pragma once

#include <strata/index/date.hpp>
#include <strata/index/fields.hpp>
#include <strata/index/inverted_index.hpp>
#include <strata/index/query.hpp>
#include <strata/index/reports.hpp>
#include <strata/index/tokenizer.hpp>
