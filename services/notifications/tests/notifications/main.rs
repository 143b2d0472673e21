//! The notifications service against the in-memory bus, writing mail to a folder.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

use std::{path::PathBuf, time::Duration};

use id77_kit::bus::{Bus, Event, MemoryBus};
use id77_proto::events::v1 as ev;
use prost::Message as _;

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "id77-notifications-{}",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn start(dir: &std::path::Path, bus: &Bus) -> id77_kit::bus::Subscriber {
    id77_notifications::start(
        id77_notifications::Config {
            database_url: format!("sqlite://{}", dir.join("notifications.db").display()),
            mail_url: format!("file://{}", dir.join("mail").display()).into(),
            mail_from: "ID77 <ne-pas-repondre@id77.fr>".to_owned(),
            public_url: "https://id77.example".to_owned(),
        },
        bus,
    )
    .await
    .unwrap()
}

fn mails(dir: &std::path::Path) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(dir.join("mail"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .map(|e| std::fs::read_to_string(e.path()).unwrap())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

async fn wait_for_mails(dir: &std::path::Path, count: usize) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let found = mails(dir);
        if found.len() >= count {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} mails after 10 s, expected {count}",
            found.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn submitted() -> Event {
    let payload = ev::RegistrationSubmitted {
        account_id: uuid::Uuid::now_v7().to_string(),
        organisation_name: "Commune de Samois-sur-Seine".into(),
        identifier: "samois".into(),
        recipient: Some(ev::Recipient {
            email: "mairie@samois.fr".into(),
            display_name: "Anne Martin".into(),
        }),
        confirmation_token: "TOKEN_abc-123".into(),
    }
    .encode_to_vec();
    Event::new(
        "identity.registration.submitted.v1",
        "id77-identity",
        payload,
    )
}

#[tokio::test]
async fn a_registration_sends_the_confirmation_mail_with_its_link() {
    let dir = temp_dir();
    let bus = Bus::from(MemoryBus::new());
    let subscriber = start(&dir, &bus).await;
    bus.publish(&submitted()).await.unwrap();
    let mails = wait_for_mails(&dir, 1).await;
    let mail = &mails[0];
    assert!(
        mail.contains("To: \"Anne Martin\" <mairie@samois.fr>")
            || mail.contains("To: Anne Martin <mairie@samois.fr>"),
        "{mail}"
    );
    assert!(mail.contains("Subject:"));
    assert!(mail.contains("multipart/alternative"));
    assert!(
        mail.contains("https://id77.example/inscription/confirmer?token=3DTOKEN_abc-123")
            || mail.contains("https://id77.example/inscription/confirmer?token=TOKEN_abc-123"),
        "{mail}"
    );
    subscriber.stop().await;
}

#[tokio::test]
async fn an_event_delivered_twice_sends_one_mail() {
    let dir = temp_dir();
    let bus = Bus::from(MemoryBus::new());
    let subscriber = start(&dir, &bus).await;
    let event = submitted();
    bus.publish(&event).await.unwrap();
    bus.publish(&event).await.unwrap();
    // A later, different event proves the duplicate was processed (in order) before it.
    bus.publish(&submitted()).await.unwrap();
    let mails = wait_for_mails(&dir, 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(mails.len(), 2, "the duplicate sent nothing");
    subscriber.stop().await;
}

#[tokio::test]
async fn events_that_send_no_mail_are_acknowledged_and_poison_is_dead_lettered() {
    let dir = temp_dir();
    let bus = Bus::from(MemoryBus::new());
    let subscriber = start(&dir, &bus).await;
    bus.publish(&Event::new(
        "identity.organisation.updated.v1",
        "id77-identity",
        vec![],
    ))
    .await
    .unwrap();
    bus.publish(&Event::new(
        "identity.password.changed.v1",
        "id77-identity",
        vec![0xff, 0xff, 0xff],
    ))
    .await
    .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let dead = bus
            .take_dead_letters("notifications.events", 10)
            .await
            .unwrap();
        if !dead.is_empty() {
            assert_eq!(dead[0].kind, "identity.password.changed.v1");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the undecodable event was not dead-lettered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(mails(&dir).is_empty());
    subscriber.stop().await;
}
