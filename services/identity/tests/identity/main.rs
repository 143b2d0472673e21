#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.
//! Integration tests of the identity service: the store conformance suite (SQLite and
//! PostgreSQL) and the gRPC API served in-process on a random port.

mod account;
mod admin;
mod lifecycle;
mod organisation;
mod relay;
mod sessions;
mod store;
mod support;
