//! An event as an AMQP message: the CloudEvents AMQP binding's headers, and back.

use chrono::{DateTime, SecondsFormat, Utc};
use lapin::{
    BasicProperties,
    message::Delivery,
    types::{AMQPValue, FieldTable, LongString},
};
use uuid::Uuid;

use super::short;
use crate::bus::{BusError, CONTENT_TYPE, Event};

/// CloudEvents AMQP binding: attributes as application properties with this prefix.
pub(super) const CE_SPECVERSION: &str = "cloudEvents:specversion";
pub(super) const CE_ID: &str = "cloudEvents:id";
pub(super) const CE_TYPE: &str = "cloudEvents:type";
pub(super) const CE_SOURCE: &str = "cloudEvents:source";
pub(super) const CE_TIME: &str = "cloudEvents:time";
/// The account that caused the event (an ID77 extension).
pub(super) const ACTOR_HEADER: &str = "id77-actor";
/// W3C trace context, as the CloudEvents distributed-tracing extension names it.
pub(super) const TRACEPARENT_HEADER: &str = "traceparent";
/// Set by quorum queues on redeliveries: how many times the message was returned.
pub(super) const DELIVERY_COUNT_HEADER: &str = "x-delivery-count";

/// The message properties of an event: persistent, protobuf, CloudEvents headers.
pub(super) fn properties(event: &Event) -> Result<BasicProperties, BusError> {
    let mut headers = FieldTable::default();
    let mut put = |name: &str, value: &str| {
        headers.insert(name.into(), AMQPValue::LongString(LongString::from(value)));
    };
    put(CE_SPECVERSION, "1.0");
    put(CE_ID, &event.id.to_string());
    put(CE_TYPE, &event.kind);
    put(CE_SOURCE, &event.source);
    put(
        CE_TIME,
        &event.time.to_rfc3339_opts(SecondsFormat::Micros, true),
    );
    if let Some(actor) = &event.actor {
        put(ACTOR_HEADER, actor);
    }
    if let Some(traceparent) = &event.traceparent {
        put(TRACEPARENT_HEADER, traceparent);
    }
    Ok(BasicProperties::default()
        .with_delivery_mode(2)
        .with_content_type(CONTENT_TYPE.into())
        .with_message_id(short(&event.id.to_string())?)
        .with_timestamp(u64::try_from(event.time.timestamp()).unwrap_or(0))
        .with_headers(headers))
}

/// The event a delivery carries, from its CloudEvents headers and body.
pub(super) fn decode(delivery: &Delivery) -> Result<Event, String> {
    let headers = delivery.properties.headers().as_ref().ok_or("no headers")?;
    let text = |name: &str| -> Option<String> {
        match headers.inner().get(name)? {
            AMQPValue::LongString(value) => {
                Some(String::from_utf8_lossy(value.as_bytes()).into_owned())
            }
            AMQPValue::ShortString(value) => Some(value.as_str().to_owned()),
            _ => None,
        }
    };
    let required = |name: &str| text(name).ok_or_else(|| format!("missing header {name}"));
    let specversion = required(CE_SPECVERSION)?;
    if specversion != "1.0" {
        return Err(format!(
            "unsupported CloudEvents specversion {specversion:?}"
        ));
    }
    let id = required(CE_ID)?;
    let id = Uuid::try_parse(&id).map_err(|e| format!("invalid {CE_ID} {id:?}: {e}"))?;
    let time = required(CE_TIME)?;
    let time = DateTime::parse_from_rfc3339(&time)
        .map_err(|e| format!("invalid {CE_TIME} {time:?}: {e}"))?
        .with_timezone(&Utc);
    Ok(Event {
        id,
        kind: required(CE_TYPE)?,
        source: required(CE_SOURCE)?,
        time,
        actor: text(ACTOR_HEADER),
        traceparent: text(TRACEPARENT_HEADER),
        payload: delivery.data.clone(),
    })
}

/// How many times the broker says this message was returned before (0 on first delivery).
pub(super) fn delivery_count(delivery: &Delivery) -> u32 {
    let value = delivery
        .properties
        .headers()
        .as_ref()
        .and_then(|headers| headers.inner().get(DELIVERY_COUNT_HEADER).cloned());
    let count = match value {
        Some(AMQPValue::LongLongInt(n)) => n,
        Some(AMQPValue::LongInt(n)) => i64::from(n),
        Some(AMQPValue::LongUInt(n)) => i64::from(n),
        Some(AMQPValue::ShortInt(n)) => i64::from(n),
        Some(AMQPValue::ShortUInt(n)) => i64::from(n),
        Some(AMQPValue::ShortShortInt(n)) => i64::from(n),
        Some(AMQPValue::ShortShortUInt(n)) => i64::from(n),
        _ => 0,
    };
    u32::try_from(count).unwrap_or(0)
}
