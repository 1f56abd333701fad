/**
 * @file
 * @brief The umbrella header: everything strata offers. Include the focused headers instead to
 * keep compile times down.
 */
#pragma once

#include <strata/chain.hpp>
#include <strata/reflection.hpp>
#include <strata/schema_version.hpp>
#include <strata/version.hpp>
