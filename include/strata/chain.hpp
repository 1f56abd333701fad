/**
 * @file
 * @brief Migration steps and the compile-time checked chain that composes them.
 *
 * A step is a type that names the version it starts from and the one it produces, and
 * converts the first into the second:
 * @code
 * struct session_v1_to_v2 {
 *     using from = session_v1;                 // version 1
 *     using to = session_v2;                   // version 2
 *     session_v2 up(session_v1&& old) const;  // required
 *     session_v1 down(session_v2&& now) const; // optional: makes the step reversible
 * };
 * using session_chain = strata::chain<session_v1_to_v2, session_v2_to_v3>;
 * @endcode
 * The chain is checked once, when it is instantiated: versions start at 1 and go up by one per
 * step, each step starts where the previous one ended, no step repeats, and `up`/`down` have the
 * right signatures. A broken chain does not compile; the error starts with `strata:` and says
 * which step is wrong and what to write. Define `STRATA_NO_CHAIN_CHECKS` to skip the checks
 * (e.g. to measure their cost on compile times); a broken chain then fails later, less clearly.
 *
 * A step may hold state (e.g. the content store that receives attachments): the chain stores one
 * instance of each step, default-constructed or passed to its constructor.
 */
#pragma once

#include <strata/detail/dependent_false.hpp>
#include <strata/schema_version.hpp>

#include <concepts>
#include <cstddef>
#include <cstdlib>
#include <tuple>
#include <type_traits>
#include <utility>

namespace strata {
inline namespace v1 {

/// `S` names the versions it converts between: `using from = ...; using to = ...;`.
template <class S>
concept has_from_to = requires {
    typename S::from;
    typename S::to;
};

/// `S` converts its `from` into its `to` with `up`.
template <class S>
concept has_up = has_from_to<S> && requires(S& step, typename S::from&& old) {
    { step.up(std::move(old)) } -> std::same_as<typename S::to>;
};

/// `S` declares something named `down` (it means to be reversible).
template <class S>
concept declares_down = requires { &S::down; };

/// `S` converts its `to` back into its `from` with `down`.
template <class S>
concept has_down = has_from_to<S> && requires(S& step, typename S::to&& now) {
    { step.down(std::move(now)) } -> std::same_as<typename S::from>;
};

/// `S` is a well-formed migration step from one schema version to the next.
template <class S>
concept is_migration_step = has_from_to<S> && is_versioned<typename S::from> &&
                            is_versioned<typename S::to> && has_up<S> &&
                            (!declares_down<S> || has_down<S>);

/// @cond internal
namespace detail {

// What is wrong with one step, if anything. Computed without firing any assertion, so that
// only the first problem of a chain is reported.
enum class step_problem {
    none,
    no_from_to,
    from_unversioned,
    to_unversioned,
    version_zero,
    not_next_version,
    no_up,
    bad_down
};

template <class S>
consteval step_problem problem_of_step() {
    if constexpr (!has_from_to<S>) {
        return step_problem::no_from_to;
    } else if constexpr (!is_versioned<typename S::from>) {
        return step_problem::from_unversioned;
    } else if constexpr (!is_versioned<typename S::to>) {
        return step_problem::to_unversioned;
    } else if constexpr (version_of<typename S::from> < 1) {
        return step_problem::version_zero;
    } else if constexpr (version_of<typename S::to> != version_of<typename S::from> + 1) {
        return step_problem::not_next_version;
    } else if constexpr (!has_up<S>) {
        return step_problem::no_up;
    } else if constexpr (declares_down<S> && !has_down<S>) {
        return step_problem::bad_down;
    } else {
        return step_problem::none;
    }
}

// The diagnostic for step number `Position` (1-based). The template arguments put the step's
// type and its versions into the compiler's "in instantiation of" lines.
template <std::size_t Position, class Step, step_problem Problem>
struct report_step {
    static_assert(Problem != step_problem::no_from_to,
                  "strata: a chain step must name the versions it converts between: add "
                  "`using from = OldVersion; using to = NewVersion;` to the step");
    static_assert(Problem != step_problem::from_unversioned,
                  "strata: the step's `from` type has no schema version: add "
                  "`static constexpr unsigned version = N;` to it, or specialise "
                  "strata::version_traits for it");
    static_assert(Problem != step_problem::to_unversioned,
                  "strata: the step's `to` type has no schema version: add "
                  "`static constexpr unsigned version = N;` to it, or specialise "
                  "strata::version_traits for it");
};

template <std::size_t Position, class Step, schema_version_t From, schema_version_t To,
          step_problem Problem>
struct report_step_versions {
    static_assert(Problem != step_problem::version_zero,
                  "strata: schema versions start at 1: this step starts from version 0");
    static_assert(Problem != step_problem::not_next_version,
                  "strata: a step must go from version N to version N+1: this step's `to` "
                  "version is not its `from` version plus one (see From and To below)");
    static_assert(Problem != step_problem::no_up,
                  "strata: the step has no usable up function: write "
                  "`To up(From&& old)` (or `To up(const From& old)`) returning exactly the "
                  "step's `to` type");
    static_assert(Problem != step_problem::bad_down,
                  "strata: the step's down function has the wrong signature: write "
                  "`From down(To&& now)` (or `From down(const To& now)`) returning exactly the "
                  "step's `from` type, or remove it");
};

template <std::size_t Position, class Step>
consteval bool check_step() {
    constexpr step_problem problem = problem_of_step<Step>();
    if constexpr (problem == step_problem::none) {
        return true;
    } else if constexpr (problem == step_problem::no_from_to ||
                         problem == step_problem::from_unversioned ||
                         problem == step_problem::to_unversioned) {
        (void)report_step<Position, Step, problem>{};
        return false;
    } else {
        (void)report_step_versions<Position, Step, version_of<typename Step::from>,
                                   version_of<typename Step::to>, problem>{};
        return false;
    }
}

// What is wrong between two adjacent (individually valid) steps.
enum class link_problem { none, repeats_step, same_version_other_type, skips_versions, goes_back };

template <class A, class B>
consteval link_problem problem_of_link() {
    constexpr auto ends = version_of<typename A::to>;
    constexpr auto starts = version_of<typename B::from>;
    if constexpr (std::is_same_v<A, B>) {
        return link_problem::repeats_step;
    } else if constexpr (starts < ends) {
        return link_problem::goes_back;
    } else if constexpr (starts > ends) {
        return link_problem::skips_versions;
    } else if constexpr (!std::is_same_v<typename A::to, typename B::from>) {
        return link_problem::same_version_other_type;
    } else {
        return link_problem::none;
    }
}

/// Named in diagnostics when a chain skips versions: no step goes from `From` to `To`.
template <schema_version_t From, schema_version_t To>
struct missing_migration_from;

template <std::size_t Position, class Step, class NextStep, schema_version_t Ends,
          schema_version_t NextStarts, link_problem Problem>
struct report_link {
    static_assert(Problem != link_problem::repeats_step,
                  "strata: the chain repeats a step: each step may appear once");
    static_assert(Problem != link_problem::goes_back,
                  "strata: chain steps must be in ascending order without repeating a "
                  "version: the next step starts from a version at or before one the chain "
                  "has already passed (see Ends and NextStarts below)");
    static_assert(Problem != link_problem::skips_versions,
                  "strata: the chain skips a version: no step goes from the version this step "
                  "ends at to the version the next step starts from; add the missing step "
                  "(see Ends and NextStarts below)");
    static_assert(Problem != link_problem::same_version_other_type,
                  "strata: chain steps do not connect: the next step's `from` is a different "
                  "type than this step's `to`, though both claim the same version; "
                  "use one type per version");
};

template <std::size_t Position, class A, class B>
consteval bool check_link() {
    constexpr link_problem problem = problem_of_link<A, B>();
    if constexpr (problem == link_problem::none) {
        return true;
    } else {
        if constexpr (problem == link_problem::skips_versions) {
            // Puts "missing_migration_from<2, 3>" into the diagnostic too.
            static_assert(sizeof(missing_migration_from<version_of<typename A::to>,
                                                        version_of<typename B::from>>*) != 0);
        }
        (void)report_link<Position, A, B, version_of<typename A::to>,
                          version_of<typename B::from>, problem>{};
        return false;
    }
}

template <class... T>
struct type_list {};

// The version of T, or 0 for an invalid chain's placeholder (void): no second error.
template <class T>
consteval schema_version_t version_or_zero() {
    if constexpr (is_versioned<T>) {
        return version_of<T>;
    } else {
        return 0;
    }
}

template <std::size_t I, class... T>
using nth_type = std::tuple_element_t<I, std::tuple<T...>>;

// Checks step I, then the link I -> I+1, then recurses: stops at the first problem so that a
// broken chain gives one error, not a cascade.
template <std::size_t I, class... Steps>
consteval bool check_chain_from() {
    if constexpr (I == sizeof...(Steps)) {
        return true;
    } else if constexpr (!check_step<I + 1, nth_type<I, Steps...>>()) {
        return false;
    } else if constexpr (I + 1 == sizeof...(Steps)) {
        return true;
    } else if constexpr (problem_of_step<nth_type<I + 1, Steps...>>() != step_problem::none) {
        return check_step<I + 2, nth_type<I + 1, Steps...>>();
    } else if constexpr (!check_link<I + 1, nth_type<I, Steps...>, nth_type<I + 1, Steps...>>()) {
        return false;
    } else {
        return check_chain_from<I + 1, Steps...>();
    }
}

template <class... Steps>
consteval bool check_chain() {
    if constexpr (sizeof...(Steps) == 0) {
        static_assert(dependent_false<Steps...>,
                      "strata: a chain needs at least one step: chain<V1ToV2, V2ToV3, ...>");
        return false;
    } else {
#ifdef STRATA_NO_CHAIN_CHECKS
        return true;
#else
        return check_chain_from<0, Steps...>();
#endif
    }
}

// The index of the first step at or after `From` that has no down function, or the step count.
template <std::size_t From, class... Steps>
consteval std::size_t first_step_without_down() {
    std::size_t index = sizeof...(Steps);
    std::size_t i = 0;
    ((index = (index == sizeof...(Steps) && i >= From && !has_down<Steps>) ? i : index, ++i), ...);
    return index;
}

template <class Step, schema_version_t Target>
struct report_missing_down {
    static_assert(detail::dependent_false<Step>,
                  "strata: downgrade_to<N> needs a down function on every step above version N: "
                  "write `From down(To&& now)` in the step named below (Step)");
};

// Stands for the version types of a chain that failed its checks, so that the one error
// already reported is not followed by others.
struct invalid_chain {};

// The version types of a valid chain: from of every step, then to of the last one.
template <bool Valid, class... Steps>
struct chain_types {
    using first = invalid_chain;
    using latest = invalid_chain;
    using versions = type_list<>;
};
template <class... Steps>
struct chain_types<true, Steps...> {
    using first = typename nth_type<0, Steps...>::from;
    using latest = typename nth_type<sizeof...(Steps) - 1, Steps...>::to;
    using versions = type_list<typename Steps::from..., latest>;
};

}  // namespace detail
/// @endcond

/**
 * @brief A migration chain: the steps from the oldest schema version to the newest.
 * @tparam Steps the steps, oldest first; each satisfies `is_migration_step` and starts where
 * the previous one ends.
 */
template <class... Steps>
class chain {
    static constexpr bool valid = detail::check_chain<Steps...>();
    using types = detail::chain_types<valid, Steps...>;

public:
    /// The oldest version type the chain reads.
    using first = typename types::first;
    /// The newest version type: what `upgrade` returns.
    using latest = typename types::latest;
    /// Every version type, oldest first.
    using versions = typename types::versions;
    /// The number of steps.
    static constexpr std::size_t step_count = sizeof...(Steps);
    /// The oldest version number.
    static constexpr schema_version_t first_version = detail::version_or_zero<first>();
    /// The newest version number.
    static constexpr schema_version_t latest_version = detail::version_or_zero<latest>();

    /// The type of version `N` of the record.
    template <schema_version_t N>
        requires(N >= first_version && N <= latest_version)
    using version_type = std::conditional_t<
        N == latest_version, latest,
        typename detail::nth_type<(N < latest_version ? N - first_version : 0), Steps...>::from>;

    /// `V` is one of the chain's version types.
    template <class V>
    static constexpr bool has_version =
        (std::is_same_v<std::remove_cvref_t<V>, typename Steps::from> || ... ||
         std::is_same_v<std::remove_cvref_t<V>, latest>);

    /// Every step can go back.
    static constexpr bool reversible = (has_down<Steps> && ...);

    /// A chain of default-constructed steps.
    chain()
        requires(std::is_default_constructible_v<Steps> && ...)
    = default;
    /// A chain of the given steps (for steps with state).
    explicit chain(Steps... steps) : steps_(std::move(steps)...) {}

    /// Step number `I` (0-based).
    template <std::size_t I>
    auto& step() {
        return std::get<I>(steps_);
    }
    template <std::size_t I>
    const auto& step() const {
        return std::get<I>(steps_);
    }

    /**
     * @brief Upgrades a record of any version of the chain to the latest version.
     * @param record a value of one of the chain's version types
     */
    template <class V>
        requires(valid && has_version<V>)
    latest upgrade(V&& record) {
        if constexpr (std::is_rvalue_reference_v<V&&> && !std::is_const_v<std::remove_reference_t<V>>) {
            // The first step gets the caller's record itself (it moves what it keeps out of
            // it), not a moved copy: a caller that reuses the record keeps its buffers.
            return upgrade_from<version_of<std::remove_cvref_t<V>> - first_version>(std::move(record));
        } else {
            return upgrade_from<version_of<std::remove_cvref_t<V>> - first_version>(
                std::remove_cvref_t<V>(record));
        }
    }

    /**
     * @brief Downgrades a latest-version record to version `N`, through the steps' `down`.
     * @tparam N the version to go back to; every step above it must have `down`
     */
    template <schema_version_t N>
        requires(valid && N >= first_version && N <= latest_version)
    version_type<N> downgrade_to(latest record) {
        constexpr std::size_t blocking = detail::first_step_without_down<N - first_version, Steps...>();
        if constexpr (blocking != step_count) {
            (void)detail::report_missing_down<detail::nth_type<blocking, Steps...>, N>{};
            std::abort();  // not reached: the line above does not compile
        } else {
            return downgrade_from<step_count, N - first_version>(std::move(record));
        }
    }

private:
    template <std::size_t I, class V>
    latest upgrade_from(V&& record) {
        if constexpr (I == step_count) {
            return std::move(record);
        } else {
            return upgrade_from<I + 1>(std::get<I>(steps_).up(std::move(record)));
        }
    }

    // Steps [Target, Above) go back, newest first.
    template <std::size_t Above, std::size_t Target, class V>
    auto downgrade_from(V&& record) {
        if constexpr (Above == Target) {
            return std::move(record);
        } else {
            return downgrade_from<Above - 1, Target>(
                std::get<Above - 1>(steps_).down(std::move(record)));
        }
    }

    std::tuple<Steps...> steps_;
};

}  // namespace v1
}  // namespace strata
