//! The event bus conformance suite: every scenario of `scenarios.rs` runs on the in-memory bus
//! and on RabbitMQ (`ID77_TEST_AMQP_URL`), the SQL ones on SQLite and on PostgreSQL
//! (`ID77_TEST_DATABASE_URL`). The runs that need RabbitMQ or PostgreSQL are ignored by a plain
//! `cargo test` and run by `cargo xtask test`.

mod scenarios;
mod support;

/// One test per scenario and adapter. `shared` scenarios run concurrently with each other;
/// `postgres` ones also need PostgreSQL; `exclusive` ones stop the broker, so on RabbitMQ they
/// wait for the others to finish and keep them waiting.
macro_rules! conformance {
    (
        shared: [$($shared:ident),* $(,)?],
        postgres: [$($postgres:ident),* $(,)?],
        exclusive: [$($exclusive:ident),* $(,)?] $(,)?
    ) => {
        mod memory {
            use crate::{scenarios, support::Harness};
            $(
                #[tokio::test]
                async fn $shared() {
                    scenarios::$shared(&Harness::memory()).await;
                }
            )*
            $(
                #[tokio::test]
                #[ignore = "needs PostgreSQL (ID77_TEST_DATABASE_URL); run by cargo xtask test"]
                async fn $postgres() {
                    scenarios::$postgres(&Harness::memory()).await;
                }
            )*
            $(
                #[tokio::test]
                async fn $exclusive() {
                    scenarios::$exclusive(&Harness::memory()).await;
                }
            )*
        }

        mod rabbitmq {
            use crate::{scenarios, support::Harness};
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs RabbitMQ (ID77_TEST_AMQP_URL); run by cargo xtask test"]
                async fn $shared() {
                    let harness = Harness::rabbit().await;
                    scenarios::$shared(&harness).await;
                    harness.cleanup().await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs RabbitMQ and PostgreSQL; run by cargo xtask test"]
                async fn $postgres() {
                    let harness = Harness::rabbit().await;
                    scenarios::$postgres(&harness).await;
                    harness.cleanup().await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs a RabbitMQ it may stop (ID77_TEST_AMQP_URL); run by cargo xtask test"]
                async fn $exclusive() {
                    let harness = Harness::rabbit_exclusive().await;
                    scenarios::$exclusive(&harness).await;
                    harness.cleanup().await;
                }
            )*
        }
    };
}

conformance! {
    shared: [
        delivers_to_bound_queues_only,
        binds_star_and_hash_patterns,
        publish_returns_once_the_broker_has_the_event,
        redelivers_when_a_consumer_dies_before_acknowledging,
        dead_letters_after_max_deliveries,
        dead_letters_at_once_on_reject,
        survives_a_panicking_handler,
        inbox_absorbs_a_duplicate_on_sqlite,
        outbox_publishes_committed_events_in_order_on_sqlite,
    ],
    postgres: [
        inbox_absorbs_a_duplicate_on_postgres,
        outbox_publishes_committed_events_in_order_on_postgres,
    ],
    exclusive: [
        outbox_delivers_what_was_written_during_an_outage,
        consumer_resumes_after_an_outage_during_handling,
    ],
}
