// Version types shared by the compile-fail cases: a record at versions 0 to 4.
#pragma once

#include <string>

struct rec_v0 { static constexpr unsigned version = 0; std::string name; };
struct rec_v1 { static constexpr unsigned version = 1; std::string name; };
struct rec_v2 { static constexpr unsigned version = 2; std::string name; int size = 0; };
struct rec_v3 { static constexpr unsigned version = 3; std::string name; int size = 0; bool ok = false; };
struct rec_v4 { static constexpr unsigned version = 4; std::string title; };
struct other_v2 { static constexpr unsigned version = 2; std::string label; };
struct unversioned { std::string name; };

struct up12 { using from = rec_v1; using to = rec_v2; rec_v2 up(rec_v1&& r) const { return {std::move(r.name), 0}; } };
struct up23 { using from = rec_v2; using to = rec_v3; rec_v3 up(rec_v2&& r) const { return {std::move(r.name), r.size, true}; } };
struct up34 { using from = rec_v3; using to = rec_v4; rec_v4 up(rec_v3&& r) const { return {std::move(r.name)}; } };
