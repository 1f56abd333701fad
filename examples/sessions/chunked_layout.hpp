// How the sessions app stores a v3 session in a strata::chunked_store: screenshots and audio
// segments in chunks of strata::default_chunk_size (16, chosen by measuring appends of
// screenshots; benchmarks/README.md), every other member (stats, tags, config, the few video
// chunks) in the metadata that listings read. One declaration, shared by tests and benchmarks.
#pragma once

#include "schema.hpp"

#include <strata/chunked/layout.hpp>

template <>
struct strata::chunk_layout<sessions::session_v3>
    : strata::chunked<"id", strata::default_chunk_size, "screenshots", "audio_segments"> {};
