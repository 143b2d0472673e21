//! `run` with a bus: the outbox relay publishes the service's events as they commit.

use std::time::Duration;

use id77_identity::{Config, events};
use id77_kit::bus::{Bus, MemoryBus, Subscription};
use id77_proto::{events::v1 as ev, identity::v1 as pb};
use tokio::{net::TcpListener, sync::mpsc};

use crate::support::{TestDb, decode, registration, signer};

#[tokio::test]
async fn run_publishes_committed_events_on_the_bus() {
    let bus = Bus::from(MemoryBus::new());
    let (sender, mut received) = mpsc::unbounded_channel();
    let _subscriber = bus
        .subscribe(
            Subscription::new("test.identity", ["identity.#"]),
            move |event| {
                let sender = sender.clone();
                async move {
                    sender.send(event).ok();
                    Ok(())
                }
            },
        )
        .await
        .expect("subscribing");

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let mut config = Config::new(TestDb::sqlite_url(), signer().clone());
    config.admin_password = Some(crate::support::ADMIN_PASSWORD.into());
    config.bus = Some(bus);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(id77_identity::run(config, listener, async {
        stopped.await.ok();
    }));
    let mut client = loop {
        match pb::identity_service_client::IdentityServiceClient::connect(address.clone()).await {
            Ok(client) => break client,
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    client
        .register(registration("MairieMelun", "dgs@ville-melun.fr"))
        .await
        .expect("registering");
    let event = tokio::time::timeout(Duration::from_secs(5), received.recv())
        .await
        .expect("the event within 5 s")
        .expect("an event");
    assert_eq!(event.kind, events::REGISTRATION_SUBMITTED);
    assert_eq!(event.source, events::SOURCE);
    let message: ev::RegistrationSubmitted = decode(&event);
    assert_eq!(message.identifier, "MairieMelun");
    assert_eq!(message.confirmation_token.len(), 43);

    stop.send(()).ok();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("stops on shutdown")
        .expect("no panic")
        .expect("no error");
}
