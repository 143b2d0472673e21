use chrono::SecondsFormat;
use lapin::types::AMQPValue;

use super::{headers::*, *};
use crate::bus::CONTENT_TYPE;

fn delivery_of(event: &Event) -> Delivery {
    let mut delivery = Delivery::mock(
        1,
        EXCHANGE.into(),
        event.kind.as_str().into(),
        false,
        event.payload.clone(),
    );
    delivery.properties = properties(event).expect("properties");
    delivery
}

#[test]
fn events_round_trip_through_cloudevents_headers() {
    let event = Event::new(
        "requests.request.accepted.v1",
        "id77-requests",
        vec![8, 1, 0],
    )
    .with_actor("account-3")
    .with_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    let delivery = delivery_of(&event);
    let properties = &delivery.properties;
    assert_eq!(properties.delivery_mode(), &Some(2));
    assert_eq!(
        properties.content_type().as_ref().map(ShortString::as_str),
        Some(CONTENT_TYPE)
    );
    let headers = properties.headers().as_ref().expect("headers");
    assert_eq!(
        headers.inner().get(CE_SPECVERSION),
        Some(&AMQPValue::LongString("1.0".into()))
    );
    assert_eq!(
        headers.inner().get(CE_TIME),
        Some(&AMQPValue::LongString(
            event
                .time
                .to_rfc3339_opts(SecondsFormat::Micros, true)
                .into()
        ))
    );
    assert_eq!(decode(&delivery), Ok(event.clone()));

    let without_options = Event::new("a.b.v1", "id77-test", Vec::new());
    assert_eq!(decode(&delivery_of(&without_options)), Ok(without_options));
}

#[test]
fn foreign_messages_are_not_decoded() {
    let bare = Delivery::mock(1, EXCHANGE.into(), "a.b".into(), false, vec![1]);
    assert!(decode(&bare).is_err());
    let mut wrong_id = delivery_of(&Event::new("a.b.v1", "s", Vec::new()));
    let mut headers = wrong_id.properties.headers().clone().expect("headers");
    headers.insert(CE_ID.into(), AMQPValue::LongString("not-a-uuid".into()));
    wrong_id.properties = wrong_id.properties.clone().with_headers(headers);
    assert!(decode(&wrong_id).is_err());
}

#[test]
fn the_delivery_count_comes_from_the_quorum_queue_header() {
    let mut delivery = delivery_of(&Event::new("a.b.v1", "s", Vec::new()));
    assert_eq!(delivery_count(&delivery), 0);
    let mut headers = delivery.properties.headers().clone().expect("headers");
    headers.insert(DELIVERY_COUNT_HEADER.into(), AMQPValue::LongLongInt(3));
    delivery.properties = delivery.properties.clone().with_headers(headers);
    assert_eq!(delivery_count(&delivery), 3);
}

#[tokio::test]
async fn without_a_broker_publishing_fails_fast() {
    // Nothing listens on port 1: the connection is refused at once.
    let bus = RabbitBus::lazy(RabbitConfig::new("amqp://guest:guest@127.0.0.1:1/%2f"));
    assert!(!bus.is_connected().await);
    let started = std::time::Instant::now();
    let outcome = bus.publish(&Event::new("a.b.v1", "s", Vec::new())).await;
    assert!(
        matches!(outcome, Err(BusError::Unavailable(_))),
        "{outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(RabbitBus::connect(bus.config().clone()).await.is_err());
}

#[test]
fn passwords_stay_out_of_debug_output() {
    let config = RabbitConfig::new("amqp://id77:s3cret@rabbit:5672/%2f");
    assert!(!format!("{config:?}").contains("s3cret"));
}
