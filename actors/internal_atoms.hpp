// Atoms of the messages only libwatch's own actors exchange (at most 10
// characters each). The typed interfaces in each actor's header say who
// sends which.
#pragma once

#include <caf/atom.hpp>

namespace libwatch {

// -- internal protocol -------------------------------------------------------

/// Watcher to listener: route this channel to me (LISTEN when connected).
using listen_atom = caf::atom_constant<caf::atom("lw_listen")>;
/// Listener to watcher: LISTEN on your channel is confirmed.
using listening_atom = caf::atom_constant<caf::atom("lw_lstning")>;
/// Listener to watcher: the connection is down (reason, since).
using disconnected_atom = caf::atom_constant<caf::atom("lw_discon")>;
/// Replication stream to watcher: its table was truncated (commit time).
using truncated_atom = caf::atom_constant<caf::atom("lw_trunc")>;
// A durable WAL watcher's replay begins: what it receives next is the
// stream again from the position it asked for.
using replay_atom = caf::atom_constant<caf::atom("lw_replay")>;
// Replication stream to a durable WAL watcher: the slot no longer holds what
// it had not processed ([wal] max_retained_mb; the bytes it held).
using released_atom = caf::atom_constant<caf::atom("lw_release")>;
/// Watcher to catalog worker: check a spec and install its trigger.
using install_atom = caf::atom_constant<caf::atom("lw_install")>;
/// Watcher to catalog worker: run a fetch statement for one key; replies
/// with the row's payload JSON, or "" if the row is gone.
using fetch_atom = caf::atom_constant<caf::atom("lw_fetch")>;
/// Supervisor to catalog worker: find (and with `true`, drop) libwatch
/// objects no configured watcher owns; replies with an orphan_report each.
using orphans_atom = caf::atom_constant<caf::atom("lw_orphans")>;
/// Watcher to log worker: register the durable consumer (before going live).
using register_atom = caf::atom_constant<caf::atom("lw_regcons")>;
/// Watcher to log worker: read the next entries of the change log.
using read_log_atom = caf::atom_constant<caf::atom("lw_rdlog")>;
/// Watcher to log worker: the entries read were published; move the position.
using advance_atom = caf::atom_constant<caf::atom("lw_advance")>;
/// Watcher to log worker: prune delivered and expired change-log entries.
using prune_atom = caf::atom_constant<caf::atom("lw_prune")>;
/// Watcher to itself: time to read the change log (poll interval, retry).
using pull_atom = caf::atom_constant<caf::atom("lw_pull")>;
/// Subscribers to a durable watcher: somebody joined or acknowledged; see
/// whether the stored position can move and whether to read on.
using acked_atom = caf::atom_constant<caf::atom("lw_acked")>;
/// Watcher to itself: try installing again after a transient failure.
using retry_atom = caf::atom_constant<caf::atom("lw_retry")>;
/// Watcher to supervisor: ready for the first time.
using started_atom = caf::atom_constant<caf::atom("lw_started")>;
/// Pump to listener: connected.
using connected_atom = caf::atom_constant<caf::atom("lw_conn")>;
/// Pump to listener: a LISTEN finished.
using listened_atom = caf::atom_constant<caf::atom("lw_listend")>;
/// Pump to listener: connecting failed or the connection is gone.
using lost_atom = caf::atom_constant<caf::atom("lw_lost")>;
/// Listener to itself: the backoff delay is over, connect again.
using reconnect_atom = caf::atom_constant<caf::atom("lw_reconn")>;

// -- between nodes (actors/gateway.hpp, actors/remote_instance.hpp) ---------

/// Handle to gateway: (rspec_atom, index) -> watcher_spec of watcher `index`,
/// or an error past the last one.
using rspec_atom = caf::atom_constant<caf::atom("lw_rspec")>;
/// Forwarder to gateway: (rsub_atom, topic_request) subscribes the sender to
/// that topic; replies `()` or an error.
using rsub_atom = caf::atom_constant<caf::atom("lw_rsub")>;
/// Handle to relay: (rjoin_atom, forwarder) adopts a new forwarder.
using rjoin_atom = caf::atom_constant<caf::atom("lw_rjoin")>;
/// Relay to forwarder: (resub_atom, gateway) subscribe upstream again.
using resub_atom = caf::atom_constant<caf::atom("lw_resub")>;
/// Relay to forwarder: (rlost_atom, reason, since) the link is down.
using rlost_atom = caf::atom_constant<caf::atom("lw_rlost")>;
/// Forwarder to gateway: (rack_atom, n) n more changes republished, so the
/// watcher node may send that many more (actors/delivery_slot.hpp).
using rack_atom = caf::atom_constant<caf::atom("lw_rack")>;
/// Handle to forwarder: nobody uses your topic any more, quit.
using rdone_atom = caf::atom_constant<caf::atom("lw_rdone")>;

} // namespace libwatch
