//! The consumer's inbox: which events a consumer has already processed, so that an event
//! delivered twice (at-least-once delivery) has its effect once.
//!
//! In the handler, in the transaction of the effect:
//! ```no_run
//! # use id77_kit::bus::{Event, HandlerError, inbox};
//! # async fn handle(pool: sqlx::SqlitePool, event: Event) -> Result<(), HandlerError> {
//! let mut tx = pool.begin().await?;
//! if inbox::first_delivery(&mut tx, "notifications.events", event.id).await? {
//!     // … the effect, in `tx` …
//! }
//! tx.commit().await?;
//! Ok(())
//! # }
//! ```

use chrono::Utc;
use sqlx::Transaction;
use uuid::Uuid;

use super::outbox::OutboxDatabase;

/// The `inbox` table for PostgreSQL, to paste into a consuming service's migrations.
pub const POSTGRES_TABLE: &str = "\
CREATE TABLE inbox (
    consumer     TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
";

/// The `inbox` table for SQLite (see [`POSTGRES_TABLE`]).
pub const SQLITE_TABLE: &str = "\
CREATE TABLE inbox (
    consumer     TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
";

/// Records that `consumer` processes `event_id` in the caller's transaction: `true` the first
/// time (do the effect, then commit), `false` when it was already processed (do nothing).
/// Rolling back the transaction forgets the record, so a retried delivery is processed again.
pub async fn first_delivery<DB: OutboxDatabase>(
    tx: &mut Transaction<'_, DB>,
    consumer: &str,
    event_id: Uuid,
) -> sqlx::Result<bool> {
    DB::insert_inbox(&mut **tx, consumer, event_id, Utc::now()).await
}
