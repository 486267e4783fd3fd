// Tests the [cluster] section of the TOML loader: the forms of `listen`,
// loopback by default, and nothing published without the section.
#define CAF_SUITE cluster_config

#include "config/loader.hpp"

#include <caf/test/unit_test.hpp>

#include <string>

using namespace libwatch;

namespace {

const std::string watcher = R"(
[[watcher]]
table = "posts"
event = "inserted"
)";

config::load_result load(const std::string& listen) {
  return config::load_string(
    "[cluster]\nlisten = \"" + listen + "\"\n" + watcher, "cluster.toml");
}

} // namespace

CAF_TEST(without_a_cluster_section_nothing_is_published) {
  auto res = config::load_string(watcher, "plain.toml");
  CAF_REQUIRE(res.ok());
  CAF_CHECK(!res.config.cluster.enabled);
}

CAF_TEST(host_and_port_are_taken_as_written) {
  auto res = load("10.0.0.5:4242");
  CAF_REQUIRE(res.ok());
  CAF_CHECK(res.config.cluster.enabled);
  CAF_CHECK_EQUAL(res.config.cluster.host, "10.0.0.5");
  CAF_CHECK_EQUAL(res.config.cluster.port, 4242u);
}

CAF_TEST(a_port_alone_binds_loopback) {
  for (auto text : {"4242", ":4242"}) {
    auto res = load(text);
    CAF_REQUIRE(res.ok());
    CAF_CHECK_EQUAL(res.config.cluster.host, "127.0.0.1");
    CAF_CHECK_EQUAL(res.config.cluster.port, 4242u);
  }
}

CAF_TEST(ipv6_hosts_are_written_in_brackets) {
  auto res = load("[::1]:0");
  CAF_REQUIRE(res.ok());
  CAF_CHECK_EQUAL(res.config.cluster.host, "::1");
  CAF_CHECK_EQUAL(res.config.cluster.port, 0u);
}

CAF_TEST(ports_beyond_65535_and_names_are_rejected) {
  for (auto text : {"127.0.0.1:65536", "127.0.0.1:", "127.0.0.1:http",
                    "127.0.0.1:123456"}) {
    auto res = load(text);
    CAF_CHECK(!res.ok());
  }
}
