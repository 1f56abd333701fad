// A hash policy must hash in one call: check_hash_policy says which member is missing and what
// to write.
#include <strata/hash/hash_policy.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

struct sum_hash {
    static constexpr std::string_view name = "sum";
    static constexpr std::size_t digest_size = 1;
    struct hasher {
        std::uint8_t sum = 0;
        void update(std::string_view bytes) {
            for (char c : bytes) sum = static_cast<std::uint8_t>(sum + static_cast<unsigned char>(c));
        }
        strata::digest<sum_hash> finish() {
            strata::digest<sum_hash> d;
            d.data()[0] = sum;
            sum = 0;
            return d;
        }
    };
#if !STRATA_FAIL_CASE_HASH_POLICY_LACKS_HASH
    static strata::digest<sum_hash> hash(std::string_view bytes) {
        hasher h;
        h.update(bytes);
        return h.finish();
    }
#endif
};

static_assert(strata::check_hash_policy<sum_hash>());
