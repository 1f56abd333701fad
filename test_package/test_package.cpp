#include <iostream>
#include <strata/version.hpp>

int main() {
    std::cout << "strata " << strata::version_string << '\n';
    return 0;
}
