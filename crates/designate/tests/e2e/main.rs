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
mod pools;
mod restart;
mod sink;
mod spine;
// zone tasks: imports and exports
mod zone_actions;
mod zone_import;
