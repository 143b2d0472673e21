//! The broker's topology: the exchanges every process declares, and each subscription's queue
//! with its dead-letter queue.

use lapin::{
    Channel, ExchangeKind,
    options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions},
    types::{AMQPValue, FieldTable, ShortString},
};

use super::short;
use crate::bus::{BusError, DEAD_LETTER_EXCHANGE, EXCHANGE, Subscription, dead_letter_queue};

pub(super) async fn declare_exchanges(channel: &Channel) -> lapin::Result<()> {
    let durable = ExchangeDeclareOptions {
        durable: true,
        ..ExchangeDeclareOptions::default()
    };
    channel
        .exchange_declare(
            EXCHANGE.into(),
            ExchangeKind::Topic,
            durable,
            FieldTable::default(),
        )
        .await?;
    channel
        .exchange_declare(
            DEAD_LETTER_EXCHANGE.into(),
            ExchangeKind::Direct,
            durable,
            FieldTable::default(),
        )
        .await
}

/// A subscription's names as AMQP short strings, checked once.
pub(super) struct QueueNames {
    pub(super) queue: ShortString,
    pub(super) dlq: ShortString,
    pub(super) patterns: Vec<ShortString>,
    pub(super) max_deliveries: u32,
}

impl QueueNames {
    pub(super) fn of(subscription: &Subscription) -> Result<Self, BusError> {
        Ok(Self {
            queue: short(&subscription.queue)?,
            dlq: short(&dead_letter_queue(&subscription.queue))?,
            patterns: subscription
                .patterns
                .iter()
                .map(|p| short(p))
                .collect::<Result<_, _>>()?,
            max_deliveries: subscription.max_deliveries,
        })
    }
}

/// The dead-letter queue, the consumer queue and its bindings.
pub(super) async fn declare_queues(channel: &Channel, names: &QueueNames) -> lapin::Result<()> {
    let QueueNames {
        queue,
        dlq,
        patterns,
        max_deliveries,
    } = names;
    let mut quorum = FieldTable::default();
    quorum.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    channel
        .queue_declare(dlq.clone(), QueueDeclareOptions::durable(), quorum.clone())
        .await?;
    channel
        .queue_bind(
            dlq.clone(),
            DEAD_LETTER_EXCHANGE.into(),
            dlq.clone(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let mut arguments = quorum;
    // The broker counts returns: a message is dead-lettered when returned more times than the
    // limit, i.e. after `max_deliveries` failed deliveries with a limit one lower.
    let limit = i64::from(max_deliveries.saturating_sub(1));
    arguments.insert("x-delivery-limit".into(), AMQPValue::LongLongInt(limit));
    arguments.insert(
        "x-dead-letter-exchange".into(),
        AMQPValue::LongString(DEAD_LETTER_EXCHANGE.into()),
    );
    // Dead letters keep their event type in the headers; routing them by queue name sends each
    // queue's to its own `.dlq`.
    arguments.insert(
        "x-dead-letter-routing-key".into(),
        AMQPValue::LongString(dlq.as_str().into()),
    );
    channel
        .queue_declare(queue.clone(), QueueDeclareOptions::durable(), arguments)
        .await?;
    for pattern in patterns {
        channel
            .queue_bind(
                queue.clone(),
                EXCHANGE.into(),
                pattern.clone(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    Ok(())
}
