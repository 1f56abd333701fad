/**
 * @file
 * @brief The cache, all in one include: `strata::cache`, the eviction policies (`lru`, `sieve`,
 * `s3_fifo`, `w_tinylfu`), the concept a policy of your own satisfies, the sizers, and the
 * `strata::cached` backend decorator. Each also has its own header under `strata/cache/`.
 */
#pragma once

#include <strata/cache/cache.hpp>
#include <strata/cache/cached.hpp>
#include <strata/cache/eviction_policy.hpp>
#include <strata/cache/frequency_sketch.hpp>
#include <strata/cache/hash.hpp>
#include <strata/cache/lru.hpp>
#include <strata/cache/s3_fifo.hpp>
#include <strata/cache/sieve.hpp>
#include <strata/cache/sizer.hpp>
#include <strata/cache/slot_lists.hpp>
#include <strata/cache/w_tinylfu.hpp>
