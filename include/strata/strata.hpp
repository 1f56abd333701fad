/**
 * @file
 * @brief The umbrella header: everything strata offers but the opt-in integrations (link
 * strata::json for the codec). The SQLite backend is one such integration: include
 * <strata/storage/sqlite.hpp> and link strata::sqlite. Include the focused headers instead to
 * keep compile times down.
 */
#pragma once

#include <strata/carry_over.hpp>
#include <strata/chain.hpp>
#include <strata/diff.hpp>
#include <strata/error.hpp>
#include <strata/json.hpp>
#include <strata/json/diff.hpp>
#include <strata/naming.hpp>
#include <strata/raw_json.hpp>
#include <strata/reflection.hpp>
#include <strata/schema_version.hpp>
#include <strata/version.hpp>
#include <strata/version_detection.hpp>
#include <strata/dual_read.hpp>
#include <strata/testing.hpp>
#include <strata/base64.hpp>
#include <strata/string_coded.hpp>
#include <strata/storage/backend.hpp>
#include <strata/storage/memory.hpp>
#include <strata/storage/filesystem.hpp>
#include <strata/storage/write_behind.hpp>
#include <strata/storage/retry.hpp>
#include <strata/storage/lease.hpp>
#include <strata/cache.hpp>
#include <strata/compression/frame.hpp>
#include <strata/compression/recompress.hpp>
#include <strata/chunked.hpp>
#include <strata/index.hpp>
