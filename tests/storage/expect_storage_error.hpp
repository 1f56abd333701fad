// Test helper shared by the storage tests: the storage_error a call must throw.
#pragma once

#include <strata/error.hpp>

#include <doctest/doctest.h>

#include <exception>

/// Runs `fn` and returns the storage_error it must throw (a test failure when it throws none).
template <class Fn>
strata::storage_error expect_storage_error(Fn&& fn) {
    try {
        fn();
    } catch (const strata::storage_error& e) {
        return e;
    } catch (const std::exception& e) {
        FAIL("not a storage_error: " << e.what());
    }
    FAIL("no storage_error was thrown");
    return strata::storage_error("", "", "");
}
