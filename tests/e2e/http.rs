//! The all-in-one app over HTTP: JSON API, OpenAPI, web pages, errors and headers.

use crate::support::{get_with, spawn_app};

#[tokio::test]
async fn the_api_lists_the_ten_domains_in_order_and_the_three_typologies() {
    let app = spawn_app().await;
    let domains = app.get("/api/v1/domains").await.json();
    let labels: Vec<&str> = domains
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
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
        ]
    );
    assert!(
        domains
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["thematics"].as_array().unwrap().len() >= 3)
    );
    let typologies = app.get("/api/v1/typologies").await.json();
    let labels: Vec<&str> = typologies
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "Réservation d'expositions",
            "Action de sensibilisation",
            "Ingénierie de projet"
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn searching_offers_filters_ranks_pages_and_counts() {
    let app = spawn_app().await;
    let all = app.get("/api/v1/offers").await.json();
    let total = all["total"].as_u64().unwrap();
    assert!(
        total >= 60,
        "the demo catalogue has at least 60 offers, got {total}"
    );
    assert_eq!(all["page"], 1);
    assert_eq!(all["per_page"], 20);
    // Sorted by code: letter, then number (F112 < O01 < O02 < O10 < R02).
    let codes: Vec<&str> = all["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    let key = |code: &str| (code[..1].to_owned(), code[1..].parse::<u32>().unwrap());
    assert!(codes.windows(2).all(|w| key(w[0]) < key(w[1])), "{codes:?}");
    let domain_sum: u64 = all["domain_counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(domain_sum, total);

    // Plural without accents finds "Aménagement" in titles, ranked first.
    let found = app.get("/api/v1/offers?q=amenagements").await.json();
    assert!(found["total"].as_u64().unwrap() >= 2);
    assert!(
        found["offers"][0]["title"]
            .as_str()
            .unwrap()
            .contains("ménagement")
    );

    // One typo, combined with a domain filter.
    let found = app
        .get("/api/v1/offers?q=biodiversiter&domain=environnement-paysage")
        .await
        .json();
    assert_eq!(found["offers"][0]["code"], "O34");
    assert!(
        found["offers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["domain"]["slug"] == "environnement-paysage")
    );

    // Code filter is exact and case-insensitive.
    let found = app.get("/api/v1/offers?code=o69").await.json();
    assert_eq!(found["total"], 1);
    assert_eq!(found["offers"][0]["code"], "O69");

    // Two domains: only theirs, and the facet counts add up.
    let found = app
        .get("/api/v1/offers?domain=tourisme&domain=eau-assainissement&per_page=100")
        .await
        .json();
    let offers = found["offers"].as_array().unwrap();
    assert!(offers.iter().all(|o| {
        ["tourisme", "eau-assainissement"].contains(&o["domain"]["slug"].as_str().unwrap())
    }));
    let count = |slug: &str| {
        found["domain_counts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["slug"] == slug)
            .unwrap()["count"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        found["total"].as_u64().unwrap(),
        count("tourisme") + count("eau-assainissement")
    );
    assert_eq!(offers.len() as u64, found["total"].as_u64().unwrap());

    // Pages do not overlap and the last one is short.
    let first = app.get("/api/v1/offers?per_page=50").await.json();
    let second = app.get("/api/v1/offers?per_page=50&page=2").await.json();
    assert_eq!(first["offers"].as_array().unwrap().len(), 50);
    assert_eq!(
        second["offers"].as_array().unwrap().len() as u64,
        total - 50
    );
    assert_ne!(first["offers"][0]["code"], second["offers"][0]["code"]);

    // Sorted by title.
    let by_title = app
        .get("/api/v1/offers?sort=title&typology=reservation-expositions")
        .await
        .json();
    assert!(
        by_title["offers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["typology"]["slug"] == "reservation-expositions")
    );
    app.stop().await;
}

#[tokio::test]
async fn one_offer_by_code_and_a_problem_for_an_unknown_one() {
    let app = spawn_app().await;
    let offer = app.get("/api/v1/offers/o01").await;
    assert_eq!(offer.status, 200);
    let offer = offer.json();
    assert_eq!(offer["code"], "O01");
    assert_eq!(offer["title"], "Réalisation d'un diagnostic territorial");
    assert!(!offer["description"].as_str().unwrap().is_empty());
    assert!(offer["lead_service"].as_str().unwrap().starts_with("ID77-"));

    let missing = app.get("/api/v1/offers/Z999").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("content-type"), "application/problem+json");
    assert_eq!(missing.json()["status"], 404);
    assert!(missing.json()["detail"].as_str().unwrap().contains("Z999"));
    app.stop().await;
}

#[tokio::test]
async fn bad_parameters_are_400_problems_naming_the_field() {
    let app = spawn_app().await;
    let long_query = "a".repeat(10 * 1024);
    for (query, field) in [
        ("page=-1".to_owned(), "page"),
        ("page=abc".to_owned(), "page"),
        ("sort=best".to_owned(), "sort"),
        ("per_page=101".to_owned(), "per_page"),
        ("per_page=0".to_owned(), "per_page"),
        (format!("q={long_query}"), "q"),
        ("domain=atlantide".to_owned(), "domain"),
        ("code=12".to_owned(), "code"),
    ] {
        let response = app.get(&format!("/api/v1/offers?{query}")).await;
        assert_eq!(response.status, 400, "{query} should be refused");
        assert_eq!(response.header("content-type"), "application/problem+json");
        let problem = response.json();
        assert_eq!(problem["status"], 400);
        assert_eq!(problem["errors"][0]["field"], field, "{query}: {problem}");
        assert!(!problem["errors"][0]["message"].as_str().unwrap().is_empty());
    }
    let unknown = app.get("/api/v1/nothing-here").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.header("content-type"), "application/problem+json");
    app.stop().await;
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = spawn_app().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/domains",
        "/api/v1/typologies",
        "/api/v1/offers",
        "/api/v1/offers/{code}",
    ] {
        assert!(
            doc["paths"][path]["get"].is_object(),
            "{path} is documented"
        );
    }
    assert!(doc["components"]["schemas"]["OffersPage"].is_object());
    app.stop().await;
}

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status, 200);
    assert_eq!(app.get("/readyz").await.status, 200);
    app.stop().await;
}

#[tokio::test]
async fn the_home_page_is_the_french_catalogue_with_shareable_filters() {
    let app = spawn_app().await;
    let home = app.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.header("content-type").starts_with("text/html"));
    let html = home.text();
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("href=\"/connexion\""));
    for label in [
        "Identifiant de l'offre",
        "Titre / mots-clés",
        "Typologie",
        "Domaines",
        "Thématiques",
        "Rechercher",
        "Offres de service",
        "Trier par",
        "Faire une demande",
        "Favoris",
    ] {
        assert!(html.contains(label), "home page shows {label}");
    }
    assert!(html.contains("Climat / Énergie") && html.contains("Tourisme"));

    // Two domains chosen: two removable chips, their thematics as a second row.
    let page = app
        .get("/?domain=environnement-paysage&domain=eau-assainissement")
        .await
        .text();
    assert_eq!(page.matches("class=\"chip chip-domain\"").count(), 2);
    assert!(page.contains("Biodiversité / Faune et flore"));
    assert!(
        page.contains("href=\"/?domain=eau-assainissement\""),
        "removing a chip keeps the other domain"
    );

    // Anonymous visitors are sent to the login page, then back.
    assert!(page.contains("/connexion?next=%2Fdemandes%2Fnouvelle%3Foffre%3D"));

    // A typo in the text box still finds the offer.
    let page = app.get("/?q=biodiversiter").await.text();
    assert!(page.contains("O34 – Prise en compte de la biodiversité au niveau de la collectivité"));
    app.stop().await;
}

#[tokio::test]
async fn bad_filters_in_the_page_are_explained_next_to_the_field() {
    let app = spawn_app().await;
    let page = app.get("/?code=12&page=zero").await;
    assert_eq!(page.status, 400);
    let html = page.text();
    assert!(html.contains("id=\"code-error\""));
    assert!(html.contains("Le numéro de page doit être un nombre entier"));
    app.stop().await;
}

#[tokio::test]
async fn offer_pages_and_french_not_found_pages() {
    let app = spawn_app().await;
    let page = app.get("/offres/o34").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains(
        "<h1>O34 – Prise en compte de la biodiversité au niveau de la collectivité</h1>"
    ));
    assert!(html.contains("Chef de file"));
    for missing in ["/offres/Z999", "/offres/pas-un-code", "/nulle-part"] {
        let page = app.get(missing).await;
        assert_eq!(page.status, 404, "{missing}");
        assert!(page.text().contains("Page introuvable"));
    }
    app.stop().await;
}

#[tokio::test]
async fn security_headers_compression_and_cacheable_assets() {
    let app = spawn_app().await;
    let home = app.get("/").await;
    let csp = home.header("content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(home.header("x-content-type-options"), "nosniff");
    assert!(!home.header("referrer-policy").is_empty());
    assert!(!home.header("x-request-id").is_empty());

    let html = home.text();
    let css_url = html
        .split("href=\"/assets/app.css?v=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("hashed css link");
    let css = get_with(
        &app.url(&format!("/assets/app.css?v={css_url}")),
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-encoding"), "gzip");
    assert!(css.header("cache-control").contains("immutable"));
    assert!(css.header("content-type").starts_with("text/css"));
    assert!(
        html.contains("/assets/app.js?v=") && !html.contains("<script>"),
        "no inline script"
    );
    assert!(!html.contains("https://"), "no external resource");
    app.stop().await;
}

#[tokio::test]
async fn the_catalogue_survives_a_restart_without_seeding_twice() {
    let app = spawn_app().await;
    let before = app.get("/api/v1/offers").await.json()["total"].clone();
    let data_dir = app.data_dir.clone();
    let address = app.address;
    // Stop without deleting the data, then start again on it.
    let TestApp { platform, .. } = app;
    platform
        .expect("running")
        .shutdown()
        .await
        .expect("clean stop");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = id77::Config {
        http_addr: address,
        data_dir: data_dir.clone(),
        seed_demo: true,
        public_url: String::new(),
        admin_password: None,
    };
    let platform = id77::Platform::start(config, listener).await.unwrap();
    let again = TestApp {
        address: platform.http_addr,
        data_dir,
        platform: Some(platform),
    };
    crate::support::wait_ready(&again.url("/readyz")).await;
    assert_eq!(again.get("/api/v1/offers").await.json()["total"], before);
    again.stop().await;
}

use crate::support::TestApp;

#[tokio::test]
async fn an_oversized_upload_is_refused_in_french() {
    let app = spawn_app().await;
    let four_megabytes = vec![0u8; 4 * 1024 * 1024];

    let api = crate::support::send(
        hyper::Method::PUT,
        &app.url("/api/v1/organisation/logo"),
        &[("content-type", "image/png")],
        four_megabytes.clone(),
    )
    .await;
    assert_eq!(api.status, 413);
    assert_eq!(api.header("content-type"), "application/problem+json");
    assert!(
        api.json()["detail"].as_str().unwrap().contains("2 Mo"),
        "{}",
        api.text()
    );

    let web = crate::support::send(
        hyper::Method::POST,
        &app.url("/compte/profil/logo"),
        &[("content-type", "multipart/form-data; boundary=x")],
        four_megabytes,
    )
    .await;
    assert_eq!(web.status, 413);
    assert!(web.header("content-type").starts_with("text/html"));
    let page = web.text();
    assert!(page.contains("Envoi trop volumineux"), "{page}");
    assert!(page.contains("2 Mo"), "{page}");
    app.stop().await;
}

/// The legal pages a French public body's site must have, linked from the footer of every page
/// (the RGAA's wording for the accessibility link, stating its compliance).
#[tokio::test]
async fn the_legal_pages_are_linked_from_every_footer() {
    let app = spawn_app().await;
    for page in [
        "/",
        "/offres/O01",
        "/connexion",
        "/inscription",
        "/nulle-part",
    ] {
        let html = app.get(page).await.text();
        for link in [
            r#"<a href="/mentions-legales">Mentions légales</a>"#,
            r#"<a href="/donnees-personnelles">Données personnelles</a>"#,
            r#"<a href="/accessibilite">Accessibilité : non conforme</a>"#,
            r#"<a href="/contact">Contact</a>"#,
        ] {
            assert!(html.contains(link), "{page} lacks {link}");
        }
    }
    for (path, heading, says) in [
        (
            "/mentions-legales",
            "Mentions légales",
            "groupement d'intérêt public",
        ),
        (
            "/donnees-personnelles",
            "Données personnelles",
            "30 minutes",
        ),
        ("/accessibilite", "Déclaration d'accessibilité", "RGAA 4.1"),
        ("/contact", "Contacter ID77", "01 64 14 73 56"),
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        let html = page.text();
        assert!(html.contains(&format!("<h1>{heading}</h1>")), "{path}");
        assert!(html.contains(says), "{path}");
        assert!(html.contains("id77@departement77.fr"), "{path}");
    }
    app.stop().await;
}
