// Entry point of the unit-test binary: caf-test's main() and nothing else.
#define CAF_SUITE main

#include <caf/test/unit_test_impl.hpp>
