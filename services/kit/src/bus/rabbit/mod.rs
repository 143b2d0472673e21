//! The RabbitMQ bus (lapin 4).
//!
//! Topology: the durable topic exchange [`EXCHANGE`]; per subscription a durable quorum queue
//! (`x-delivery-limit`, dead-lettering through the direct exchange [`DEAD_LETTER_EXCHANGE`] to
//! the durable quorum queue `<queue>.dlq`). Messages are persistent, carry the CloudEvents AMQP
//! binding headers and are published with publisher confirms.
//!
//! # Reconnection
//! lapin's automatic recovery is *not* used. Tried on RabbitMQ 3.10 with lapin 4.12.3
//! (`rabbitmqctl stop_app` / `start_app`): with an idle connection it recovered, but when the
//! broker stopped while a consumer held an unacknowledged message, `basic_publish` hung instead
//! of failing, and after `start_app` the connection stayed down and `wait_for_recovery` never
//! returned. So the bus owns its reconnection, which is simple because each part holds its own
//! connection:
//! - the publisher keeps one connection and confirm channel, checks it before each publish,
//!   drops it on any error and opens a new one on the next publish (connect and confirm both
//!   bounded by timeouts, so a publish with the broker down fails in milliseconds and the outbox
//!   relay retries with its backoff);
//! - each subscriber owns a connection; when it fails, the subscriber reconnects with a capped
//!   exponential backoff, declares its topology again and resumes consuming. Unacknowledged
//!   deliveries of the lost connection are redelivered by the broker.

use std::{
    fmt,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use lapin::{
    Channel, Confirmation, Connection, ConnectionProperties,
    message::Delivery,
    options::{
        BasicAckOptions, BasicConsumeOptions, BasicGetOptions, BasicNackOptions, BasicQosOptions,
        BasicRejectOptions, ConfirmSelectOptions,
    },
    types::{FieldTable, ShortString},
};
use tokio::sync::Mutex;
use tokio_stream::StreamExt as _;
use tokio_util::sync::CancellationToken;

use super::{
    BusError, EXCHANGE, Event, Handler, HandlerError, Subscriber, Subscription, dead_letter_queue,
    run_handler,
};

mod headers;
mod topology;

use headers::{decode, delivery_count, properties};
use topology::{QueueNames, declare_exchanges, declare_queues};

/// How to reach RabbitMQ and how patient to be.
#[derive(Clone)]
pub struct RabbitConfig {
    /// `amqp://user:password@host:port/vhost` (vhost `%2f` for `/`), or `amqps://`.
    pub url: String,
    /// Name shown in the management UI (default `id77`).
    pub connection_name: String,
    /// Bound on opening a connection (TCP, AMQP handshake, declarations); default 5 s.
    pub connect_timeout: Duration,
    /// Bound on one publish including its confirm; default 5 s.
    pub publish_timeout: Duration,
    /// First wait before a subscriber reconnects; doubled up to `reconnect_max`. Default 200 ms.
    pub reconnect_min: Duration,
    /// Longest wait between two reconnection attempts; default 10 s.
    pub reconnect_max: Duration,
}

impl RabbitConfig {
    /// The defaults for `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            connection_name: "id77".into(),
            connect_timeout: Duration::from_secs(5),
            publish_timeout: Duration::from_secs(5),
            reconnect_min: Duration::from_millis(200),
            reconnect_max: Duration::from_secs(10),
        }
    }

    /// Sets the connection name shown by the broker.
    #[must_use]
    pub fn connection_name(mut self, name: impl Into<String>) -> Self {
        self.connection_name = name.into();
        self
    }

    /// Sets the subscribers' reconnection backoff bounds.
    #[must_use]
    pub fn reconnect_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.reconnect_min = min;
        self.reconnect_max = max.max(min);
        self
    }

    fn redacted_url(&self) -> String {
        crate::db::redact(&self.url)
    }
}

impl fmt::Debug for RabbitConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL carries the password: never print it.
        f.debug_struct("RabbitConfig")
            .field("url", &self.redacted_url())
            .field("connection_name", &self.connection_name)
            .field("connect_timeout", &self.connect_timeout)
            .field("publish_timeout", &self.publish_timeout)
            .field("reconnect_min", &self.reconnect_min)
            .field("reconnect_max", &self.reconnect_max)
            .finish()
    }
}

/// The bus on RabbitMQ; clones share the publisher connection.
#[derive(Clone)]
pub struct RabbitBus {
    inner: Arc<Inner>,
}

struct Inner {
    config: RabbitConfig,
    /// The publisher's connection, opened on demand and dropped after a failure.
    publisher: Mutex<Option<Publisher>>,
    /// Numbers the publisher connections.
    generations: AtomicU64,
}

struct Publisher {
    /// Kept so that the connection lives as long as the channel is used.
    connection: Connection,
    channel: Channel,
    /// Which connection this is, so that a failed publish only drops the connection it used.
    generation: u64,
}

impl fmt::Debug for RabbitBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RabbitBus")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl RabbitBus {
    /// Connects the publisher and declares the exchanges, so that a wrong URL, password or
    /// unreachable broker is reported now.
    pub async fn connect(config: RabbitConfig) -> Result<Self, BusError> {
        let bus = Self::lazy(config);
        bus.publisher_channel().await?;
        Ok(bus)
    }

    /// A bus that connects on its first use, for a process that must start while the broker
    /// is down (its outbox keeps the events meanwhile).
    pub fn lazy(config: RabbitConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                config,
                publisher: Mutex::new(None),
                generations: AtomicU64::new(0),
            }),
        }
    }

    /// Whether the publisher's connection is up (for a readiness probe; it is opened again by
    /// the next publish when it is not).
    pub async fn is_connected(&self) -> bool {
        self.inner
            .publisher
            .lock()
            .await
            .as_ref()
            .is_some_and(|publisher| {
                publisher.connection.status().connected() && publisher.channel.status().connected()
            })
    }

    /// The configuration.
    pub fn config(&self) -> &RabbitConfig {
        &self.inner.config
    }

    /// Publishes `event` persistently to [`EXCHANGE`] and waits for the broker's confirm.
    pub async fn publish(&self, event: &Event) -> Result<(), BusError> {
        event.validate()?;
        let routing_key = short(&event.kind)?;
        let properties = properties(event)?;
        let (channel, generation) = self.publisher_channel().await?;
        let publish = async {
            channel
                .basic_publish(
                    EXCHANGE.into(),
                    routing_key,
                    Default::default(),
                    &event.payload,
                    properties,
                )
                .await?
                .await
        };
        let outcome = tokio::time::timeout(self.inner.config.publish_timeout, publish).await;
        match outcome {
            Ok(Ok(Confirmation::Ack(_))) => Ok(()),
            Ok(Ok(Confirmation::Nack(_))) => Err(BusError::Nacked(event.id)),
            Ok(Ok(Confirmation::NotRequested)) => {
                // Cannot happen (confirm_select is sent when the channel opens), but a publish
                // without a confirm must not count as delivered.
                self.drop_publisher(generation).await;
                Err(BusError::Unavailable(
                    "the broker did not confirm the publish".into(),
                ))
            }
            Ok(Err(error)) => {
                self.drop_publisher(generation).await;
                Err(BusError::Unavailable(format!(
                    "publishing event {}: {error}",
                    event.id
                )))
            }
            Err(_) => {
                self.drop_publisher(generation).await;
                Err(BusError::Unavailable(format!(
                    "no confirm for event {} within {:?}",
                    event.id, self.inner.config.publish_timeout
                )))
            }
        }
    }

    /// Declares the subscription's queues and bindings (see [`super::Bus::declare`]).
    pub async fn declare(&self, subscription: &Subscription) -> Result<(), BusError> {
        subscription.validate()?;
        let (channel, generation) = self.publisher_channel().await?;
        let names = QueueNames::of(subscription)?;
        let declared = tokio::time::timeout(
            self.inner.config.connect_timeout,
            declare_queues(&channel, &names),
        )
        .await;
        match declared {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => {
                // A refused declaration closes the channel: start afresh next time.
                self.drop_publisher(generation).await;
                Err(broker_error(
                    &format!("declaring queue {}", subscription.queue),
                    error,
                ))
            }
            Err(_) => {
                self.drop_publisher(generation).await;
                Err(BusError::Unavailable(format!(
                    "declaring queue {} timed out",
                    subscription.queue
                )))
            }
        }
    }

    /// Starts a consumer with its own connection (see [`super::Bus::subscribe`]).
    pub(crate) async fn subscribe(
        &self,
        subscription: Subscription,
        handler: Handler,
    ) -> Result<Subscriber, BusError> {
        subscription.validate()?;
        let config = self.inner.config.clone();
        let session = Session::open(&config, &subscription).await?;
        let cancel = CancellationToken::new();
        let queue = subscription.queue.clone();
        let task = tokio::spawn(run_consumer(
            config,
            subscription,
            handler,
            cancel.clone(),
            session,
        ));
        Ok(Subscriber::new(queue, cancel, task))
    }

    /// Removes up to `max` events from `<queue>.dlq` and returns them. A message that is not an
    /// event of this bus is left in the queue, and taking stops there.
    pub async fn take_dead_letters(&self, queue: &str, max: usize) -> Result<Vec<Event>, BusError> {
        let dlq = short(&dead_letter_queue(queue))?;
        let (channel, generation) = self.publisher_channel().await?;
        let mut events = Vec::new();
        while events.len() < max {
            let got = tokio::time::timeout(
                self.inner.config.publish_timeout,
                channel.basic_get(dlq.clone(), BasicGetOptions { no_ack: false }),
            )
            .await;
            let message = match got {
                Ok(Ok(Some(message))) => message,
                Ok(Ok(None)) => break,
                Ok(Err(error)) => {
                    self.drop_publisher(generation).await;
                    return Err(broker_error(&format!("reading {dlq}"), error));
                }
                Err(_) => {
                    self.drop_publisher(generation).await;
                    return Err(BusError::Unavailable(format!("reading {dlq} timed out")));
                }
            };
            let delivery = message.delivery;
            match decode(&delivery) {
                Ok(event) => {
                    delivery
                        .ack(BasicAckOptions::default())
                        .await
                        .map_err(|error| {
                            BusError::Unavailable(format!("acknowledging a dead letter: {error}"))
                        })?;
                    events.push(event);
                }
                Err(reason) => {
                    tracing::warn!(queue = %dlq, %reason, "a dead letter is not an ID77 event; left in the queue");
                    delivery
                        .nack(BasicNackOptions {
                            requeue: true,
                            multiple: false,
                        })
                        .await
                        .map_err(|error| {
                            BusError::Unavailable(format!("returning a dead letter: {error}"))
                        })?;
                    break;
                }
            }
        }
        Ok(events)
    }

    /// The publisher's channel, (re)connecting when there is none or it is no longer usable.
    async fn publisher_channel(&self) -> Result<(Channel, u64), BusError> {
        let mut publisher = self.inner.publisher.lock().await;
        if let Some(current) = publisher.as_ref() {
            if current.connection.status().connected() && current.channel.status().connected() {
                return Ok((current.channel.clone(), current.generation));
            }
            tracing::info!("the event publisher's connection was lost; reconnecting");
        }
        let generation = self.inner.generations.fetch_add(1, Ordering::Relaxed);
        // Dropped before connecting again, so a dead connection's resources go now.
        *publisher = None;
        let config = &self.inner.config;
        let opened = tokio::time::timeout(config.connect_timeout, async {
            let connection = connect(config, "publisher").await?;
            let channel = connection.create_channel().await?;
            channel
                .confirm_select(ConfirmSelectOptions::default())
                .await?;
            declare_exchanges(&channel).await?;
            Ok::<_, lapin::Error>((connection, channel))
        })
        .await;
        let (connection, channel) = match opened {
            Ok(Ok(opened)) => opened,
            Ok(Err(error)) => return Err(connect_error(config, error)),
            Err(_) => {
                return Err(BusError::Unavailable(format!(
                    "connecting to {} timed out after {:?}",
                    config.redacted_url(),
                    config.connect_timeout
                )));
            }
        };
        *publisher = Some(Publisher {
            connection,
            channel: channel.clone(),
            generation,
        });
        Ok((channel, generation))
    }

    /// Forgets the publisher connection `generation` after a failure on it (not a newer one
    /// that another publish opened meanwhile).
    async fn drop_publisher(&self, generation: u64) {
        let mut publisher = self.inner.publisher.lock().await;
        if publisher
            .as_ref()
            .is_some_and(|p| p.generation == generation)
        {
            *publisher = None;
        }
    }
}

/// One consumer connection: connected, topology declared, consuming.
struct Session {
    connection: Connection,
    channel: Channel,
    consumer: lapin::Consumer,
}

impl Session {
    async fn open(config: &RabbitConfig, subscription: &Subscription) -> Result<Self, BusError> {
        let names = QueueNames::of(subscription)?;
        let opened = tokio::time::timeout(config.connect_timeout, async {
            let connection = connect(config, &subscription.queue).await?;
            let channel = connection.create_channel().await?;
            declare_exchanges(&channel).await?;
            declare_queues(&channel, &names).await?;
            channel
                .basic_qos(subscription.prefetch, BasicQosOptions::default())
                .await?;
            let consumer = channel
                .basic_consume(
                    names.queue.clone(),
                    ShortString::default(),
                    BasicConsumeOptions::default(),
                    FieldTable::default(),
                )
                .await?;
            Ok::<_, lapin::Error>(Self {
                connection,
                channel,
                consumer,
            })
        })
        .await;
        match opened {
            Ok(Ok(session)) => Ok(session),
            Ok(Err(error)) => Err(connect_error(config, error)),
            Err(_) => Err(BusError::Unavailable(format!(
                "starting the consumer of {} timed out after {:?}",
                subscription.queue, config.connect_timeout
            ))),
        }
    }

    /// Consumes until stopped (`Ok`) or until the connection fails (`Err`).
    async fn run(
        mut self,
        subscription: &Subscription,
        handler: &Handler,
        cancel: &CancellationToken,
    ) -> Result<(), Lost> {
        loop {
            let next = tokio::select! {
                biased;
                () = cancel.cancelled() => {
                    self.close().await;
                    return Ok(());
                }
                next = self.consumer.next() => next,
            };
            match next {
                Some(Ok(delivery)) => self.handle(delivery, subscription, handler, cancel).await?,
                Some(Err(error)) => return Err(Lost(error.to_string())),
                None => {
                    // The broker cancelled the consumer (queue deleted): start again, which
                    // declares the queue anew.
                    return Err(Lost("the broker cancelled the consumer".into()));
                }
            }
        }
    }

    async fn handle(
        &self,
        delivery: Delivery,
        subscription: &Subscription,
        handler: &Handler,
        cancel: &CancellationToken,
    ) -> Result<(), Lost> {
        let queue = subscription.queue.as_str();
        let event = match decode(&delivery) {
            Ok(event) => event,
            Err(reason) => {
                tracing::error!(queue, %reason, routing_key = %delivery.routing_key, "undecodable message, dead-lettered");
                return settled(delivery.reject(BasicRejectOptions { requeue: false }).await);
            }
        };
        let (event_id, kind) = (event.id, event.kind.clone());
        match run_handler(handler, event).await {
            Ok(()) => settled(delivery.ack(BasicAckOptions::default()).await),
            Err(HandlerError::Reject(error)) => {
                tracing::error!(queue, %event_id, %kind, error = %format!("{error:#}"), "event rejected, dead-lettered");
                settled(delivery.reject(BasicRejectOptions { requeue: false }).await)
            }
            Err(HandlerError::Retry(error)) => {
                let failures = delivery_count(&delivery).saturating_add(1);
                tracing::warn!(queue, %event_id, %kind, failures, error = %format!("{error:#}"), "event handling failed, will retry");
                if failures < subscription.max_deliveries {
                    // The broker has no delayed requeue: the consumer holds the message for the
                    // delay, which also slows it down while its dependency is failing. A stop
                    // ends the wait.
                    tokio::select! {
                        () = cancel.cancelled() => {}
                        () = tokio::time::sleep(subscription.backoff(failures)) => {}
                    }
                }
                settled(
                    delivery
                        .nack(BasicNackOptions {
                            requeue: true,
                            multiple: false,
                        })
                        .await,
                )
            }
        }
    }

    async fn close(&self) {
        // Closing returns the prefetched, unhandled deliveries to the queue.
        if let Err(error) = self.channel.close(200, "stopping".into()).await {
            tracing::debug!(%error, "closing the consumer channel");
        }
        if let Err(error) = self.connection.close(200, "stopping".into()).await {
            tracing::debug!(%error, "closing the consumer connection");
        }
    }
}

/// Why a consumer session ended: its connection or channel is gone.
#[derive(Debug)]
struct Lost(String);

impl fmt::Display for Lost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An ack/nack/reject outcome: `Ok(false)` means the delivery's channel is gone, so the broker
/// will redeliver it; reconnect rather than go on with a dead channel.
fn settled(outcome: lapin::Result<bool>) -> Result<(), Lost> {
    match outcome {
        Ok(true) => Ok(()),
        Ok(false) => Err(Lost("the delivery's channel is closed".into())),
        Err(error) => Err(Lost(error.to_string())),
    }
}

/// The consumer task: runs sessions, reconnecting with a capped backoff after each failure,
/// until cancelled.
async fn run_consumer(
    config: RabbitConfig,
    subscription: Subscription,
    handler: Handler,
    cancel: CancellationToken,
    first: Session,
) {
    let queue = subscription.queue.as_str();
    let mut session = Some(first);
    let mut delay = config.reconnect_min;
    loop {
        let current = match session.take() {
            Some(current) => current,
            None => match Session::open(&config, &subscription).await {
                Ok(current) => {
                    tracing::info!(queue, "event consumer reconnected");
                    delay = config.reconnect_min;
                    current
                }
                Err(error) => {
                    tracing::warn!(queue, %error, retry_in = ?delay, "event consumer cannot reconnect yet");
                    tokio::select! {
                        () = cancel.cancelled() => return,
                        () = tokio::time::sleep(delay) => {}
                    }
                    delay = delay.saturating_mul(2).min(config.reconnect_max);
                    continue;
                }
            },
        };
        match current.run(&subscription, &handler, &cancel).await {
            Ok(()) => return,
            Err(error) => {
                tracing::warn!(queue, %error, "event consumer lost its connection; reconnecting");
                tokio::select! {
                    () = cancel.cancelled() => return,
                    () = tokio::time::sleep(config.reconnect_min) => {}
                }
            }
        }
    }
}

async fn connect(config: &RabbitConfig, role: &str) -> lapin::Result<Connection> {
    let properties = ConnectionProperties::default()
        .with_connection_name(format!("{} {role}", config.connection_name).into());
    Connection::connect(&config.url, properties).await
}

/// An AMQP short string (names, routing keys: at most 255 bytes).
pub(super) fn short(value: &str) -> Result<ShortString, BusError> {
    ShortString::try_new(value)
        .map_err(|_| BusError::Invalid(format!("longer than 255 bytes: {value:?}")))
}

fn connect_error(config: &RabbitConfig, error: lapin::Error) -> BusError {
    if error.is_amqp_error() {
        broker_error(&format!("at {}", config.redacted_url()), error)
    } else {
        BusError::Unavailable(format!("{}: {error}", config.redacted_url()))
    }
}

fn broker_error(context: &str, error: lapin::Error) -> BusError {
    if error.is_io_error() {
        BusError::Unavailable(format!("{context}: {error}"))
    } else {
        BusError::Broker(format!("{context}: {error}"))
    }
}

#[cfg(test)]
mod tests;
