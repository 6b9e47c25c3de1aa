//! End-to-end tests: the real `designate` binary, real HTTP, real DNS packets, real `dig`.
//!
//! All tests live in this one target (one link, shared harness); each starts its own
//! `designate all` on ports chosen by the kernel, with its own state directory.

mod bus;
mod bus_cluster;
mod bus_harness;
mod cli;
mod dns;
mod harness;
mod hostile;
mod interop;
mod placement;
mod pool_delete;
mod pools;
// zone tasks: imports and exports
mod pools_sql;
mod producer_failover;
mod restart;
// secondary zones with a BIND9 master, pool moves
mod secondary;
mod sink;
mod spine;
mod zone_actions;
mod zone_import;
// ops: database servers of the test's own, outages, server engines through the binary.
mod db_outage;
mod db_servers;
mod engines;
// floating-IP PTRs
mod floatingips;
