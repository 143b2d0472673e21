//! The notifications service: it consumes the platform's events and sends the French e-mails
//! they call for (in-app notifications and preferences come with the requests).
//!
//! Delivery is at least once from the bus; the inbox makes the effect once: an event is
//! recorded in the same transaction that is committed after its mails went out.

use std::sync::Arc;

use anyhow::Context as _;
use id77_kit::{
    bus::{Bus, Subscriber, Subscription},
    db::{self, DbKind},
};
use lettre::message::Mailbox;
use secrecy::ExposeSecret as _;

mod config;
pub mod consumer;
pub mod mail;
pub mod messages;

pub use config::Config;
use consumer::{CONSUMER, Consumer, PATTERNS};

/// Opens the inbox database, then consumes the platform's events from `bus` until the returned
/// subscriber is stopped.
pub async fn start(config: Config, bus: &Bus) -> anyhow::Result<Subscriber> {
    let from: Mailbox = config
        .mail_from
        .parse()
        .with_context(|| format!("invalid ID77_MAIL_FROM {:?}", config.mail_from))?;
    let mailer = mail::Mailer::from_url(config.mail_url.expose_secret())?;
    let subscription = Subscription::new(format!("{CONSUMER}.events"), PATTERNS.iter().copied());
    let subscriber = match DbKind::of_url(&config.database_url)? {
        DbKind::Postgres => {
            let pool = db::open_postgres(&config.database_url).await?;
            sqlx::migrate!("./migrations/postgres")
                .run(&pool)
                .await
                .context("migrating the notifications database")?;
            let consumer = Arc::new(Consumer {
                pool,
                mailer,
                from,
                public_url: config.public_url,
            });
            bus.subscribe(subscription, move |event| {
                Arc::clone(&consumer).handle(event)
            })
            .await?
        }
        DbKind::Sqlite => {
            let pool = db::open_sqlite(&config.database_url).await?;
            sqlx::migrate!("./migrations/sqlite")
                .run(&pool)
                .await
                .context("migrating the notifications database")?;
            let consumer = Arc::new(Consumer {
                pool,
                mailer,
                from,
                public_url: config.public_url,
            });
            bus.subscribe(subscription, move |event| {
                Arc::clone(&consumer).handle(event)
            })
            .await?
        }
    };
    tracing::info!(queue = subscriber.queue(), "notifications consuming events");
    Ok(subscriber)
}
