//! The gRPC API, served in-process on a random port over a fresh database.

use std::collections::HashSet;

use id77_catalog::{
    domain::Offer,
    seed,
    store::{CatalogData, SqliteStore, Store},
};
use id77_proto::catalog::v1::{
    GetOfferRequest, ListDomainsRequest, ListTypologiesRequest, OfferSummary, SearchOffersRequest,
    SearchOffersResponse, SortOrder, catalog_service_client::CatalogServiceClient,
};
use tokio_stream::StreamExt as _;
use tonic::{Code, Status, transport::Channel};
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};
use tonic_reflection::pb::v1::{
    ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
    server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
};

use crate::support::{TestDb, spawn_catalog};

const SERVICE: &str = "id77.catalog.v1.CatalogService";

/// The ten domains of the reference, in the order of the domain bar.
const DOMAINS: [&str; 10] = [
    "Aménagement / Urbanisme",
    "Équipements / Espace public",
    "Mobilités / Voirie",
    "Environnement / Paysage",
    "Climat / Énergie",
    "Eau / Assainissement",
    "Culture / Patrimoine / Archives",
    "Insertion / Emploi",
    "Stratégie territoriale",
    "Tourisme",
];

fn demo() -> CatalogData {
    seed::demo_catalog().expect("the demo catalogue loads")
}

fn demo_offer(code: &str) -> Offer {
    demo()
        .offers
        .into_iter()
        .find(|o| o.code.as_str() == code)
        .unwrap_or_else(|| panic!("{code} is in the demo catalogue"))
}

/// A catalog service over a fresh SQLite file with the demo catalogue.
async fn demo_catalog() -> CatalogServiceClient<Channel> {
    spawn_catalog(&TestDb::sqlite_url(), true).await.1
}

async fn search(
    client: &mut CatalogServiceClient<Channel>,
    request: SearchOffersRequest,
) -> SearchOffersResponse {
    client
        .search_offers(request.clone())
        .await
        .unwrap_or_else(|status| panic!("searching {request:?}: {status:?}"))
        .into_inner()
}

async fn search_error(
    client: &mut CatalogServiceClient<Channel>,
    request: SearchOffersRequest,
) -> Status {
    match client.search_offers(request.clone()).await {
        Ok(response) => panic!(
            "{request:?} should be refused, got {:?}",
            response.into_inner()
        ),
        Err(status) => status,
    }
}

/// Every result of a search, on one page.
async fn search_all(
    client: &mut CatalogServiceClient<Channel>,
    request: SearchOffersRequest,
) -> SearchOffersResponse {
    let response = search(
        client,
        SearchOffersRequest {
            per_page: 100,
            ..request
        },
    )
    .await;
    assert_eq!(
        response.offers.len() as u32,
        response.total,
        "one page holds every result"
    );
    response
}

async fn query(client: &mut CatalogServiceClient<Channel>, text: &str) -> Vec<String> {
    codes(
        &search_all(
            client,
            SearchOffersRequest {
                query: text.into(),
                ..Default::default()
            },
        )
        .await,
    )
}

async fn channel(address: String) -> Channel {
    Channel::from_shared(address)
        .expect("a valid address")
        .connect()
        .await
        .expect("connecting to the catalog service")
}

fn codes(response: &SearchOffersResponse) -> Vec<String> {
    response.offers.iter().map(|o| o.code.clone()).collect()
}

fn domain_slug(offer: &OfferSummary) -> &str {
    &offer.domain_slug
}

fn facet(counts: &[id77_proto::catalog::v1::FacetCount], slug: &str) -> u32 {
    counts
        .iter()
        .find(|c| c.slug == slug)
        .unwrap_or_else(|| panic!("no facet count for {slug}"))
        .count
}

fn violation_fields(status: &Status) -> Vec<String> {
    id77_kit::violations::field_violations(status)
        .into_iter()
        .map(|v| v.field)
        .collect()
}

fn assert_invalid(status: &Status, field: &str) {
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert_eq!(violation_fields(status), [field], "{status:?}");
}

/// Lower case without accents, written independently of the service's own folding.
fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' => "a".to_owned(),
            'é' | 'è' | 'ê' | 'ë' => "e".to_owned(),
            'î' | 'ï' => "i".to_owned(),
            'ô' | 'ö' => "o".to_owned(),
            'ù' | 'û' | 'ü' => "u".to_owned(),
            'ç' => "c".to_owned(),
            'œ' => "oe".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// Offer codes in catalogue order: letter first, then the number as a number.
fn code_key(code: &str) -> (char, u32) {
    let mut chars = code.chars();
    let letter = chars.next().expect("a code has a letter");
    (letter, chars.as_str().parse().expect("a code has a number"))
}

#[tokio::test]
async fn lists_the_ten_domains_in_order_with_their_thematics() {
    let mut client = demo_catalog().await;
    let domains = client
        .list_domains(ListDomainsRequest {})
        .await
        .expect("listing domains")
        .into_inner()
        .domains;
    let labels: Vec<_> = domains.iter().map(|d| d.label.as_str()).collect();
    assert_eq!(labels, DOMAINS);
    for (previous, next) in domains.iter().zip(domains.iter().skip(1)) {
        assert!(
            previous.position < next.position,
            "{} before {}",
            previous.slug,
            next.slug
        );
    }
    let expected = demo().domains;
    for (domain, expected) in domains.iter().zip(&expected) {
        assert!(
            domain.thematics.len() >= 3,
            "{} has {} thematics",
            domain.slug,
            domain.thematics.len()
        );
        assert!(!domain.icon.is_empty(), "{} has no icon", domain.slug);
        let thematics: Vec<_> = domain.thematics.iter().map(|t| t.slug.as_str()).collect();
        let expected: Vec<_> = expected.thematics.iter().map(|t| t.slug.as_str()).collect();
        assert_eq!(thematics, expected, "thematics of {} in order", domain.slug);
        assert!(
            domain
                .thematics
                .iter()
                .all(|t| t.domain_slug == domain.slug && !t.label.is_empty())
        );
    }
}

#[tokio::test]
async fn lists_the_three_typologies() {
    let mut client = demo_catalog().await;
    let typologies = client
        .list_typologies(ListTypologiesRequest {})
        .await
        .expect("listing typologies")
        .into_inner()
        .typologies;
    let typologies: Vec<_> = typologies
        .iter()
        .map(|t| (t.slug.as_str(), t.label.as_str()))
        .collect();
    assert_eq!(
        typologies,
        [
            ("reservation-expositions", "Réservation d'expositions"),
            ("action-sensibilisation", "Action de sensibilisation"),
            ("ingenierie-projet", "Ingénierie de projet"),
        ]
    );
}

#[tokio::test]
async fn a_search_without_filters_pages_every_offer_in_code_order() {
    let mut client = demo_catalog().await;
    let demo = demo();
    let response = search(&mut client, SearchOffersRequest::default()).await;
    assert_eq!(response.total as usize, demo.offers.len());
    assert_eq!((response.page, response.per_page), (1, 20));
    assert_eq!(response.offers.len(), 20);

    let all = codes(&search_all(&mut client, SearchOffersRequest::default()).await);
    let mut expected: Vec<_> = demo.offers.iter().map(|o| o.code.to_string()).collect();
    expected.sort_by_key(|c| code_key(c));
    assert_eq!(all, expected);
    assert_eq!(codes(&response), expected[..20]);
    let o_codes: Vec<_> = all.iter().filter(|c| c.starts_with('O')).collect();
    assert_eq!(o_codes.first().map(|c| c.as_str()), Some("O01"));
    assert_eq!(o_codes.get(1).map(|c| c.as_str()), Some("O02"));
}

#[tokio::test]
async fn facet_counts_add_up_to_the_total() {
    let mut client = demo_catalog().await;
    let demo = demo();
    let response = search(&mut client, SearchOffersRequest::default()).await;
    let domain_slugs: Vec<_> = response
        .domain_counts
        .iter()
        .map(|c| c.slug.as_str())
        .collect();
    let expected: Vec<_> = demo.domains.iter().map(|d| d.slug.as_str()).collect();
    assert_eq!(domain_slugs, expected, "one count per domain, in order");
    assert_eq!(
        response.domain_counts.iter().map(|c| c.count).sum::<u32>(),
        response.total
    );
    assert_eq!(response.typology_counts.len(), demo.typologies.len());
    assert_eq!(
        response
            .typology_counts
            .iter()
            .map(|c| c.count)
            .sum::<u32>(),
        response.total
    );
    for domain in &demo.domains {
        let in_domain = demo
            .offers
            .iter()
            .filter(|o| o.domain_slug == domain.slug)
            .count();
        assert_eq!(
            facet(&response.domain_counts, &domain.slug) as usize,
            in_domain,
            "{}",
            domain.slug
        );
    }
}

#[tokio::test]
async fn the_code_filter_ignores_case() {
    let mut client = demo_catalog().await;
    let response = search(
        &mut client,
        SearchOffersRequest {
            code: "o34".into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(codes(&response), ["O34"]);
    assert_eq!(response.total, 1);
    // Exact, not a prefix: O3 is no offer, although O34 and O36 exist.
    let response = search(
        &mut client,
        SearchOffersRequest {
            code: "O3".into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        (response.total, response.offers.len()),
        (0, 0),
        "{:?}",
        codes(&response)
    );
}

#[tokio::test]
async fn a_query_ignores_plurals_and_accents() {
    let mut client = demo_catalog().await;
    let response = search_all(
        &mut client,
        SearchOffersRequest {
            query: "amenagements".into(),
            ..Default::default()
        },
    )
    .await;
    let found: HashSet<_> = codes(&response).into_iter().collect();
    let in_title: Vec<_> = demo()
        .offers
        .iter()
        .filter(|o| fold(&o.title).contains("amenagement"))
        .map(|o| o.code.to_string())
        .collect();
    assert!(
        in_title.len() >= 3,
        "the demo has offers titled Aménagement: {in_title:?}"
    );
    for code in &in_title {
        assert!(
            found.contains(code),
            "{code} has Aménagement in its title but was not found"
        );
    }
    let first = response.offers.first().expect("results");
    assert!(
        fold(&first.title).contains("amenagement"),
        "first result {}: {}",
        first.code,
        first.title
    );
}

#[tokio::test]
async fn a_plural_finds_the_singular() {
    let mut client = demo_catalog().await;
    // "locaux" is two edits away from "local": only the plural rule brings them together.
    let plural = query(&mut client, "locaux").await;
    for code in ["O63", "O73"] {
        assert!(
            plural.iter().any(|c| c == code),
            "{code} says local: {plural:?}"
        );
    }
    assert_eq!(query(&mut client, "local").await, plural);
    assert_eq!(
        query(&mut client, "Aménagements").await,
        query(&mut client, "amenagement").await
    );
}

#[tokio::test]
async fn a_query_forgives_one_typo_in_a_long_word() {
    let mut client = demo_catalog().await;
    let found = query(&mut client, "biodiversiter").await;
    assert!(found.iter().any(|c| c == "O34"), "{found:?}");
}

#[tokio::test]
async fn a_query_ignores_case_and_accents() {
    let mut client = demo_catalog().await;
    let plain = query(&mut client, "biodiversite").await;
    assert!(plain.iter().any(|c| c == "O34"), "{plain:?}");
    assert_eq!(query(&mut client, "BIODIVERSITÉ").await, plain);
    assert_eq!(query(&mut client, "Biodiversité").await, plain);
}

#[tokio::test]
async fn a_query_of_two_words_requires_both() {
    let mut client = demo_catalog().await;
    let both = query(&mut client, "exposition biodiversité").await;
    let exposition: HashSet<_> = query(&mut client, "exposition").await.into_iter().collect();
    let biodiversite: HashSet<_> = query(&mut client, "biodiversité")
        .await
        .into_iter()
        .collect();
    assert!(both.iter().any(|c| c == "F131"), "{both:?}");
    assert!(
        !both.iter().any(|c| c == "O34"),
        "O34 has no exposition: {both:?}"
    );
    assert!(
        !both.iter().any(|c| c == "F135"),
        "F135 has no biodiversité: {both:?}"
    );
    for code in &both {
        assert!(
            exposition.contains(code) && biodiversite.contains(code),
            "{code} matches one word only"
        );
    }
    assert!(both.len() < exposition.len() && both.len() < biodiversite.len());
}

/// Asserts every result with `word` (folded) in its title ranks before every result without.
fn assert_title_matches_first(response: &SearchOffersResponse, word: &str) {
    let in_title: Vec<bool> = response
        .offers
        .iter()
        .map(|o| fold(&o.title).contains(word))
        .collect();
    let titled = in_title.iter().filter(|&&t| t).count();
    assert!(titled >= 2, "{word}: {:?}", codes(response));
    assert!(
        titled < in_title.len(),
        "{word} is also found outside titles: {:?}",
        codes(response)
    );
    assert!(
        in_title[..titled].iter().all(|&t| t),
        "title matches of {word} come first: {:?}",
        codes(response)
    );
}

#[tokio::test]
async fn a_title_match_ranks_before_a_description_match() {
    let mut client = demo_catalog().await;
    let response = search_all(
        &mut client,
        SearchOffersRequest {
            query: "biodiversité".into(),
            ..Default::default()
        },
    )
    .await;
    let found = codes(&response);
    assert_eq!(found.first().map(String::as_str), Some("O34"), "{found:?}");
    // O55 mentions biodiversité in its description only.
    assert!(
        found.iter().any(|c| c == "O55"),
        "O55 is found by its description: {found:?}"
    );
    assert_title_matches_first(&response, "biodiversite");

    // O53 has "bâtiments" in its title only; O52 in its summary and description only.
    let response = search_all(
        &mut client,
        SearchOffersRequest {
            query: "bâtiments".into(),
            ..Default::default()
        },
    )
    .await;
    let found = codes(&response);
    let rank = |code: &str| found.iter().position(|c| c == code);
    let (o53, o52) = (
        rank("O53").expect("O53 is found"),
        rank("O52").expect("O52 is found"),
    );
    assert!(o53 < o52, "{found:?}");
    assert_title_matches_first(&response, "batiment");
}

#[tokio::test]
async fn the_domain_filter_keeps_the_chosen_domains() {
    let mut client = demo_catalog().await;
    let chosen = ["environnement-paysage", "tourisme"];
    let unfiltered = search(&mut client, SearchOffersRequest::default()).await;
    let response = search_all(
        &mut client,
        SearchOffersRequest {
            domains: chosen.map(String::from).to_vec(),
            ..Default::default()
        },
    )
    .await;
    assert!(
        response
            .offers
            .iter()
            .all(|o| chosen.contains(&domain_slug(o))),
        "{:?}",
        codes(&response)
    );
    let sum: u32 = chosen
        .iter()
        .map(|slug| facet(&response.domain_counts, slug))
        .sum();
    assert_eq!(response.total, sum);
    let expected = demo()
        .offers
        .iter()
        .filter(|o| chosen.contains(&o.domain_slug.as_str()))
        .count();
    assert_eq!(response.total as usize, expected);
    // The domain filter is left out of the domain counts.
    assert_eq!(response.domain_counts, unfiltered.domain_counts);
}

#[tokio::test]
async fn a_thematic_filter_narrows_its_own_domain() {
    let mut client = demo_catalog().await;
    let demo = demo();
    let thematic = "biodiversite-faune-flore";
    let response = search_all(
        &mut client,
        SearchOffersRequest {
            thematics: vec![thematic.into()],
            ..Default::default()
        },
    )
    .await;
    let mut expected: Vec<_> = demo
        .offers
        .iter()
        .filter(|o| o.thematic_slugs.iter().any(|t| t == thematic))
        .map(|o| o.code.to_string())
        .collect();
    expected.sort_by_key(|c| code_key(c));
    assert_eq!(codes(&response), expected);
    assert!(
        response
            .offers
            .iter()
            .all(|o| o.thematic_slugs.iter().any(|t| t == thematic))
    );
    let in_domain = demo
        .offers
        .iter()
        .filter(|o| o.domain_slug == "environnement-paysage")
        .count();
    assert!((response.total as usize) < in_domain);

    // With a second domain chosen, only the thematic's own domain is narrowed.
    let response = search_all(
        &mut client,
        SearchOffersRequest {
            domains: vec!["environnement-paysage".into(), "tourisme".into()],
            thematics: vec![thematic.into()],
            ..Default::default()
        },
    )
    .await;
    let tourism = demo
        .offers
        .iter()
        .filter(|o| o.domain_slug == "tourisme")
        .count();
    assert_eq!(
        response.total as usize,
        expected.len() + tourism,
        "{:?}",
        codes(&response)
    );
    assert!(response.offers.iter().all(|o| domain_slug(o) == "tourisme"
        || o.thematic_slugs.iter().any(|t| t == thematic)));
}

#[tokio::test]
async fn the_typology_filter_keeps_the_chosen_typology() {
    let mut client = demo_catalog().await;
    let unfiltered = search(&mut client, SearchOffersRequest::default()).await;
    let response = search_all(
        &mut client,
        SearchOffersRequest {
            typologies: vec!["reservation-expositions".into()],
            ..Default::default()
        },
    )
    .await;
    assert!(response.total > 0);
    assert!(
        response
            .offers
            .iter()
            .all(|o| o.typology_slug == "reservation-expositions"),
        "{:?}",
        codes(&response)
    );
    assert_eq!(
        response.total,
        facet(&unfiltered.typology_counts, "reservation-expositions")
    );
    assert!(response.total < unfiltered.total);
    // The typology filter is left out of the typology counts.
    assert_eq!(response.typology_counts, unfiltered.typology_counts);
}

#[tokio::test]
async fn sorting_by_title_ignores_accents() {
    let mut client = demo_catalog().await;
    let response = search_all(
        &mut client,
        SearchOffersRequest {
            sort: SortOrder::Title.into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(response.total as usize, demo().offers.len());
    let titles: Vec<_> = response.offers.iter().map(|o| o.title.as_str()).collect();
    for (previous, next) in titles.iter().zip(titles.iter().skip(1)) {
        assert!(
            fold(previous) <= fold(next),
            "{previous:?} sorted before {next:?}"
        );
    }
    let etude = titles
        .iter()
        .position(|t| t.starts_with("Étude"))
        .expect("a title starts with Étude");
    let exposition = titles
        .iter()
        .position(|t| t.starts_with("Exposition"))
        .expect("exhibitions");
    assert!(
        etude < exposition,
        "Étude sorts among the E, before Exposition"
    );
}

#[tokio::test]
async fn pages_slice_the_results() {
    let mut client = demo_catalog().await;
    let all = codes(&search_all(&mut client, SearchOffersRequest::default()).await);
    let page = search(
        &mut client,
        SearchOffersRequest {
            page: 2,
            per_page: 5,
            ..Default::default()
        },
    )
    .await;
    assert_eq!((page.page, page.per_page), (2, 5));
    assert_eq!(page.total as usize, all.len());
    assert_eq!(codes(&page), all[5..10]);
}

#[tokio::test]
async fn a_page_beyond_the_end_is_empty() {
    let mut client = demo_catalog().await;
    let response = search(
        &mut client,
        SearchOffersRequest {
            page: 100,
            per_page: 20,
            ..Default::default()
        },
    )
    .await;
    assert!(response.offers.is_empty());
    assert_eq!(response.total as usize, demo().offers.len());
    assert_eq!(response.page, 100);
}

#[tokio::test]
async fn more_than_a_hundred_per_page_is_refused() {
    let mut client = demo_catalog().await;
    let ok = search(
        &mut client,
        SearchOffersRequest {
            per_page: 100,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(ok.per_page, 100);
    let status = search_error(
        &mut client,
        SearchOffersRequest {
            per_page: 101,
            ..Default::default()
        },
    )
    .await;
    assert_invalid(&status, "per_page");
}

#[tokio::test]
async fn an_overlong_query_is_refused() {
    let mut client = demo_catalog().await;
    let status = search_error(
        &mut client,
        SearchOffersRequest {
            query: "a".repeat(10_000),
            ..Default::default()
        },
    )
    .await;
    assert_invalid(&status, "query");
}

#[tokio::test]
async fn unknown_slugs_are_refused() {
    let mut client = demo_catalog().await;
    let status = search_error(
        &mut client,
        SearchOffersRequest {
            domains: vec!["tourisme".into(), "astronautique".into()],
            ..Default::default()
        },
    )
    .await;
    assert_invalid(&status, "domains");
    let status = search_error(
        &mut client,
        SearchOffersRequest {
            thematics: vec!["inconnue".into()],
            ..Default::default()
        },
    )
    .await;
    assert_invalid(&status, "thematics");
    let status = search_error(
        &mut client,
        SearchOffersRequest {
            typologies: vec!["inconnue".into()],
            ..Default::default()
        },
    )
    .await;
    assert_invalid(&status, "typologies");
}

#[tokio::test]
async fn an_unknown_sort_order_is_refused() {
    let mut client = demo_catalog().await;
    let status = search_error(
        &mut client,
        SearchOffersRequest {
            sort: 99,
            ..Default::default()
        },
    )
    .await;
    assert_invalid(&status, "sort");
}

#[tokio::test]
async fn get_offer_finds_an_offer_by_code_in_any_case() {
    let mut client = demo_catalog().await;
    let offer = client
        .get_offer(GetOfferRequest { code: "o01".into() })
        .await
        .expect("getting O01")
        .into_inner()
        .offer
        .expect("the response holds the offer");
    let expected = demo_offer("O01");
    assert_eq!(offer.code, "O01");
    assert_eq!(offer.title, "Réalisation d'un diagnostic territorial");
    let domain = offer.domain.expect("O01 has a domain");
    assert_eq!(
        (domain.slug.as_str(), domain.label.as_str()),
        ("amenagement-urbanisme", "Aménagement / Urbanisme")
    );
    let typology = offer.typology.expect("O01 has a typology");
    assert_eq!(
        (typology.slug.as_str(), typology.label.as_str()),
        ("ingenierie-projet", "Ingénierie de projet")
    );
    assert_eq!(offer.lead_service, "ID77-DADT-PROTER");
    assert_eq!(offer.lead_service, expected.lead_service);
    assert_eq!(offer.lead_contact, expected.lead_contact);
    assert_eq!(offer.summary, expected.summary);
    assert_eq!(offer.description, expected.description);
    assert_eq!(offer.practical_info, expected.practical_info);
    assert_eq!(offer.unique, expected.unique);
    let thematics: Vec<_> = offer.thematics.iter().map(|t| t.slug.as_str()).collect();
    assert_eq!(thematics, expected.thematic_slugs);
    assert!(offer.created_at.is_some_and(|t| t.seconds > 0));
    assert!(offer.updated_at.is_some_and(|t| t.seconds > 0));
}

#[tokio::test]
async fn an_offers_thematics_keep_their_order() {
    let mut client = demo_catalog().await;
    let expected = demo_offer("O05").thematic_slugs;
    assert_eq!(
        expected,
        ["revitalisation-centres-bourgs", "amenagement"],
        "not in domain order"
    );
    let offer = client
        .get_offer(GetOfferRequest { code: "O05".into() })
        .await
        .expect("getting O05")
        .into_inner()
        .offer
        .expect("the response holds the offer");
    let thematics: Vec<_> = offer.thematics.iter().map(|t| t.slug.as_str()).collect();
    assert_eq!(thematics, expected);
    let response = search(
        &mut client,
        SearchOffersRequest {
            code: "O05".into(),
            ..Default::default()
        },
    )
    .await;
    let summary = response.offers.first().expect("O05 is found");
    assert_eq!(summary.thematic_slugs, expected);
    let references = response.references.expect("a page carries its references");
    assert!(summary.thematic_slugs.iter().all(|slug| {
        references
            .thematic(slug)
            .is_some_and(|t| !t.label.is_empty())
    }));
}

/// A page names each domain, thematic and typology its offers refer to once, with its label, and
/// nothing else.
#[tokio::test]
async fn a_page_carries_the_references_of_its_offers_once_each() {
    let mut client = demo_catalog().await;
    let response = search(
        &mut client,
        SearchOffersRequest {
            per_page: 100,
            ..Default::default()
        },
    )
    .await;
    let references = response.references.expect("a page carries its references");
    let mut domains: Vec<&str> = Vec::new();
    let mut thematics: Vec<&str> = Vec::new();
    let mut typologies: Vec<&str> = Vec::new();
    for offer in &response.offers {
        if !domains.contains(&offer.domain_slug.as_str()) {
            domains.push(&offer.domain_slug);
        }
        for slug in &offer.thematic_slugs {
            if !thematics.contains(&slug.as_str()) {
                thematics.push(slug);
            }
        }
        if !typologies.contains(&offer.typology_slug.as_str()) {
            typologies.push(&offer.typology_slug);
        }
    }
    let slugs = |labelled: Vec<(&str, &str)>| -> Vec<String> {
        assert!(labelled.iter().all(|(_, label)| !label.is_empty()));
        labelled
            .into_iter()
            .map(|(slug, _)| slug.to_owned())
            .collect()
    };
    assert_eq!(
        slugs(
            references
                .domains
                .iter()
                .map(|d| (d.slug.as_str(), d.label.as_str()))
                .collect()
        ),
        domains
    );
    assert_eq!(
        slugs(
            references
                .thematics
                .iter()
                .map(|t| (t.slug.as_str(), t.label.as_str()))
                .collect()
        ),
        thematics
    );
    assert_eq!(
        slugs(
            references
                .typologies
                .iter()
                .map(|t| (t.slug.as_str(), t.label.as_str()))
                .collect()
        ),
        typologies
    );
    assert!(references.domains.iter().all(|d| d.thematics.is_empty()));
}

#[tokio::test]
async fn get_offer_says_not_found_for_an_unknown_code() {
    let mut client = demo_catalog().await;
    let status = client
        .get_offer(GetOfferRequest {
            code: "Z999".into(),
        })
        .await
        .expect_err("Z999 does not exist");
    assert_eq!(status.code(), Code::NotFound, "{status:?}");
}

#[tokio::test]
async fn get_offer_refuses_a_malformed_code() {
    let mut client = demo_catalog().await;
    let status = client
        .get_offer(GetOfferRequest {
            code: "bad code!".into(),
        })
        .await
        .expect_err("a malformed code");
    assert_invalid(&status, "code");
}

#[tokio::test]
async fn unpublished_offers_are_not_served() {
    let url = TestDb::sqlite_url();
    let store = SqliteStore::new(
        id77_kit::db::open_sqlite(&url)
            .await
            .expect("opening the SQLite file"),
    );
    store.migrate().await.expect("migrating");
    let mut data = demo();
    let o34 = data
        .offers
        .iter_mut()
        .find(|o| o.code.as_str() == "O34")
        .expect("O34 in the demo");
    o34.published = false;
    store.upsert(&data).await.expect("writing the catalogue");
    drop(store);

    let (_, mut client) = spawn_catalog(&url, true).await;
    let status = client
        .get_offer(GetOfferRequest { code: "O34".into() })
        .await
        .expect_err("O34 is unpublished");
    assert_eq!(status.code(), Code::NotFound, "{status:?}");
    let all = search(&mut client, SearchOffersRequest::default()).await;
    assert_eq!(all.total as usize, data.offers.len() - 1);
    let found = query(&mut client, "biodiversité").await;
    assert!(!found.iter().any(|c| c == "O34"), "{found:?}");
    let by_code = search(
        &mut client,
        SearchOffersRequest {
            code: "O34".into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!((by_code.total, by_code.offers.len()), (0, 0));
}

#[tokio::test]
async fn without_the_demo_seed_the_catalogue_is_empty() {
    let (_, mut client) = spawn_catalog(&TestDb::sqlite_url(), false).await;
    let domains = client
        .list_domains(ListDomainsRequest {})
        .await
        .expect("listing domains")
        .into_inner();
    assert!(domains.domains.is_empty());
    let response = search(&mut client, SearchOffersRequest::default()).await;
    assert_eq!(response.total, 0);
    assert!(response.offers.is_empty());
}

#[tokio::test]
async fn the_health_service_reports_the_catalog_serving() {
    let (address, _) = spawn_catalog(&TestDb::sqlite_url(), true).await;
    let mut health = HealthClient::new(channel(address).await);
    let response = health
        .check(HealthCheckRequest {
            service: SERVICE.into(),
        })
        .await
        .expect("checking the catalog's health")
        .into_inner();
    assert_eq!(response.status(), ServingStatus::Serving);
    let status = health
        .check(HealthCheckRequest {
            service: "id77.nothing.v1.Nothing".into(),
        })
        .await
        .expect_err("an unknown service has no health");
    assert_eq!(status.code(), Code::NotFound);
}

#[tokio::test]
async fn reflection_lists_the_catalog_service() {
    let (address, _) = spawn_catalog(&TestDb::sqlite_url(), true).await;
    let mut reflection = ServerReflectionClient::new(channel(address).await);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = reflection
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("opening the reflection stream")
        .into_inner();
    let response = responses
        .next()
        .await
        .expect("a reflection response")
        .expect("listing services");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected reflection response: {response:?}");
    };
    let names: Vec<_> = list.service.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&SERVICE), "{names:?}");
    assert!(names.contains(&"grpc.health.v1.Health"), "{names:?}");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (ID77_TEST_DATABASE_URL); run by cargo xtask test"]
async fn serves_the_demo_catalogue_from_postgres() {
    let url = TestDb::postgres_url().await;
    let (_, mut client) = spawn_catalog(&url, true).await;
    let domains = client
        .list_domains(ListDomainsRequest {})
        .await
        .expect("listing domains")
        .into_inner()
        .domains;
    let labels: Vec<_> = domains.iter().map(|d| d.label.as_str()).collect();
    assert_eq!(labels, DOMAINS);
    let response = search(&mut client, SearchOffersRequest::default()).await;
    assert_eq!(response.total as usize, demo().offers.len());
    let found = query(&mut client, "biodiversiter").await;
    assert_eq!(found.first().map(String::as_str), Some("O34"), "{found:?}");
    let offer = client
        .get_offer(GetOfferRequest { code: "o01".into() })
        .await
        .expect("getting O01")
        .into_inner()
        .offer
        .expect("the response holds the offer");
    assert_eq!(offer.title, "Réalisation d'un diagnostic territorial");
}
