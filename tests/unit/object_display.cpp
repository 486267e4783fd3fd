// Tests how messages write a watcher's object names, in both styles.
#define CAF_SUITE object_display

#include "libwatch/object_display.hpp"

#include <caf/test/unit_test.hpp>

#include "libwatch/identifiers.hpp"

using namespace libwatch;

namespace {

resolved_watcher watcher(std::string schema, std::string table) {
  resolved_watcher w;
  w.spec.schema = std::move(schema);
  w.spec.table = std::move(table);
  w.names.function = "lw_x_func";
  w.names.trigger = "lw_x_trigger";
  return w;
}

} // namespace

CAF_TEST(plain_names_stay_bare_and_others_are_quoted) {
  CAF_CHECK_EQUAL(display_name("posts"), "posts");
  CAF_CHECK_EQUAL(display_name("Posts"), "\"Posts\"");
  CAF_CHECK_EQUAL(display_name("1st"), "\"1st\"");
  CAF_CHECK_EQUAL(display_name("a\"b"), "\"a\"\"b\"");
  CAF_CHECK_EQUAL(display_name("public", "My Table"), "public.\"My Table\"");
}

CAF_TEST(quote_qualified_quotes_both_parts) {
  CAF_CHECK_EQUAL(quote_qualified("public", "a\"b"), "\"public\".\"a\"\"b\"");
}

CAF_TEST(plain_style_names_objects_for_humans) {
  auto w = watcher("public", "posts");
  CAF_CHECK_EQUAL(function_of(w), "function public.lw_x_func");
  CAF_CHECK_EQUAL(trigger_of(w), "trigger lw_x_trigger on public.posts");
}

CAF_TEST(sql_style_names_objects_as_a_statement_would) {
  auto w = watcher("Mixed Case", "posts");
  CAF_CHECK_EQUAL(function_of(w, name_style::sql),
                  "function \"Mixed Case\".\"lw_x_func\"()");
  CAF_CHECK_EQUAL(trigger_of(w, name_style::sql),
                  "trigger \"lw_x_trigger\" on \"Mixed Case\".\"posts\"");
}
