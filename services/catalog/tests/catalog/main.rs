//! Integration tests of the catalog service: the store conformance suite (SQLite and
//! PostgreSQL) and the gRPC API served in-process on a random port.

mod favorites;
mod grpc;
mod store;
mod support;
