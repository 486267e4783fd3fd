// Forward declarations of libwatch's public types, for headers that only
// name them (as caf/fwd.hpp does for CAF's).
#pragma once

#include <cstdint>

namespace libwatch {

// -- core (libwatch/) ---------------------------------------------------------

class value;
struct change;
struct change_batch;
struct column_info;
struct disconnected_msg;
struct instance_status;
struct overflow_msg;
struct ready_msg;
struct resumed_msg;
struct stream_position;
struct watch_config;
struct watcher_details;
struct watcher_spec;
struct watcher_status;
enum class errc : uint8_t;
enum class event_kind : uint8_t;

// -- actors (actors/) ---------------------------------------------------------

class instance;
class remote_instance;
class watcher_ref;
struct remote_options;
struct topic_request;
enum class ack_mode : uint8_t;
enum class topic_kind : uint8_t;

} // namespace libwatch
