//! The conformance scenarios, written once against `Bus` and run on every adapter by `main.rs`.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::Duration,
};

use id77_kit::bus::{
    Bus, Event, HandlerError, Subscription, inbox,
    outbox::{self, OutboxRelay, RelayConfig},
};
use sqlx::{PgPool, SqlitePool};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::support::{
    Harness, PATIENCE, collector, next, nothing_more, postgres_pool, sqlite_pool,
};

/// A retry delay short enough for the dead-letter scenarios to run in milliseconds.
const FAST_RETRY: Duration = Duration::from_millis(10);

pub async fn delivers_to_bound_queues_only(h: &Harness) {
    let (handler_a, mut a) = collector();
    let (handler_b, mut b) = collector();
    let sub_a = h
        .bus
        .subscribe(
            Subscription::new(h.queue("a"), [h.key("orders.created.v1")]),
            handler_a,
        )
        .await
        .expect("subscribing a");
    let sub_b = h
        .bus
        .subscribe(
            Subscription::new(h.queue("b"), [h.key("orders.cancelled.v1")]),
            handler_b,
        )
        .await
        .expect("subscribing b");

    let created = h.event("orders.created.v1", "1").with_actor("account-1");
    h.bus.publish(&created).await.expect("publishing");
    h.bus
        .publish(&h.event("unrelated.v1", "2"))
        .await
        .expect("publishing an event nobody binds");

    assert_eq!(next(&mut a).await, created);
    nothing_more(&mut a).await;
    nothing_more(&mut b).await;
    sub_a.stop().await;
    sub_b.stop().await;
}

pub async fn binds_star_and_hash_patterns(h: &Harness) {
    let (handler, mut received) = collector();
    let patterns = [h.key("*.created.v1"), h.key("audit.#")];
    let subscriber = h
        .bus
        .subscribe(Subscription::new(h.queue("patterns"), patterns), handler)
        .await
        .expect("subscribing");

    let kinds = [
        ("request.created.v1", true),
        ("request.updated.v1", false),
        ("x.request.created.v1", false), // `*` is exactly one word
        ("audit", true),                 // `#` may be no word at all
        ("audit.login.failed.v1", true), // … or several
        ("auditing.v1", false),
    ];
    let mut expected = Vec::new();
    for (kind, matches) in kinds {
        let event = h.event(kind, kind);
        h.bus.publish(&event).await.expect("publishing");
        if matches {
            expected.push(event);
        }
    }
    for event in expected {
        assert_eq!(next(&mut received).await, event);
    }
    nothing_more(&mut received).await;
    subscriber.stop().await;
}

pub async fn publish_returns_once_the_broker_has_the_event(h: &Harness) {
    let subscription = Subscription::new(h.queue("late"), [h.key("#")]);
    h.bus.declare(&subscription).await.expect("declaring");
    // Every attribute set, to check they all survive the trip.
    let event = h
        .event("confirmed.v1", "payload")
        .with_actor("account-42")
        .with_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    h.bus.publish(&event).await.expect("publishing");

    // Nobody consumed when it was published: the queue kept it.
    let (handler, mut received) = collector();
    let subscriber = h
        .bus
        .subscribe(subscription, handler)
        .await
        .expect("subscribing");
    assert_eq!(next(&mut received).await, event);
    subscriber.stop().await;
}

pub async fn redelivers_when_a_consumer_dies_before_acknowledging(h: &Harness) {
    let queue = h.queue("crash");
    let subscription = Subscription::new(&queue, [h.key("crash.v1")]);
    let (started, mut handling) = mpsc::unbounded_channel();
    // A handler that never finishes: the process dies while it runs.
    let stuck = move |event: Event| {
        started.send(event).ok();
        std::future::pending::<Result<(), HandlerError>>()
    };
    let dying = h
        .bus
        .subscribe(subscription.clone(), stuck)
        .await
        .expect("subscribing");
    let event = h.event("crash.v1", "x");
    h.bus.publish(&event).await.expect("publishing");
    assert_eq!(next(&mut handling).await, event);
    drop(dying);

    let (handler, mut received) = collector();
    let subscriber = h
        .bus
        .subscribe(subscription, handler)
        .await
        .expect("subscribing again");
    assert_eq!(next(&mut received).await, event);
    nothing_more(&mut received).await;
    subscriber.stop().await;
}

pub async fn dead_letters_after_max_deliveries(h: &Harness) {
    let queue = h.queue("retry");
    let attempts = Arc::new(AtomicU32::new(0));
    let counter = attempts.clone();
    let failing = move |_event: Event| {
        counter.fetch_add(1, Ordering::SeqCst);
        std::future::ready(Err(HandlerError::retry(anyhow::anyhow!(
            "database unavailable"
        ))))
    };
    let subscription = Subscription::new(&queue, [h.key("retry.v1")]).retry_delay(FAST_RETRY);
    assert_eq!(subscription.max_deliveries, 5);
    let subscriber = h
        .bus
        .subscribe(subscription, failing)
        .await
        .expect("subscribing");
    let event = h.event("retry.v1", "x");
    h.bus.publish(&event).await.expect("publishing");

    assert_eq!(h.wait_dead_letters(&queue).await, vec![event]);
    // Settled: no delivery after the dead-lettering.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        5,
        "deliveries before dead-lettering"
    );
    subscriber.stop().await;
}

pub async fn dead_letters_at_once_on_reject(h: &Harness) {
    let queue = h.queue("poison");
    let attempts = Arc::new(AtomicU32::new(0));
    let counter = attempts.clone();
    let rejecting = move |_event: Event| {
        counter.fetch_add(1, Ordering::SeqCst);
        std::future::ready(Err(HandlerError::reject(anyhow::anyhow!(
            "undecodable payload"
        ))))
    };
    let subscriber = h
        .bus
        .subscribe(Subscription::new(&queue, [h.key("poison.v1")]), rejecting)
        .await
        .expect("subscribing");
    let poison = h.event("poison.v1", "x").with_actor("account-7");
    h.bus.publish(&poison).await.expect("publishing");

    assert_eq!(h.wait_dead_letters(&queue).await, vec![poison]);
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
    subscriber.stop().await;
}

/// A handler that panics fails that delivery only: the consumer goes on with the next events,
/// and the panicking one is dead-lettered after its deliveries.
pub async fn survives_a_panicking_handler(h: &Harness) {
    let queue = h.queue("panic");
    let (sender, mut received) = mpsc::unbounded_channel();
    let handler = move |event: Event| {
        let sender = sender.clone();
        async move {
            assert!(
                !event.kind.ends_with("boom.v1"),
                "handler bug (expected by the test)"
            );
            sender.send(event).ok();
            Ok(())
        }
    };
    let subscription = Subscription::new(&queue, [h.key("#")])
        .max_deliveries(2)
        .retry_delay(FAST_RETRY);
    let subscriber = h
        .bus
        .subscribe(subscription, handler)
        .await
        .expect("subscribing");
    let boom = h.event("boom.v1", "x");
    let fine = h.event("fine.v1", "y");
    h.bus.publish(&boom).await.expect("publishing");
    h.bus.publish(&fine).await.expect("publishing");

    assert_eq!(next(&mut received).await, fine);
    assert_eq!(h.wait_dead_letters(&queue).await, vec![boom]);
    subscriber.stop().await;
}

pub async fn inbox_absorbs_a_duplicate_on_sqlite(h: &Harness) {
    let pool = sqlite_pool().await;
    sqlx::raw_sql(inbox::SQLITE_TABLE)
        .execute(&pool)
        .await
        .expect("creating inbox");
    inbox_absorbs_a_duplicate_sqlite(h, pool).await;
}

pub async fn inbox_absorbs_a_duplicate_on_postgres(h: &Harness) {
    let pool = postgres_pool().await;
    sqlx::raw_sql(inbox::POSTGRES_TABLE)
        .execute(&pool)
        .await
        .expect("creating inbox");
    inbox_absorbs_a_duplicate_postgres(h, pool).await;
}

/// The body of a scenario written once for both pool types (sqlx's generic executors need
/// bounds that would drown the scenario), as the catalog's store does.
macro_rules! for_both_pools {
    ($sqlite:ident, $postgres:ident, $body:item) => {
        mod $sqlite {
            #[allow(unused_imports)]
            use super::*;
            #[allow(dead_code)]
            type Pool = SqlitePool;
            $body
        }
        mod $postgres {
            #[allow(unused_imports)]
            use super::*;
            #[allow(dead_code)]
            type Pool = PgPool;
            $body
        }
    };
}

for_both_pools!(
    inbox_sqlite,
    inbox_postgres,
    /// The same event delivered twice (published twice, as the outbox does after a crash between
    /// publishing and marking): the handler runs twice, its effect happens once.
    pub async fn run(h: &Harness, pool: Pool) {
        sqlx::raw_sql("CREATE TABLE effects (event_id TEXT NOT NULL)")
            .execute(&pool)
            .await
            .expect("creating effects");
        let consumer = h.queue("inbox");
        let (done, mut handled) = mpsc::unbounded_channel();
        let handler = {
            let (pool, consumer) = (pool.clone(), consumer.clone());
            move |event: Event| {
                let (pool, consumer, done) = (pool.clone(), consumer.clone(), done.clone());
                async move {
                    let mut tx = pool.begin().await?;
                    let first = inbox::first_delivery(&mut tx, &consumer, event.id).await?;
                    if first {
                        sqlx::query("INSERT INTO effects (event_id) VALUES ($1)")
                            .bind(event.id.to_string())
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    done.send(first).ok();
                    Ok(())
                }
            }
        };
        let subscriber = h
            .bus
            .subscribe(Subscription::new(&consumer, [h.key("dup.v1")]), handler)
            .await
            .expect("subscribing");
        let event = h.event("dup.v1", "x");
        h.bus.publish(&event).await.expect("publishing");
        h.bus.publish(&event).await.expect("publishing again");

        let first = tokio::time::timeout(PATIENCE, handled.recv())
            .await
            .expect("first delivery");
        let second = tokio::time::timeout(PATIENCE, handled.recv())
            .await
            .expect("second delivery");
        assert_eq!((first, second), (Some(true), Some(false)));
        let effects: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM effects")
            .fetch_one(&pool)
            .await
            .expect("counting effects");
        assert_eq!(effects, 1);
        subscriber.stop().await;
    }
);
use inbox_postgres::run as inbox_absorbs_a_duplicate_postgres;
use inbox_sqlite::run as inbox_absorbs_a_duplicate_sqlite;

pub async fn outbox_publishes_committed_events_in_order_on_sqlite(h: &Harness) {
    let pool = sqlite_pool().await;
    sqlx::raw_sql(outbox::SQLITE_TABLE)
        .execute(&pool)
        .await
        .expect("creating outbox");
    outbox_sqlite::run(h, pool).await;
}

pub async fn outbox_publishes_committed_events_in_order_on_postgres(h: &Harness) {
    let pool = postgres_pool().await;
    sqlx::raw_sql(outbox::POSTGRES_TABLE)
        .execute(&pool)
        .await
        .expect("creating outbox");
    outbox_postgres::run(h, pool).await;
}

for_both_pools!(
    outbox_sqlite,
    outbox_postgres,
    /// Committed events are published in order; rolled-back ones never.
    pub async fn run(h: &Harness, pool: Pool) {
        let (handler, mut received) = collector();
        let subscriber = h
            .bus
            .subscribe(Subscription::new(h.queue("outbox"), [h.key("#")]), handler)
            .await
            .expect("subscribing");
        let relay = OutboxRelay::new(pool.clone(), h.bus.clone());
        let notifier = relay.notifier();
        let cancel = CancellationToken::new();
        let running = relay.spawn(cancel.clone());

        let committed: Vec<Event> = (1..=3)
            .map(|n| h.event("thing.changed.v1", &n.to_string()))
            .collect();
        let rolled_back = h.event("thing.changed.v1", "rolled back");
        let later = h.event("thing.deleted.v1", "4");

        let mut tx = pool.begin().await.expect("begin");
        outbox::enqueue(&mut tx, &committed[0])
            .await
            .expect("enqueue");
        outbox::enqueue(&mut tx, &committed[1])
            .await
            .expect("enqueue");
        tx.commit().await.expect("commit");
        notifier.notify_one();
        let mut tx = pool.begin().await.expect("begin");
        outbox::enqueue(&mut tx, &committed[2])
            .await
            .expect("enqueue");
        tx.commit().await.expect("commit");
        let mut tx = pool.begin().await.expect("begin");
        outbox::enqueue(&mut tx, &rolled_back)
            .await
            .expect("enqueue");
        tx.rollback().await.expect("rollback");
        let mut tx = pool.begin().await.expect("begin");
        outbox::enqueue(&mut tx, &later).await.expect("enqueue");
        tx.commit().await.expect("commit");
        notifier.notify_one();

        for event in committed.iter().chain([&later]) {
            assert_eq!(&next(&mut received).await, event);
        }
        nothing_more(&mut received).await;
        let pending: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")
                .fetch_one(&pool)
                .await
                .expect("counting pending rows");
        assert_eq!(pending, 0);
        // An invalid event never reaches the table.
        let mut tx = pool.begin().await.expect("begin");
        assert!(
            outbox::enqueue(&mut tx, &Event::new("bad.#.kind", "id77-test", vec![]))
                .await
                .is_err()
        );
        tx.rollback().await.expect("rollback");

        cancel.cancel();
        running.await.expect("the relay stops on cancel");
        subscriber.stop().await;
    }
);

/// Events written while the broker is down are all delivered, in order, once it is back; a
/// publish during the outage fails fast; the consumer reconnects by itself.
pub async fn outbox_delivers_what_was_written_during_an_outage(h: &Harness) {
    let pool = sqlite_pool().await;
    sqlx::raw_sql(outbox::SQLITE_TABLE)
        .execute(&pool)
        .await
        .expect("creating outbox");
    let (handler, mut received) = collector();
    let subscriber = h
        .bus
        .subscribe(Subscription::new(h.queue("outage"), [h.key("#")]), handler)
        .await
        .expect("subscribing");
    let relay = OutboxRelay::new(pool.clone(), h.bus.clone()).with_config(RelayConfig {
        min_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(500),
        ..RelayConfig::default()
    });
    let notifier = relay.notifier();
    let cancel = CancellationToken::new();
    let running = relay.spawn(cancel.clone());

    let outage = h.outage().await;
    let started = std::time::Instant::now();
    let refused = h.bus.publish(&h.event("direct.v1", "x")).await;
    assert!(
        refused.is_err(),
        "publishing with the broker down must fail"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "publishing with the broker down took {:?}",
        started.elapsed()
    );

    if let Bus::Rabbit(bus) = &h.bus {
        assert!(
            !bus.is_connected().await,
            "the readiness of a bus without broker"
        );
    }

    let events: Vec<Event> = (1..=3)
        .map(|n| h.event("written.during.outage.v1", &n.to_string()))
        .collect();
    for event in &events {
        let mut tx = pool.begin().await.expect("begin");
        outbox::enqueue(&mut tx, event).await.expect("enqueue");
        tx.commit().await.expect("commit");
        notifier.notify_one();
    }
    // The relay tries, fails and backs off meanwhile.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let attempts: i64 = sqlx::query_scalar("SELECT MAX(attempts) FROM outbox")
        .fetch_one(&pool)
        .await
        .expect("reading attempts");
    assert!(attempts >= 1, "the relay did not try during the outage");
    outage.end().await;

    for event in &events {
        assert_eq!(&next(&mut received).await, event);
    }
    nothing_more(&mut received).await;
    if let Bus::Rabbit(bus) = &h.bus {
        assert!(bus.is_connected().await, "the publisher reconnected");
    }
    cancel.cancel();
    running.await.expect("the relay stops on cancel");
    subscriber.stop().await;
}

/// The broker goes away while a handler runs (the case where lapin's own recovery hung): the
/// consumer reconnects by itself, the event whose ack was lost is delivered again, and later
/// events keep coming.
pub async fn consumer_resumes_after_an_outage_during_handling(h: &Harness) {
    let release = Arc::new(tokio::sync::Semaphore::new(0));
    let (started, mut handling) = mpsc::unbounded_channel();
    let (done, mut handled) = mpsc::unbounded_channel();
    let handler = {
        let release = release.clone();
        move |event: Event| {
            let (release, started, done) = (release.clone(), started.clone(), done.clone());
            async move {
                started.send(event.id).ok();
                // Held until the broker is down; the permits stay for the redelivery.
                let _permit = release.acquire().await;
                done.send(event).ok();
                Ok(())
            }
        }
    };
    let subscriber = h
        .bus
        .subscribe(Subscription::new(h.queue("held"), [h.key("#")]), handler)
        .await
        .expect("subscribing");
    let held = h.event("held.v1", "1");
    h.bus.publish(&held).await.expect("publishing");
    let first = tokio::time::timeout(PATIENCE, handling.recv()).await;
    assert_eq!(first.expect("handling started"), Some(held.id));

    let outage = h.outage().await;
    release.add_permits(1000);
    outage.end().await;

    let after = h.event("after.v1", "2");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while let Err(error) = h.bus.publish(&after).await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "publishing after the outage: {error}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut seen = Vec::new();
    while !seen.contains(&after) {
        seen.push(next(&mut handled).await);
    }
    assert!(seen.contains(&held), "the held event was handled: {seen:?}");
    subscriber.stop().await;
}
