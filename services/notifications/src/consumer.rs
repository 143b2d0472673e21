//! The consumer of the platform's events: one mail per recipient an event calls for, sent once.

use std::sync::Arc;

use id77_kit::bus::{Event, HandlerError, inbox, outbox::OutboxDatabase};
use lettre::message::Mailbox;
use sqlx::Pool;

use crate::{mail::Mailer, messages};

/// Name of this consumer in the inbox (and of its queue, with `.events`).
pub const CONSUMER: &str = "notifications";

/// The routing keys whose events send mail.
pub const PATTERNS: &[&str] = &["identity.#"];

pub struct Consumer<DB: OutboxDatabase> {
    pub pool: Pool<DB>,
    pub mailer: Mailer,
    pub from: Mailbox,
    pub public_url: String,
}

impl<DB: OutboxDatabase> Consumer<DB> {
    /// Handles one delivery: records it in the inbox, sends its mails, then commits, so that a
    /// failed send leaves no record and the redelivery tries again; a second delivery of a
    /// handled event does nothing.
    pub async fn handle(self: Arc<Self>, event: Event) -> Result<(), HandlerError> {
        let contents = messages::mails_for(&event.kind, &event.payload, &self.public_url)
            .map_err(HandlerError::reject)?;
        if contents.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        if !inbox::first_delivery(&mut tx, CONSUMER, event.id).await? {
            tracing::info!(event = %event.id, kind = %event.kind, "event already handled");
            return Ok(());
        }
        for content in &contents {
            let mail = content.render().map_err(HandlerError::reject)?;
            let sent = self.mailer.send(&self.from, &mail).await;
            let outcome = match &sent {
                Ok(()) => "sent",
                Err(crate::mail::MailError::Invalid(_)) => "invalid",
                Err(crate::mail::MailError::Transient(_)) => "failed",
            };
            metrics::counter!("mails_total", "outcome" => outcome).increment(1);
            match sent {
                Ok(()) => {
                    // Only on this machine (all-in-one): the link is how a developer follows it.
                    if self.mailer.is_local()
                        && let Some(link) = content.link()
                    {
                        tracing::info!(to = %mail.to, %link, "mail link");
                    }
                }
                Err(crate::mail::MailError::Invalid(reason)) => {
                    return Err(HandlerError::reject(anyhow::anyhow!(reason)));
                }
                Err(crate::mail::MailError::Transient(reason)) => {
                    tracing::warn!(event = %event.id, %reason, "mail not sent, will retry");
                    return Err(HandlerError::retry(anyhow::anyhow!(reason)));
                }
            }
        }
        tx.commit().await?;
        tracing::info!(event = %event.id, kind = %event.kind, mails = contents.len(), "mails sent");
        Ok(())
    }
}
