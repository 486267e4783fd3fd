// caf-test's main() for the integration tests.
#include <caf/test/unit_test_impl.hpp>
