# Sourced by the benchmarks that run WAL watchers on the kit's cluster
# (write_path.sh, wal_delivery.sh, wal_paced_latency.sh). Needs $kit (the kit's copy) and the PG*
# environment of its cluster (eval "$("$kit/cluster.sh" env)").

# Switches the cluster to wal_level = logical (a restart) unless it is. The
# kit's initdb leaves max_replication_slots and max_wal_senders at 10, enough
# for the one or two slots a benchmark streams at a time.
ensure_logical_wal_level() {
  if [ "$(psql -X -tAc "SHOW wal_level")" != logical ]; then
    psql -X -q -v ON_ERROR_STOP=1 -c "ALTER SYSTEM SET wal_level = logical"
    "$kit/cluster.sh" stop >/dev/null
    "$kit/cluster.sh" start >/dev/null
  fi
}

# Prints the SQL that removes the replication slot and publications of
# libwatch's WAL consumer `[wal] slot = SLOT`, so that the next watcher
# start creates them afresh. No slot may outlive its run: a slot nobody
# reads would make the next run decode (and deliver) everything written
# meanwhile. Dropping the publications too tells libwatch that the slot was
# never made (it marks its publication when it creates the slot, and treats
# a marked publication without its slot as a lost slot).
wal_consumer_reset_sql() { # SLOT
  cat <<SQL
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
  WHERE slot_name = 'lw_$1';
DROP PUBLICATION IF EXISTS lw_$1, lw_$1_ins;
SQL
}

# What the delivery benchmarks share (wal_delivery.sh, wal_paced_latency.sh):
# the pg_recvlogical reference built ($reference), the cluster's environment,
# wal_level = logical, and REPLICA IDENTITY FULL on items (W2's
# trigger_columns need the old rows). Needs $out from prepare_kit.sh.
prepare_wal_delivery() {
  cmake --build "$out" -j2 --target recvlogical_subscriber >/dev/null
  reference=$out/bench/recvlogical_subscriber
  eval "$("$kit/cluster.sh" env)"
  export PGOPTIONS="-c client_min_messages=warning"
  ensure_logical_wal_level
  psql -X -q -v ON_ERROR_STOP=1 -c "ALTER TABLE items REPLICA IDENTITY FULL"
}
