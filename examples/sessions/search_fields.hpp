// What the sessions app indexes for search, declared once for the migrator, its tests, the
// benchmarks and strata-migrate's `search` command: every free text of a v3 session (name,
// description, each screenshot's AI analysis, each audio transcription, the summary and the
// audio insights), its tags and status as exact terms, and its start and end times as dates
// (date field 0 is start_time, 1 is end_time).
#pragma once

#include "schema.hpp"

#include <strata/index.hpp>

namespace sessions {

using search_fields = strata::index_fields<
    strata::text<"name">, strata::text<"description">, strata::text<"screenshots", "ai_analysis">,
    strata::text<"audio_segments", "transcription">, strata::text<"summary", "narrative">,
    strata::text<"audio_insights", "narrative">, strata::tags<"tags">, strata::tags<"status">,
    strata::date<"start_time">, strata::date<"end_time">>;

/// The sessions index over a backend, under "idx/".
template <class Backend>
using session_index = strata::inverted_index<session_v3, search_fields, Backend>;

}  // namespace sessions
