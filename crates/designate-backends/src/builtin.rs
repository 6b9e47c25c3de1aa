//! The `builtin` backend: provisions zones on the built-in nameserver.
