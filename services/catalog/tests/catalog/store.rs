//! The store conformance suite: every scenario runs on SQLite and on PostgreSQL.

use chrono::{DateTime, TimeZone as _, Utc};
use id77_catalog::{
    domain::{Offer, OfferCode},
    seed,
    store::{CatalogData, Store},
};

/// Generates, for each scenario, one test on SQLite and one on PostgreSQL.
macro_rules! conformance {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            use crate::support::TestDb;

            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario(TestDb::sqlite_store().await).await;
                }
            )*
        }

        mod postgres {
            use crate::support::TestDb;

            $(
                #[tokio::test]
                #[ignore = "needs PostgreSQL (ID77_TEST_DATABASE_URL); run by cargo xtask test"]
                async fn $scenario() {
                    super::$scenario(TestDb::postgres_store().await).await;
                }
            )*
        }
    };
}

conformance!(
    migrate_is_idempotent,
    an_empty_store_is_seeded_once,
    domains_come_back_in_order_with_their_thematics,
    typologies_come_back_in_order,
    offers_come_back_as_written,
    one_offer_is_found_by_code,
    upsert_updates_a_changed_offer_in_place,
    upsert_writes_all_or_nothing,
    unpublished_offers_are_still_returned,
    ping_answers,
    favourites_are_kept_once_newest_first_and_removed,
    favourites_belong_to_their_account,
);

fn demo() -> CatalogData {
    seed::demo_catalog().expect("the demo catalogue loads")
}

fn code(code: &str) -> OfferCode {
    OfferCode::parse(code).expect("a valid offer code")
}

fn at(seconds: i64, micros: u32) -> DateTime<Utc> {
    Utc.timestamp_opt(seconds, micros * 1000)
        .single()
        .expect("a valid timestamp")
}

/// The demo catalogue with distinct timestamps (with sub-second parts) on every offer.
fn written() -> CatalogData {
    let mut data = demo();
    for (i, offer) in (0_i64..).zip(data.offers.iter_mut()) {
        offer.created_at = at(1_700_000_000 + i * 86_400, 123_456);
        offer.updated_at = at(1_710_000_000 + i * 3_600, 654_321);
    }
    data
}

/// Asserts two offers are equal, their timestamps to the second.
fn assert_same_offer(read: &Offer, written: &Offer) {
    assert_eq!(
        read.created_at.timestamp(),
        written.created_at.timestamp(),
        "{} created_at",
        written.code
    );
    assert_eq!(
        read.updated_at.timestamp(),
        written.updated_at.timestamp(),
        "{} updated_at",
        written.code
    );
    let read = Offer {
        created_at: written.created_at,
        updated_at: written.updated_at,
        ..read.clone()
    };
    assert_eq!(&read, written);
}

async fn migrated(store: &impl Store) {
    store.migrate().await.expect("migrating the store");
}

async fn migrate_is_idempotent(store: impl Store) {
    store.migrate().await.expect("first migration");
    store
        .migrate()
        .await
        .expect("second migration on an up-to-date schema");
    assert_eq!(store.count_offers().await.expect("counting"), 0);
    seed::seed_if_empty(&store).await.expect("seeding");
    store
        .migrate()
        .await
        .expect("migrating a populated database");
    assert_eq!(
        store.count_offers().await.expect("counting"),
        demo().offers.len() as u64
    );
}

async fn an_empty_store_is_seeded_once(store: impl Store) {
    migrated(&store).await;
    assert_eq!(store.count_offers().await.expect("counting"), 0);
    assert!(
        seed::seed_if_empty(&store).await.expect("first seeding"),
        "an empty store is seeded"
    );
    let count = store.count_offers().await.expect("counting");
    assert_eq!(count, demo().offers.len() as u64);
    assert!(
        !seed::seed_if_empty(&store).await.expect("second seeding"),
        "a seeded store is left alone"
    );
    assert_eq!(store.count_offers().await.expect("counting"), count);
}

async fn domains_come_back_in_order_with_their_thematics(store: impl Store) {
    migrated(&store).await;
    assert!(store.domains().await.expect("reading domains").is_empty());
    seed::seed_if_empty(&store).await.expect("seeding");
    let domains = store.domains().await.expect("reading domains");
    assert_eq!(domains, demo().domains);
    assert_eq!(
        domains.first().map(|d| d.label.as_str()),
        Some("Aménagement / Urbanisme")
    );
    assert_eq!(domains.last().map(|d| d.label.as_str()), Some("Tourisme"));
}

async fn typologies_come_back_in_order(store: impl Store) {
    migrated(&store).await;
    seed::seed_if_empty(&store).await.expect("seeding");
    let typologies = store.typologies().await.expect("reading typologies");
    assert_eq!(typologies, demo().typologies);
    let labels: Vec<_> = typologies.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Réservation d'expositions",
            "Action de sensibilisation",
            "Ingénierie de projet"
        ]
    );
}

async fn offers_come_back_as_written(store: impl Store) {
    migrated(&store).await;
    let data = written();
    store.upsert(&data).await.expect("writing the catalogue");
    let offers = store.offers().await.expect("reading offers");
    assert_eq!(offers.len(), data.offers.len());
    for expected in &data.offers {
        let read = offers
            .iter()
            .find(|o| o.code == expected.code)
            .unwrap_or_else(|| panic!("{} is missing", expected.code));
        assert_same_offer(read, expected);
    }
    // Thematics keep the order they were written in, not alphabetical order.
    let o05 = offers
        .iter()
        .find(|o| o.code == code("O05"))
        .expect("O05 is stored");
    assert_eq!(
        o05.thematic_slugs,
        ["revitalisation-centres-bourgs", "amenagement"]
    );
}

async fn one_offer_is_found_by_code(store: impl Store) {
    migrated(&store).await;
    let data = written();
    store.upsert(&data).await.expect("writing the catalogue");
    let expected = data
        .offers
        .iter()
        .find(|o| o.code == code("O34"))
        .expect("O34 in the demo");
    let found = store
        .offer(&code("o34"))
        .await
        .expect("reading O34")
        .expect("O34 is found");
    assert_same_offer(&found, expected);
    assert_eq!(
        store.offer(&code("Z999")).await.expect("reading Z999"),
        None
    );
}

async fn upsert_updates_a_changed_offer_in_place(store: impl Store) {
    migrated(&store).await;
    let data = written();
    store.upsert(&data).await.expect("writing the catalogue");
    let original = data
        .offers
        .iter()
        .find(|o| o.code == code("O34"))
        .expect("O34 in the demo")
        .clone();

    let changed = Offer {
        title: "Biodiversité communale : diagnostic et plan d'actions".into(),
        thematic_slugs: vec![
            "environnement-nature".into(),
            "biodiversite-faune-flore".into(),
        ],
        published: false,
        updated_at: at(1_720_000_000, 500_000),
        ..original.clone()
    };
    store
        .upsert(&CatalogData {
            offers: vec![changed.clone()],
            ..CatalogData::default()
        })
        .await
        .expect("updating O34");
    assert_eq!(
        store.count_offers().await.expect("counting"),
        data.offers.len() as u64
    );
    let read = store
        .offer(&changed.code)
        .await
        .expect("reading O34")
        .expect("O34 is still there");
    assert_same_offer(&read, &changed);
    let all = store.offers().await.expect("reading offers");
    assert_eq!(all.iter().filter(|o| o.code == changed.code).count(), 1);

    // Fewer thematics: the dropped one is gone.
    let narrowed = Offer {
        thematic_slugs: vec!["environnement-nature".into()],
        ..changed
    };
    store
        .upsert(&CatalogData {
            offers: vec![narrowed.clone()],
            ..CatalogData::default()
        })
        .await
        .expect("updating O34 again");
    let read = store
        .offer(&narrowed.code)
        .await
        .expect("reading O34")
        .expect("O34 is still there");
    assert_eq!(read.thematic_slugs, ["environnement-nature"]);

    // Reference lists are updated too.
    let mut domain = data.domains[0].clone();
    domain.label = "Aménagement, urbanisme".into();
    store
        .upsert(&CatalogData {
            domains: vec![domain.clone()],
            ..CatalogData::default()
        })
        .await
        .expect("renaming a domain");
    let domains = store.domains().await.expect("reading domains");
    assert_eq!(domains.len(), data.domains.len());
    assert_eq!(domains[0], domain);
}

async fn upsert_writes_all_or_nothing(store: impl Store) {
    migrated(&store).await;
    let mut data = written();
    let last = data.offers.last_mut().expect("the demo has offers");
    last.domain_slug = "no-such-domain".into();
    assert!(
        store.upsert(&data).await.is_err(),
        "an offer in an unknown domain is refused"
    );
    assert_eq!(
        store.count_offers().await.expect("counting"),
        0,
        "nothing is written"
    );
    assert!(
        store.domains().await.expect("reading domains").is_empty(),
        "nothing is written"
    );
}

async fn unpublished_offers_are_still_returned(store: impl Store) {
    migrated(&store).await;
    let mut data = written();
    let o34 = data
        .offers
        .iter_mut()
        .find(|o| o.code == code("O34"))
        .expect("O34 in the demo");
    o34.published = false;
    let expected = o34.clone();
    store.upsert(&data).await.expect("writing the catalogue");
    assert_eq!(
        store.count_offers().await.expect("counting"),
        data.offers.len() as u64
    );
    let offers = store.offers().await.expect("reading offers");
    let read = offers
        .iter()
        .find(|o| o.code == expected.code)
        .expect("the unpublished offer is listed");
    assert_same_offer(read, &expected);
    let read = store
        .offer(&expected.code)
        .await
        .expect("reading O34")
        .expect("the unpublished offer is found");
    assert!(!read.published);
}

async fn ping_answers(store: impl Store) {
    store.ping().await.expect("pinging an empty database");
    migrated(&store).await;
    store.ping().await.expect("pinging a migrated database");
}

async fn favourites_are_kept_once_newest_first_and_removed(store: impl Store) {
    migrated(&store).await;
    store.upsert(&demo()).await.expect("upsert");
    let account = uuid::Uuid::now_v7();
    assert!(
        store
            .favorites(account)
            .await
            .expect("favorites")
            .is_empty()
    );
    assert!(
        store
            .add_favorite(account, &code("O01"), at(1_700_000_000, 0))
            .await
            .expect("add")
    );
    assert!(
        store
            .add_favorite(account, &code("O34"), at(1_700_000_100, 0))
            .await
            .expect("add")
    );
    // Adding again changes nothing, not even the date.
    assert!(
        !store
            .add_favorite(account, &code("O01"), at(1_800_000_000, 0))
            .await
            .expect("add again")
    );
    let favourites = store.favorites(account).await.expect("favorites");
    let codes: Vec<&str> = favourites.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["O34", "O01"]);
    assert_eq!(favourites[1].added_at.timestamp(), 1_700_000_000);

    assert!(
        store
            .remove_favorite(account, &code("O34"))
            .await
            .expect("remove")
    );
    assert!(
        !store
            .remove_favorite(account, &code("O34"))
            .await
            .expect("remove again")
    );
    let codes: Vec<String> = store
        .favorites(account)
        .await
        .expect("favorites")
        .into_iter()
        .map(|f| f.code.to_string())
        .collect();
    assert_eq!(codes, ["O01"]);
}

async fn favourites_belong_to_their_account(store: impl Store) {
    migrated(&store).await;
    store.upsert(&demo()).await.expect("upsert");
    let (alice, bob) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    store
        .add_favorite(alice, &code("O02"), at(1_700_000_000, 0))
        .await
        .expect("add");
    assert!(store.favorites(bob).await.expect("favorites").is_empty());
    assert!(
        !store
            .remove_favorite(bob, &code("O02"))
            .await
            .expect("remove")
    );
    assert_eq!(store.favorites(alice).await.expect("favorites").len(), 1);
}
