// `libwatch tail CONFIG [--watch TARGET[:COLUMN=VALUE]]...`: runs the
// configured watchers like an application would and prints what a subscriber
// receives, one JSON object per line, until SIGINT or SIGTERM.
#include <iostream>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/send.hpp>

#include "actors/instance.hpp"
#include "cli/commands/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/database.hpp"
#include "cli/exit_code.hpp"
#include "cli/subscriber.hpp"
#include "cli/subscriptions.hpp"
#include "cli/termination.hpp"
#include "libwatch/error.hpp"
#include "libwatch/type_ids.hpp"

namespace libwatch::cli {

namespace {

constexpr const char* examples = R"(Examples:
  libwatch tail libwatch.toml
  libwatch tail libwatch.toml --watch comments:inserted
  libwatch tail libwatch.toml --watch posts:updated:id=7
  libwatch tail libwatch.toml --watch comment_edits:post_id=7 --watch public.posts:deleted
  libwatch tail libwatch.toml | jq -c 'select(.type == "change") | .values'

TARGET is a watcher's label, or TABLE:EVENT / SCHEMA.TABLE:EVENT for an
unlabelled one. :COLUMN=VALUE narrows it to the rows whose primary key or
association column has VALUE. Without --watch, every watcher's changes are
shown. Each received message is one JSON line on stdout:
  {"type":"change","watcher":..,"event":..,"schema":..,"table":..,"values":{..}}
  {"type":"ready","watcher":..,"at":..}
  {"type":"disconnected","watcher":..,"reason":..,"since":..}
  {"type":"resumed","watcher":..,"missed_from":..,"missed_until":..}
  {"type":"overflow","watcher":..,"missed":N,"missed_from":..,"missed_until":..,"cut_off":false}
A durable watcher's change is acknowledged once its line was written and
flushed: killed at any moment, tail resumes after the last such line.
Logs go to stderr (LIBWATCH_LOG=debug for more). SIGINT/SIGTERM end it.

Exit codes: 0 ended by SIGINT/SIGTERM (or stdout closed); 2 usage error,
invalid configuration file or bad --watch; 3 libwatch cannot run (a watcher
failed for good, or the database is unreachable with --fail-fast).)";

struct tail_options {
  std::string path;
  std::vector<std::string> watches;
  bool fail_fast = false;
};

// The groups to join; prints the error and sets `code` when there are none.
std::optional<std::vector<caf::group>>
groups_for(const instance& inst, const std::vector<watch_target>& targets,
           int& code) {
  subscriptions subs{inst};
  auto fail = [&](const caf::error& err) {
    report(err);
    code = is(err, errc::connection_failed) ? exit_code::runtime_failure
                                            : exit_code::usage_error;
    return std::nullopt;
  };
  if (targets.empty()) {
    auto all = subs.all_watchers();
    if (!all)
      return fail(all.error());
    return std::move(*all);
  }
  std::vector<caf::group> out;
  for (auto& t : targets) {
    auto g = subs.group_for(t);
    if (!g)
      return fail(g.error());
    out.push_back(std::move(*g));
  }
  return out;
}

int run_tail(const tail_options& opts) {
  auto cfg = load_config(opts.path);
  if (!cfg)
    return exit_code::usage_error;
  if (cfg->watchers.empty()) {
    std::cerr << "libwatch: " << opts.path
              << " configures no [[watcher]]; nothing to tail" << std::endl;
    return exit_code::usage_error;
  }
  std::vector<watch_target> targets;
  for (auto& text : opts.watches) {
    auto t = parse_watch_target(text);
    if (!t) {
      report(t.error());
      return exit_code::usage_error;
    }
    targets.push_back(std::move(*t));
  }
  if (opts.fail_fast)
    cfg->reconnect.fail_fast = true;
  // Before the actor system: its threads must inherit the blocked signals.
  auto end = std::make_shared<termination>();
  caf::actor_system_config sys_cfg;
  register_types(sys_cfg);
  // With [cluster] listen, tail is also a watcher node for other nodes.
  if (cfg->cluster.enabled)
    sys_cfg.load<caf::io::middleman>();
  caf::actor_system sys{sys_cfg};
  auto inst = spawn_watchers(sys, *cfg);
  if (!inst) {
    report(inst.error());
    return exit_code::usage_error;
  }
  int code = exit_code::ok;
  auto groups = groups_for(*inst, targets, code);
  if (!groups) {
    inst->stop();
    return code;
  }
  auto subscriber
    = spawn_subscriber(sys, std::move(*groups), inst->supervisor(), end);
  auto cause = end->wait();
  // Stop libwatch before ~actor_system, which waits for every actor.
  inst->stop();
  caf::anon_send_exit(subscriber, caf::exit_reason::user_shutdown);
  if (!cause.message.empty())
    std::cerr << "libwatch: " << cause.message << std::endl;
  return cause.code;
}

} // namespace

command add_tail_command(CLI::App& parent) {
  auto* app = parent.add_subcommand(
    "tail", "Print the changes (and watcher signals) of the configured "
            "watchers as JSON Lines until interrupted");
  auto opts = std::make_shared<tail_options>();
  add_config_argument(*app, opts->path);
  app
    ->add_option("--watch", opts->watches,
                 "Show only this watcher, or only the rows whose primary key "
                 "or association column COLUMN equals VALUE; repeatable")
    ->type_name("TARGET[:COLUMN=VALUE]")
    ->allow_extra_args(false);
  app->add_flag("--fail-fast", opts->fail_fast,
                "Exit (code 3) if the database is unreachable at start "
                "instead of retrying");
  app->footer(examples);
  return {app, [opts] { return run_tail(*opts); }};
}

} // namespace libwatch::cli
