//! The event envelope: what travels on the bus around a service's protobuf payload.

use chrono::{DateTime, SubsecRound as _, Utc};
use uuid::Uuid;

use super::BusError;

/// Longest routing key AMQP can carry (a short string).
const MAX_ROUTING_KEY_BYTES: usize = 255;

/// One event, as published by a service and handed to consumers.
///
/// The payload is a protobuf message of `id77.events.v1` that the publisher encodes and the
/// consumer decodes; the bus only moves the bytes and the attributes around them (the
/// CloudEvents attributes on RabbitMQ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Unique id (UUIDv7, so ids sort in creation order); consumers deduplicate on it.
    pub id: Uuid,
    /// Event type and routing key, e.g. `identity.registration.submitted.v1`.
    pub kind: String,
    /// The publishing service, e.g. `id77-identity`.
    pub source: String,
    /// When the change happened (microsecond precision, what PostgreSQL keeps).
    pub time: DateTime<Utc>,
    /// The account that caused the event, so that it is not notified of its own action.
    pub actor: Option<String>,
    /// W3C trace context of the request that caused the event, so the consumer joins its trace.
    pub traceparent: Option<String>,
    /// The encoded protobuf message.
    pub payload: Vec<u8>,
}

impl Event {
    /// A new event with a fresh UUIDv7 id, the current time, and no actor or trace context.
    pub fn new(
        kind: impl Into<String>,
        source: impl Into<String>,
        payload: impl Into<Vec<u8>>,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            kind: kind.into(),
            source: source.into(),
            // Truncated so that the time survives a round trip through PostgreSQL or an RFC 3339
            // header unchanged, and events compare equal after it.
            time: Utc::now().trunc_subsecs(6),
            actor: None,
            traceparent: None,
            payload: payload.into(),
        }
    }

    /// Sets the account that caused the event.
    #[must_use]
    pub fn with_actor(mut self, actor: impl Into<String>) -> Self {
        self.actor = Some(actor.into());
        self
    }

    /// Sets the W3C `traceparent` of the causing request.
    #[must_use]
    pub fn with_traceparent(mut self, traceparent: impl Into<String>) -> Self {
        self.traceparent = Some(traceparent.into());
        self
    }

    /// Replaces the id (tests, replays).
    #[must_use]
    pub fn with_id(mut self, id: Uuid) -> Self {
        self.id = id;
        self
    }

    /// Replaces the time (truncated to microseconds).
    #[must_use]
    pub fn with_time(mut self, time: DateTime<Utc>) -> Self {
        self.time = time.trunc_subsecs(6);
        self
    }

    /// Checks what a broker would refuse, before the event is stored or sent: the kind must be a
    /// routing key without wildcards, and the attributes must fit in AMQP short strings.
    pub fn validate(&self) -> Result<(), BusError> {
        validate_routing_key(&self.kind, false)?;
        if self.source.is_empty() {
            return Err(BusError::Invalid(format!(
                "event {} has no source",
                self.id
            )));
        }
        Ok(())
    }
}

/// A routing key (`wildcards == false`) or a binding pattern (`wildcards == true`): non-empty
/// dot-separated words, at most 255 bytes; `*` and `#` only as whole words of a pattern.
pub(crate) fn validate_routing_key(key: &str, wildcards: bool) -> Result<(), BusError> {
    let what = if wildcards {
        "binding pattern"
    } else {
        "event kind"
    };
    if key.is_empty() || key.len() > MAX_ROUTING_KEY_BYTES {
        return Err(BusError::Invalid(format!(
            "{what} must have 1 to {MAX_ROUTING_KEY_BYTES} bytes: {key:?}"
        )));
    }
    for word in key.split('.') {
        let wildcard = word == "*" || word == "#";
        if word.is_empty() || (!wildcard && word.contains(['*', '#'])) || (wildcard && !wildcards) {
            return Err(BusError::Invalid(format!("invalid {what}: {key:?}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_events_have_fresh_ordered_ids_and_microsecond_times() {
        let first = Event::new("a.b.v1", "id77-test", vec![1]);
        let second = Event::new("a.b.v1", "id77-test", vec![1]);
        assert!(first.id < second.id);
        assert_eq!(first.time.timestamp_subsec_nanos() % 1000, 0);
        assert_eq!(first.id.get_version_num(), 7);
    }

    #[test]
    fn kinds_are_routing_keys_without_wildcards() {
        assert!(
            Event::new("requests.request.accepted.v1", "s", vec![])
                .validate()
                .is_ok()
        );
        for bad in ["", "a..b", "a.*.b", "a.#", "a.b*", &"x".repeat(256)] {
            assert!(Event::new(bad, "s", vec![]).validate().is_err(), "{bad:?}");
        }
        assert!(Event::new("a.b", "", vec![]).validate().is_err());
        assert!(validate_routing_key("requests.#", true).is_ok());
        assert!(validate_routing_key("*.request.*.v1", true).is_ok());
        assert!(validate_routing_key("requests.#x", true).is_err());
    }
}
