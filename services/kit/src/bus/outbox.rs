//! The transactional outbox: a service writes its events to its own `outbox` table in the
//! transaction that makes the change ([`enqueue`]), and an [`OutboxRelay`] publishes them
//! afterwards, in order, retrying while the broker is down. So an event is published if and only
//! if its change committed, and none is lost when the broker (or the process) is down.
//!
//! Delivery is at least once: a crash between publishing and marking a row published publishes
//! it again, which consumers absorb with the [`inbox`](super::inbox). Run one relay per
//! database: several relays on one table would publish rows twice and out of order.

use std::{future::Future, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use sqlx::{Pool, Postgres, Sqlite, Transaction};
use tokio::{sync::Notify, task::JoinHandle};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{Bus, BusError, Event};

/// The `outbox` table for PostgreSQL, to paste into a service's migrations: events waiting to be
/// published (`published_at` null) or published (kept a while, then purged by the relay). The
/// partial index keeps the relay's poll cheap however many published rows remain.
pub const POSTGRES_TABLE: &str = "\
CREATE TABLE outbox (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    source       TEXT NOT NULL,
    time         TIMESTAMPTZ NOT NULL,
    actor        TEXT,
    traceparent  TEXT,
    payload      BYTEA NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    published_at TIMESTAMPTZ NULL
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
";

/// The `outbox` table for SQLite (see [`POSTGRES_TABLE`]); times are stored as text, as sqlx
/// encodes them.
pub const SQLITE_TABLE: &str = "\
CREATE TABLE outbox (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    source       TEXT NOT NULL,
    time         TEXT NOT NULL,
    actor        TEXT,
    traceparent  TEXT,
    payload      BLOB NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    published_at TEXT NULL
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
";

mod sealed {
    pub trait Sealed {}
    impl Sealed for sqlx::Postgres {}
    impl Sealed for sqlx::Sqlite {}
}

/// The databases the outbox and the inbox work on: PostgreSQL and SQLite, with the same SQL.
pub trait OutboxDatabase: sqlx::Database + sealed::Sealed {
    #[doc(hidden)]
    fn insert_event(
        connection: &mut Self::Connection,
        event: &Event,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
    #[doc(hidden)]
    fn fetch_unpublished(
        pool: &Pool<Self>,
        limit: i64,
    ) -> impl Future<Output = sqlx::Result<Vec<OutboxRow>>> + Send;
    #[doc(hidden)]
    fn mark_published(
        pool: &Pool<Self>,
        id: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
    #[doc(hidden)]
    fn record_failure(pool: &Pool<Self>, id: &str)
    -> impl Future<Output = sqlx::Result<()>> + Send;
    #[doc(hidden)]
    fn purge_published(
        pool: &Pool<Self>,
        before: DateTime<Utc>,
    ) -> impl Future<Output = sqlx::Result<u64>> + Send;
    #[doc(hidden)]
    fn insert_inbox(
        connection: &mut Self::Connection,
        consumer: &str,
        event_id: Uuid,
        at: DateTime<Utc>,
    ) -> impl Future<Output = sqlx::Result<bool>> + Send;
}

/// An outbox row as read by the relay.
#[doc(hidden)]
#[derive(Debug, sqlx::FromRow)]
pub struct OutboxRow {
    id: String,
    kind: String,
    source: String,
    time: DateTime<Utc>,
    actor: Option<String>,
    traceparent: Option<String>,
    payload: Vec<u8>,
    attempts: i32,
}

impl OutboxRow {
    fn into_event(self) -> Result<Event, String> {
        let id = Uuid::try_parse(&self.id).map_err(|e| format!("invalid id {:?}: {e}", self.id))?;
        Ok(Event {
            id,
            kind: self.kind,
            source: self.source,
            time: self.time,
            actor: self.actor,
            traceparent: self.traceparent,
            payload: self.payload,
        })
    }
}

/// Same SQL for both backends (`$1` placeholders work on both); only the types differ.
macro_rules! impl_outbox_database {
    ($db:ty) => {
        impl OutboxDatabase for $db {
            async fn insert_event(
                connection: &mut <$db as sqlx::Database>::Connection,
                event: &Event,
            ) -> sqlx::Result<()> {
                sqlx::query(
                    "INSERT INTO outbox (id, kind, source, time, actor, traceparent, payload) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(event.id.to_string())
                .bind(&event.kind)
                .bind(&event.source)
                .bind(event.time)
                .bind(&event.actor)
                .bind(&event.traceparent)
                .bind(&event.payload)
                .execute(&mut *connection)
                .await?;
                Ok(())
            }

            async fn fetch_unpublished(
                pool: &Pool<$db>,
                limit: i64,
            ) -> sqlx::Result<Vec<OutboxRow>> {
                // UUIDv7 text sorts in creation order.
                sqlx::query_as(
                    "SELECT id, kind, source, time, actor, traceparent, payload, attempts \
                     FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1",
                )
                .bind(limit)
                .fetch_all(pool)
                .await
            }

            async fn mark_published(
                pool: &Pool<$db>,
                id: &str,
                at: DateTime<Utc>,
            ) -> sqlx::Result<()> {
                sqlx::query("UPDATE outbox SET published_at = $1 WHERE id = $2")
                    .bind(at)
                    .bind(id)
                    .execute(pool)
                    .await?;
                Ok(())
            }

            async fn record_failure(pool: &Pool<$db>, id: &str) -> sqlx::Result<()> {
                sqlx::query("UPDATE outbox SET attempts = attempts + 1 WHERE id = $1")
                    .bind(id)
                    .execute(pool)
                    .await?;
                Ok(())
            }

            async fn purge_published(pool: &Pool<$db>, before: DateTime<Utc>) -> sqlx::Result<u64> {
                let done = sqlx::query(
                    "DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < $1",
                )
                .bind(before)
                .execute(pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn insert_inbox(
                connection: &mut <$db as sqlx::Database>::Connection,
                consumer: &str,
                event_id: Uuid,
                at: DateTime<Utc>,
            ) -> sqlx::Result<bool> {
                // A concurrent transaction inserting the same key waits for this one: it then
                // sees the row (false) if this one committed, or inserts it (true) if it rolled
                // back, so exactly one effect commits.
                let done = sqlx::query(
                    "INSERT INTO inbox (consumer, event_id, processed_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (consumer, event_id) DO NOTHING",
                )
                .bind(consumer)
                .bind(event_id.to_string())
                .bind(at)
                .execute(&mut *connection)
                .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

impl_outbox_database!(Postgres);
impl_outbox_database!(Sqlite);

/// Writes `event` to the outbox in the caller's transaction: it is published after the
/// transaction commits (wake the relay with [`OutboxRelay::notifier`]), never if it rolls back.
/// An event the broker would refuse (see [`Event::validate`]) fails here, as an encode error.
pub async fn enqueue<DB: OutboxDatabase>(
    tx: &mut Transaction<'_, DB>,
    event: &Event,
) -> sqlx::Result<()> {
    event
        .validate()
        .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    DB::insert_event(&mut **tx, event).await
}

/// How the relay polls and backs off.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// Rows read per query (default 100).
    pub batch_size: u32,
    /// Poll interval when not woken by the notifier, for events committed by another process
    /// or without a notification (default 1 s).
    pub poll_interval: Duration,
    /// First wait after a failed publish; doubled after each consecutive failure (default
    /// 100 ms).
    pub min_backoff: Duration,
    /// Longest wait between two attempts while the broker is down (default 30 s).
    pub max_backoff: Duration,
    /// How long published rows are kept before being purged (default 7 days).
    pub retention: Duration,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            batch_size: 100,
            poll_interval: Duration::from_secs(1),
            min_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(30),
            retention: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// Why one pass of the relay stopped.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The outbox could not be read or updated.
    #[error("reading or updating the outbox: {0}")]
    Database(#[from] sqlx::Error),
    /// The bus did not take an event; it is retried, and the ones after it wait (order).
    #[error(transparent)]
    Publish(#[from] BusError),
}

/// Publishes the outbox's unpublished events, oldest first, and marks them published.
#[derive(Debug)]
pub struct OutboxRelay<DB: OutboxDatabase> {
    pool: Pool<DB>,
    bus: Bus,
    notify: Arc<Notify>,
    config: RelayConfig,
}

/// How often the relay purges old published rows.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

impl<DB: OutboxDatabase> OutboxRelay<DB> {
    /// A relay from `pool`'s outbox to `bus`, with the default [`RelayConfig`].
    pub fn new(pool: Pool<DB>, bus: Bus) -> Self {
        Self {
            pool,
            bus,
            notify: Arc::new(Notify::new()),
            config: RelayConfig::default(),
        }
    }

    /// Replaces the configuration.
    #[must_use]
    pub fn with_config(mut self, config: RelayConfig) -> Self {
        self.config = config;
        self
    }

    /// Call `notify_one()` on this after committing a transaction that enqueued events, so the
    /// relay publishes them now rather than at its next poll. A notification sent while the
    /// relay is busy is kept, so none is lost.
    pub fn notifier(&self) -> Arc<Notify> {
        self.notify.clone()
    }

    /// Runs [`OutboxRelay::run`] on a task.
    pub fn spawn(self, cancel: CancellationToken) -> JoinHandle<()>
    where
        DB: 'static,
    {
        tokio::spawn(self.run(cancel))
    }

    /// Publishes pending events until `cancel`: at once when notified, else every
    /// `poll_interval`; after a failure, again after a doubling backoff (capped), starting from
    /// the event that failed, so order is kept.
    pub async fn run(self, cancel: CancellationToken) {
        let mut backoff = self.config.min_backoff;
        let mut last_purge: Option<tokio::time::Instant> = None;
        loop {
            let wait = match self.publish_pending().await {
                Ok(_) => {
                    backoff = self.config.min_backoff;
                    if last_purge.is_none_or(|at| at.elapsed() >= PURGE_EVERY) {
                        self.purge().await;
                        last_purge = Some(tokio::time::Instant::now());
                    }
                    tokio::select! {
                        () = cancel.cancelled() => return,
                        () = self.notify.notified() => continue,
                        () = tokio::time::sleep(self.config.poll_interval) => continue,
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, retry_in = ?backoff, "outbox relay: publishing paused");
                    let wait = backoff;
                    backoff = backoff.saturating_mul(2).min(self.config.max_backoff);
                    wait
                }
            };
            // Not woken by the notifier here: new events do not make the broker come back.
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// One pass: publishes pending events in order until none is left (returning how many were
    /// published) or one fails.
    pub async fn publish_pending(&self) -> Result<usize, RelayError> {
        let limit = i64::from(self.config.batch_size.max(1));
        let mut published = 0;
        loop {
            let rows = DB::fetch_unpublished(&self.pool, limit).await?;
            let last_batch = i64::try_from(rows.len()).unwrap_or(i64::MAX) < limit;
            for row in rows {
                let id = row.id.clone();
                let attempts = row.attempts;
                let event = match row.into_event() {
                    Ok(event) => event,
                    Err(reason) => {
                        // Only a hand-edited row gets here (enqueue writes valid ids). Blocking
                        // every later event on it would be worse than setting it aside.
                        tracing::error!(outbox_id = %id, %reason, "unreadable outbox row set aside");
                        DB::mark_published(&self.pool, &id, Utc::now()).await?;
                        continue;
                    }
                };
                match self.bus.publish(&event).await {
                    Ok(()) => {
                        DB::mark_published(&self.pool, &id, Utc::now()).await?;
                        published += 1;
                    }
                    Err(BusError::Invalid(reason)) => {
                        tracing::error!(event_id = %event.id, %reason, "invalid outbox event set aside");
                        DB::mark_published(&self.pool, &id, Utc::now()).await?;
                    }
                    Err(error) => {
                        if let Err(db_error) = DB::record_failure(&self.pool, &id).await {
                            tracing::debug!(%db_error, "counting a failed publish");
                        }
                        tracing::debug!(event_id = %event.id, attempts = attempts + 1, %error, "publish failed");
                        return Err(error.into());
                    }
                }
            }
            if last_batch {
                return Ok(published);
            }
        }
    }

    /// Deletes published rows older than the retention; failures are only logged.
    async fn purge(&self) {
        let Ok(retention) = chrono::Duration::from_std(self.config.retention) else {
            return;
        };
        let before = Utc::now() - retention;
        match DB::purge_published(&self.pool, before).await {
            Ok(0) => {}
            Ok(purged) => tracing::debug!(purged, "old published outbox rows purged"),
            Err(error) => tracing::warn!(%error, "purging the outbox"),
        }
    }
}
