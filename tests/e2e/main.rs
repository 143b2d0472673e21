#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

//! End-to-end tests of the whole platform, through its public interfaces only: the all-in-one
//! app over HTTP, the distributed binaries as processes on PostgreSQL, and the web UI in a real
//! headless Chromium.

mod accounts;
mod browser;
mod distributed;
mod http;
mod readme;
mod support;
mod traces;
