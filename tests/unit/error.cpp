// Tests libwatch error codes: make_error, describe() and is().
#define CAF_SUITE error

#include "libwatch/error.hpp"

#include <caf/test/unit_test.hpp>

#include <caf/sec.hpp>

#include <string>

using namespace libwatch;

CAF_TEST(error_with_text_is_described_by_its_text) {
  auto err = make_error(errc::query_failed, "42P01: relation does not exist");
  CAF_CHECK_EQUAL(describe(err), "42P01: relation does not exist");
  CAF_CHECK(err.category() == error_category);
}

CAF_TEST(error_without_text_is_described_by_its_code_name) {
  CAF_CHECK_EQUAL(describe(make_error(errc::malformed_payload)),
                  "malformed_payload");
  CAF_CHECK_EQUAL(describe(make_error(errc::stopped)), "stopped");
}

CAF_TEST(describe_of_no_error_is_empty) {
  CAF_CHECK_EQUAL(describe(caf::error{}), "");
}

CAF_TEST(describe_of_a_foreign_error_is_not_empty) {
  auto err = caf::make_error(caf::sec::runtime_error);
  CAF_CHECK(!describe(err).empty());
}

CAF_TEST(is_matches_code_and_category) {
  auto err = make_error(errc::catalog_mismatch, "x");
  CAF_CHECK(is(err, errc::catalog_mismatch));
  CAF_CHECK(!is(err, errc::malformed_payload));
  // A CAF error with the same numeric code is not a libwatch error.
  auto foreign = caf::error{static_cast<uint8_t>(errc::catalog_mismatch),
                            caf::atom("system")};
  CAF_CHECK(!is(foreign, errc::catalog_mismatch));
}

CAF_TEST(is_of_no_error_is_false) {
  // is() is noexcept and documents no precondition; describe() handles
  // the empty error too.
  CAF_CHECK(!is(caf::error{}, errc::catalog_mismatch));
  CAF_CHECK(!is(caf::none, errc::stopped));
}

CAF_TEST(error_codes_have_their_enumerator_names) {
  CAF_CHECK_EQUAL(to_string(errc::invalid_spec), "invalid_spec");
  CAF_CHECK_EQUAL(to_string(errc::unknown_watcher), "unknown_watcher");
  CAF_CHECK_EQUAL(to_string(errc::invalid_subscription),
                  "invalid_subscription");
  CAF_CHECK_EQUAL(to_string(errc::connection_failed), "connection_failed");
  CAF_CHECK_EQUAL(to_string(errc::query_failed), "query_failed");
  CAF_CHECK_EQUAL(to_string(errc::catalog_mismatch), "catalog_mismatch");
  CAF_CHECK_EQUAL(to_string(errc::unsupported_server), "unsupported_server");
  CAF_CHECK_EQUAL(to_string(errc::malformed_payload), "malformed_payload");
  CAF_CHECK_EQUAL(to_string(errc::stopped), "stopped");
}
