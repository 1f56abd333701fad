/**
 * @file
 * @brief The JSON codec (target strata::json): decode with simdjson On-Demand straight into
 * reflected structs, encode into one growing buffer.
 */
#pragma once

#include <strata/json/decode.hpp>
#include <strata/json/encode.hpp>
