//! What every ID77 service shares, one module per concern.
//!
//! A service crate builds its gRPC service and hands it to [`serve::GrpcHost`], opens its
//! database with [`db`], publishes and consumes events with [`bus`], and calls
//! [`telemetry::init`] once from its binary.

pub mod auth;
pub mod bus;
pub mod config;
pub mod db;
pub mod links;
pub mod metrics;
pub mod serve;
pub mod shutdown;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod violations;
