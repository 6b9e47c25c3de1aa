//! Tests against a real Keystone (PyPI `keystone` under gunicorn, see `harness`): token
//! validation per persona, `401` / `503` behaviour, revocation and expiry honoured after the
//! cache time, the memcached-shared cache (real memcached) and its `memcache_security_strategy`,
//! Keystone over https (`cafile`, `insecure`, client certificates), the RBAC matrix of upstream's
//! default policy over every endpoint (zones and recordsets in `rbac`, the rest in
//! `rbac_endpoints`), and python-openstackclient driving the API with a password login through
//! the catalog's `dns` entry.
//!
//! Each test starts its own Keystone (own port, own directory), so the tests run in parallel
//! and leave nothing behind.

#[allow(dead_code)]
#[path = "../api/common/mod.rs"]
mod common;
mod harness;

mod cli;
mod https;
mod memcache_security;
mod rbac;
mod rbac_endpoints;
mod tokens;
