//! The event bus every service uses: publish [`Event`]s, consume them from durable queues.
//!
//! Two adapters with the same semantics behind one [`Bus`] enum:
//! - [`RabbitBus`] (distributed): topic exchange [`EXCHANGE`], one durable quorum queue per
//!   consumer, persistent messages, publisher confirms, CloudEvents AMQP headers, and a
//!   reconnect loop of its own (see [`rabbit`] for why not lapin's recovery);
//! - [`MemoryBus`] (all-in-one process and tests).
//!
//! Delivery is at least once. A service does not publish directly from a request: it writes the
//! event to its [`outbox`] in the transaction that makes the change, and an
//! [`outbox::OutboxRelay`] publishes it; a consumer makes its handler idempotent with the
//! [`inbox`] (`first_delivery`) in the transaction of its effect, then returns `Ok`, and only
//! then is the message acknowledged.
//!
//! # Use from a service
//! ```no_run
//! use id77_kit::bus::{Bus, Event, HandlerError, Subscription, inbox, outbox};
//! use tokio_util::sync::CancellationToken;
//!
//! # async fn service(pool: sqlx::PgPool, payload: Vec<u8>) -> anyhow::Result<()> {
//! // Start-up: the bus from configuration (`memory:` or `amqp://…`), the outbox relay.
//! let bus = Bus::connect("amqp://guest:guest@127.0.0.1:5672/%2f").await?;
//! let relay = outbox::OutboxRelay::new(pool.clone(), bus.clone());
//! let wake_relay = relay.notifier();
//! let stop = CancellationToken::new();
//! relay.spawn(stop.clone());
//!
//! // A change and its event, in one transaction.
//! let mut tx = pool.begin().await?;
//! // … the change …
//! let event = Event::new("requests.request.accepted.v1", "id77-requests", payload)
//!     .with_actor("account-42");
//! outbox::enqueue(&mut tx, &event).await?;
//! tx.commit().await?;
//! wake_relay.notify_one();
//!
//! // A consumer: idempotent through the inbox, acknowledged after its commit.
//! let handler_pool = pool.clone();
//! let subscriber = bus
//!     .subscribe(
//!         Subscription::new("notifications.events", ["requests.#", "identity.#"]),
//!         move |event: Event| {
//!             let pool = handler_pool.clone();
//!             async move {
//!                 let mut tx = pool.begin().await?;
//!                 if inbox::first_delivery(&mut tx, "notifications.events", event.id).await? {
//!                     // … decode event.payload (a bad one: HandlerError::reject), act …
//!                 }
//!                 tx.commit().await?;
//!                 Ok::<(), HandlerError>(())
//!             }
//!         },
//!     )
//!     .await?;
//! // Shutdown.
//! subscriber.stop().await;
//! stop.cancel();
//! # Ok(())
//! # }
//! ```
//!
//! # Why an enum rather than a trait object
//! `publish` and `subscribe` are async and `subscribe` is generic over the handler; such a trait
//! is not dyn-compatible without boxing every future and handler at the call sites. There are
//! exactly two adapters by design (memory and RabbitMQ), so `Bus` is a cheap-to-clone enum with
//! plain `async fn`s: services store a `Bus`, call `bus.publish(&event).await`, and the compiler
//! checks every adapter when one is added.

mod event;
pub mod inbox;
pub mod memory;
pub mod outbox;
pub mod pattern;
pub mod rabbit;

use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

pub use event::Event;
pub use memory::MemoryBus;
pub use rabbit::{RabbitBus, RabbitConfig};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

/// The durable topic exchange every event is published to, with its kind as routing key.
pub const EXCHANGE: &str = "id77.events";
/// The direct exchange dead letters go through, routed to `<queue>.dlq`.
pub const DEAD_LETTER_EXCHANGE: &str = "id77.events.dlx";
/// Content type of every event's payload.
pub const CONTENT_TYPE: &str = "application/protobuf";

/// The name of the dead-letter queue of consumer queue `queue`.
pub fn dead_letter_queue(queue: &str) -> String {
    format!("{queue}.dlq")
}

/// Why the bus could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The broker cannot be reached or did not answer in time; try again later (the outbox
    /// relay does).
    #[error("the event broker is unavailable: {0}")]
    Unavailable(String),
    /// The broker refused to take the event (negative publisher confirm).
    #[error("the broker refused event {0} (negative confirm)")]
    Nacked(uuid::Uuid),
    /// A name, kind or pattern the broker would refuse.
    #[error("invalid event or subscription: {0}")]
    Invalid(String),
    /// The broker refused a declaration or operation (e.g. a queue declared before with other
    /// arguments).
    #[error("the event broker refused the operation: {0}")]
    Broker(String),
    /// A bus URL this crate does not know.
    #[error("unsupported event bus URL (expected amqp://, amqps:// or memory:): {0}")]
    UnsupportedUrl(String),
}

/// What a handler tells the bus when it could not process an event.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// A transient failure (database or downstream service unavailable): the event is delivered
    /// again later, until the queue's `max_deliveries`, after which it is dead-lettered.
    #[error("transient failure, will retry: {0:#}")]
    Retry(anyhow::Error),
    /// The event can never be processed (undecodable payload, broken invariant): it goes to the
    /// dead-letter queue now.
    #[error("poison event, dead-lettered: {0:#}")]
    Reject(anyhow::Error),
}

impl HandlerError {
    /// A transient failure with this cause.
    pub fn retry(cause: impl Into<anyhow::Error>) -> Self {
        Self::Retry(cause.into())
    }

    /// A poison event with this cause.
    pub fn reject(cause: impl Into<anyhow::Error>) -> Self {
        Self::Reject(cause.into())
    }
}

/// Database errors in a handler are taken as transient (connection lost, serialization
/// failure, lock timeout), so `?` on sqlx calls retries the event.
impl From<sqlx::Error> for HandlerError {
    fn from(error: sqlx::Error) -> Self {
        Self::Retry(error.into())
    }
}

/// The boxed future a handler returns, once type-erased.
type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), HandlerError>> + Send>>;
/// A type-erased handler, shared by the consuming task and its reconnections.
pub(crate) type Handler = Arc<dyn Fn(Event) -> HandlerFuture + Send + Sync>;

/// Runs the handler on its own task, so that a panic in it becomes a failed delivery (retried,
/// then dead-lettered) instead of silently ending the consumer. Dropping the returned future
/// (the consumer stops abruptly) aborts the handler too, as a crash would.
pub(crate) async fn run_handler(handler: &Handler, event: Event) -> Result<(), HandlerError> {
    struct AbortOnDrop(JoinHandle<Result<(), HandlerError>>);
    impl Drop for AbortOnDrop {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    // The handler's span continues the trace of the request that caused the event.
    let span = tracing::info_span!("event", kind = %event.kind, id = %event.id);
    if let Some(traceparent) = &event.traceparent {
        crate::telemetry::set_parent_from_traceparent(&span, traceparent);
    }
    let kind = event.kind.clone();
    let mut task = AbortOnDrop(tokio::spawn(handler(event).instrument(span)));
    let outcome = match (&mut task.0).await {
        Ok(outcome) => outcome,
        Err(error) if error.is_panic() => {
            Err(HandlerError::Retry(anyhow::anyhow!("the handler panicked")))
        }
        Err(error) => Err(HandlerError::Retry(anyhow::anyhow!(
            "the handler did not finish: {error}"
        ))),
    };
    let label = match &outcome {
        Ok(()) => "ok",
        Err(HandlerError::Retry(_)) => "retry",
        Err(HandlerError::Reject(_)) => "reject",
    };
    metrics::counter!("bus_events_handled_total", "kind" => kind, "outcome" => label).increment(1);
    outcome
}

fn erase<H, F>(handler: H) -> Handler
where
    H: Fn(Event) -> F + Send + Sync + 'static,
    F: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    Arc::new(move |event| Box::pin(handler(event)))
}

/// A named consumer queue, the patterns it is bound with, and how its deliveries are handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Durable queue name, per consuming service and purpose (`notifications.events`).
    pub queue: String,
    /// Topic patterns (`requests.#`, `*.request.accepted.v1`) the queue is bound with.
    pub patterns: Vec<String>,
    /// How many unacknowledged deliveries RabbitMQ may push ahead of the handler (default 16);
    /// the handler still takes them one at a time, in order. The memory bus has nothing to
    /// push ahead and ignores it.
    pub prefetch: u16,
    /// Deliveries of one event before it is dead-lettered (default 5).
    pub max_deliveries: u32,
    /// Wait before the first redelivery of a `Retry`; doubled for each further one, at most
    /// [`Subscription::MAX_RETRY_DELAY`] (default 1 s).
    pub retry_delay: Duration,
}

impl Subscription {
    /// Default prefetch.
    pub const DEFAULT_PREFETCH: u16 = 16;
    /// Default deliveries before dead-lettering.
    pub const DEFAULT_MAX_DELIVERIES: u32 = 5;
    /// Default first retry delay.
    pub const DEFAULT_RETRY_DELAY: Duration = Duration::from_secs(1);
    /// Cap of the doubling retry delay.
    pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(60);

    /// Queue `queue` bound with `patterns`, with the default limits.
    pub fn new<P: Into<String>>(
        queue: impl Into<String>,
        patterns: impl IntoIterator<Item = P>,
    ) -> Self {
        Self {
            queue: queue.into(),
            patterns: patterns.into_iter().map(Into::into).collect(),
            prefetch: Self::DEFAULT_PREFETCH,
            max_deliveries: Self::DEFAULT_MAX_DELIVERIES,
            retry_delay: Self::DEFAULT_RETRY_DELAY,
        }
    }

    /// Sets the prefetch (at least 1).
    #[must_use]
    pub fn prefetch(mut self, prefetch: u16) -> Self {
        self.prefetch = prefetch.max(1);
        self
    }

    /// Sets the deliveries before dead-lettering (at least 1).
    #[must_use]
    pub fn max_deliveries(mut self, max_deliveries: u32) -> Self {
        self.max_deliveries = max_deliveries.max(1);
        self
    }

    /// Sets the first retry delay.
    #[must_use]
    pub fn retry_delay(mut self, retry_delay: Duration) -> Self {
        self.retry_delay = retry_delay;
        self
    }

    /// The wait before redelivering an event that failed `failures` times (1 for the first).
    pub(crate) fn backoff(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(16);
        self.retry_delay
            .saturating_mul(1 << doublings)
            .min(Self::MAX_RETRY_DELAY)
    }

    /// Checks the queue name and patterns before anything is declared.
    pub fn validate(&self) -> Result<(), BusError> {
        // The dead-letter queue's name must fit in an AMQP short string too.
        if self.queue.is_empty()
            || dead_letter_queue(&self.queue).len() > 255
            || self.queue.starts_with("amq.")
        {
            return Err(BusError::Invalid(format!(
                "invalid queue name {:?}",
                self.queue
            )));
        }
        if self.patterns.is_empty() {
            return Err(BusError::Invalid(format!(
                "queue {:?} has no binding pattern",
                self.queue
            )));
        }
        for pattern in &self.patterns {
            event::validate_routing_key(pattern, true)?;
        }
        Ok(())
    }
}

/// The event bus of a process: RabbitMQ in production, memory in the all-in-one process.
#[derive(Debug, Clone)]
pub enum Bus {
    /// In-process queues.
    Memory(MemoryBus),
    /// RabbitMQ.
    Rabbit(RabbitBus),
}

impl Bus {
    /// A bus from its URL: `memory:` (a fresh in-memory bus) or `amqp://…` / `amqps://…`. With
    /// RabbitMQ the topology is declared and the publisher connection opened now, so a wrong URL
    /// or password fails at start-up.
    pub async fn connect(url: &str) -> Result<Self, BusError> {
        if url == "memory:" || url == "memory://" {
            Ok(Self::Memory(MemoryBus::new()))
        } else if url.starts_with("amqp://") || url.starts_with("amqps://") {
            Ok(Self::Rabbit(
                RabbitBus::connect(RabbitConfig::new(url)).await?,
            ))
        } else {
            Err(BusError::UnsupportedUrl(crate::db::redact(url)))
        }
    }

    /// Publishes one event; returns once the broker has it (publisher confirm on RabbitMQ), or
    /// an error, quickly when the broker is down.
    pub async fn publish(&self, event: &Event) -> Result<(), BusError> {
        match self {
            Self::Memory(bus) => bus.publish(event),
            Self::Rabbit(bus) => bus.publish(event).await,
        }
    }

    /// Declares the subscription's queue, its dead-letter queue and bindings without consuming:
    /// events published from now on are kept for it.
    pub async fn declare(&self, subscription: &Subscription) -> Result<(), BusError> {
        match self {
            Self::Memory(bus) => bus.declare(subscription),
            Self::Rabbit(bus) => bus.declare(subscription).await,
        }
    }

    /// Declares the subscription (see [`Bus::declare`]) and consumes its queue with `handler`,
    /// one event at a time in queue order, until the returned [`Subscriber`] is stopped or
    /// dropped. The message is acknowledged only after the handler returned `Ok` (so it commits
    /// its transaction first); see [`HandlerError`] for the other outcomes.
    ///
    /// Returns once consuming has started (on RabbitMQ: connected, declared, consuming), or the
    /// error of that first attempt; after that, connection losses are retried in the
    /// background.
    pub async fn subscribe<H, F>(
        &self,
        subscription: Subscription,
        handler: H,
    ) -> Result<Subscriber, BusError>
    where
        H: Fn(Event) -> F + Send + Sync + 'static,
        F: Future<Output = Result<(), HandlerError>> + Send + 'static,
    {
        let handler = erase(handler);
        match self {
            Self::Memory(bus) => bus.subscribe(subscription, handler),
            Self::Rabbit(bus) => bus.subscribe(subscription, handler).await,
        }
    }

    /// Removes and returns up to `max` events from the dead-letter queue of `queue` (for an
    /// operator's tool or a test; on RabbitMQ they are acknowledged, so gone from the broker).
    pub async fn take_dead_letters(&self, queue: &str, max: usize) -> Result<Vec<Event>, BusError> {
        match self {
            Self::Memory(bus) => Ok(bus.take_dead_letters(queue, max)),
            Self::Rabbit(bus) => bus.take_dead_letters(queue, max).await,
        }
    }
}

impl From<MemoryBus> for Bus {
    fn from(bus: MemoryBus) -> Self {
        Self::Memory(bus)
    }
}

impl From<RabbitBus> for Bus {
    fn from(bus: RabbitBus) -> Self {
        Self::Rabbit(bus)
    }
}

/// A running consumer of one queue. [`Subscriber::stop`] stops it gracefully; dropping it stops
/// it at once, like a crash: an event being handled is not acknowledged and is delivered again
/// (counted as a failed delivery).
#[derive(Debug)]
pub struct Subscriber {
    queue: String,
    cancel: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl Subscriber {
    pub(crate) fn new(queue: String, cancel: CancellationToken, task: JoinHandle<()>) -> Self {
        Self {
            queue,
            cancel,
            task: Some(task),
        }
    }

    /// The consumed queue.
    pub fn queue(&self) -> &str {
        &self.queue
    }

    /// Lets the event being handled finish (and be acknowledged), then stops consuming; events
    /// prefetched but not handled go back to the queue.
    pub async fn stop(mut self) {
        self.cancel.cancel();
        if let Some(task) = self.task.take()
            && let Err(error) = task.await
            && error.is_panic()
        {
            tracing::error!(queue = %self.queue, %error, "the consumer task panicked");
        }
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.cancel.cancel();
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send<T: Send>(_: T) {}

    /// Services hold a `Bus` in shared state and call it from spawned tasks and gRPC handlers:
    /// the bus and the futures of its methods must be `Send` (and the bus `Sync`).
    #[allow(dead_code)]
    fn bus_futures_are_send(bus: &Bus, event: &Event, subscription: Subscription) {
        fn shared<T: Send + Sync + Clone + 'static>() {}
        shared::<Bus>();
        send(bus.publish(event));
        send(bus.declare(&subscription));
        send(bus.subscribe(subscription, |_event| async { Ok(()) }));
        send(bus.take_dead_letters("queue", 1));
    }

    #[test]
    fn retry_delays_double_up_to_the_cap() {
        let subscription = Subscription::new("q", ["a.#"]).retry_delay(Duration::from_secs(1));
        assert_eq!(subscription.backoff(1), Duration::from_secs(1));
        assert_eq!(subscription.backoff(2), Duration::from_secs(2));
        assert_eq!(subscription.backoff(4), Duration::from_secs(8));
        assert_eq!(subscription.backoff(40), Subscription::MAX_RETRY_DELAY);
    }

    #[test]
    fn subscriptions_are_checked_before_declaring() {
        assert!(
            Subscription::new("notifications.events", ["requests.#", "*.request.*.v1"])
                .validate()
                .is_ok()
        );
        assert!(Subscription::new("", ["a.#"]).validate().is_err());
        assert!(
            Subscription::new("amq.reserved", ["a.#"])
                .validate()
                .is_err()
        );
        assert!(
            Subscription::new("q", Vec::<String>::new())
                .validate()
                .is_err()
        );
        assert!(Subscription::new("q", ["a.#b"]).validate().is_err());
        assert!(
            Subscription::new("x".repeat(252), ["a"])
                .validate()
                .is_err()
        );
        assert_eq!(Subscription::new("q", ["a"]).prefetch(0).prefetch, 1);
        assert_eq!(
            Subscription::new("q", ["a"])
                .max_deliveries(0)
                .max_deliveries,
            1
        );
    }

    #[tokio::test]
    async fn unknown_urls_are_refused() {
        assert!(matches!(
            Bus::connect("kafka://broker").await,
            Err(BusError::UnsupportedUrl(_))
        ));
        assert!(matches!(Bus::connect("memory:").await, Ok(Bus::Memory(_))));
    }
}
