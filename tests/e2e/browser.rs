//! The web UI in a real headless Chromium, driven over WebDriver (Debian's chromedriver).

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::support::{free_port, program, screenshot_dir, spawn_app};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts chromedriver and a headless Chromium session.
async fn browser() -> (Driver, Client) {
    let chromedriver = program("chromedriver", "apt-get install chromium chromium-driver");
    let chromium = program("chromium", "apt-get install chromium");
    let port = free_port();
    let driver = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profile = crate::support::temp_dir("id77-chromium");
    let capabilities = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,1400",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let capabilities = capabilities.as_object().cloned().expect("an object");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return (driver, client),
            Err(error) => {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "cannot start Chromium through chromedriver: {error}"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

async fn chips(client: &Client) -> Vec<String> {
    // One script reads them all at once: the page swaps its content while we look, and
    // element handles found before a swap would be stale.
    let labels = client
        .execute(
            "return Array.from(document.querySelectorAll('.chips .chip span')).map(e => e.textContent.trim());",
            vec![],
        )
        .await
        .expect("read the chips");
    serde_json::from_value(labels).expect("a list of labels")
}

/// Waits until the page's chips are exactly `expected` (the UI updates without a reload).
async fn wait_for_chips(client: &Client, expected: &[&str]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now = chips(client).await;
        if now == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "chips are {now:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn save_screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    let path = screenshot_dir().join(name);
    std::fs::write(&path, png).expect("write screenshot");
    eprintln!("screenshot: {}", path.display());
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver; run by cargo xtask test"]
async fn a_visitor_filters_by_domain_searches_with_a_typo_and_opens_an_offer() {
    let (_driver, client) = browser().await;
    let app = spawn_app().await;
    client.goto(&app.url("/")).await.unwrap();
    let heading = client
        .find(Locator::Id("results-title"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(heading.ends_with("Offres de service"), "{heading}");

    // Pick two domains in the domain bar, then remove the first with its ×.
    client
        .find(Locator::XPath(
            "//nav[contains(@class,'domain-bar')]//a[.//span[text()='Environnement / Paysage']]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_chips(&client, &["Environnement / Paysage"]).await;
    client
        .find(Locator::XPath(
            "//nav[contains(@class,'domain-bar')]//a[.//span[text()='Eau / Assainissement']]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_chips(
        &client,
        &["Environnement / Paysage", "Eau / Assainissement"],
    )
    .await;
    let thematics = client
        .find(Locator::Css(".thematics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        thematics.contains("Biodiversité / Faune et flore"),
        "thematics row: {thematics}"
    );
    save_screenshot(&client, "catalogue-two-domains.png").await;
    client
        .find(Locator::Css(".chips .chip:first-child .chip-remove"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_chips(&client, &["Eau / Assainissement"]).await;
    let url = client.current_url().await.unwrap();
    assert_eq!(
        url.query(),
        Some("domain=eau-assainissement"),
        "the filter state is in the URL"
    );

    // Back to every domain, then search a word with a typo.
    client.goto(&app.url("/")).await.unwrap();
    let q = client.find(Locator::Id("q")).await.unwrap();
    q.send_keys("biodiversiter").await.unwrap();
    client
        .find(Locator::Css("#search-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let first = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//ol[@class='offers']/li[1]//h3/a[starts-with(normalize-space(.), 'O34 ')]",
        ))
        .await
        .expect("O34 comes first for « biodiversiter »");
    save_screenshot(&client, "catalogue-search-typo.png").await;

    // Open the offer.
    first.click().await.unwrap();
    let title = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        title,
        "O34 – Prise en compte de la biodiversité au niveau de la collectivité"
    );
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/offres/O34")
    );
    save_screenshot(&client, "offer-O34.png").await;

    // Small screens: no horizontal scrolling at 360 px.
    client.set_window_size(360, 900).await.unwrap();
    client.goto(&app.url("/")).await.unwrap();
    let overflow = client
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1;",
            vec![],
        )
        .await
        .unwrap();
    save_screenshot(&client, "catalogue-360px.png").await;
    assert_eq!(
        overflow,
        serde_json::Value::Bool(true),
        "the page fits 360 px"
    );

    client.close().await.unwrap();
    app.stop().await;
}

/// Clicks an element as a person would: scrolled to the middle of the window first.
async fn click(client: &Client, locator: Locator<'_>) {
    let element = client.find(locator).await.expect("the element to click");
    client
        .execute(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
            vec![serde_json::to_value(&element).expect("an element reference")],
        )
        .await
        .expect("scroll");
    element.click().await.expect("click");
}

/// Reads a field's validation state: its `aria-invalid`, whether it is marked valid, and the
/// text of its error message.
async fn field_state(client: &Client, id: &str) -> (Option<String>, bool, String) {
    let state = client
        .execute(
            "const i = document.getElementById(arguments[0]);
             const e = document.getElementById(arguments[0] + '-error');
             return [i.getAttribute('aria-invalid'), i.closest('.field').classList.contains('is-valid'),
                     e && !e.hidden ? e.textContent.trim() : ''];",
            vec![serde_json::json!(id)],
        )
        .await
        .expect("read the field's state");
    serde_json::from_value(state).expect("a state triple")
}

async fn wait_for_field(client: &Client, id: &str, valid: bool) -> (Option<String>, bool, String) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let state = field_state(client, id).await;
        let is_valid = state.1 && state.0.is_none();
        let is_invalid = state.0.as_deref() == Some("true") && !state.2.is_empty();
        if (valid && is_valid) || (!valid && is_invalid) {
            return state;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{id} never became {}: {state:?}",
            if valid { "valid" } else { "invalid" }
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver; run by cargo xtask test"]
async fn the_registration_form_checks_the_siret_as_it_is_typed() {
    let (_driver, client) = browser().await;
    let app = spawn_app().await;
    client.goto(&app.url("/inscription")).await.unwrap();
    let siret = client.find(Locator::Id("siret")).await.unwrap();
    // The guide's sample number: 14 digits, but the check digit is wrong.
    siret.send_keys("12345678911123").await.unwrap();
    click(&client, Locator::Id("population")).await;
    let (_, _, message) = wait_for_field(&client, "siret", false).await;
    assert!(
        message.to_lowercase().contains("siret"),
        "the message explains the SIRET: {message}"
    );
    save_screenshot(&client, "registration-siret-invalid.png").await;

    siret.clear().await.unwrap();
    siret.send_keys("21770421000012").await.unwrap();
    click(&client, Locator::Id("population")).await;
    wait_for_field(&client, "siret", true).await;
    save_screenshot(&client, "registration-siret-valid.png").await;

    // The server applies the same rule when the form is sent anyway.
    siret.clear().await.unwrap();
    siret.send_keys("12345678911123").await.unwrap();
    click(&client, Locator::Css("#register-form button[type=submit]")).await;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#register-form-errors"))
        .await
        .expect("the error summary after submitting");
    let (_, _, message) = field_state(&client, "siret").await;
    assert!(
        !message.is_empty(),
        "the server's message sits next to the SIRET field"
    );
    client.close().await.unwrap();
    app.stop().await;
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver; run by cargo xtask test"]
async fn a_member_logs_in_adds_a_contact_and_keeps_a_favourite() {
    let (_driver, client) = browser().await;
    let app = spawn_app().await;
    let target = app.target();
    crate::accounts::active_member(
        &target,
        "bourron",
        "mairie@bourron.example",
        "21770421000012",
    )
    .await;

    client
        .goto(&app.url("/connexion?next=/compte/profil"))
        .await
        .unwrap();
    client
        .find(Locator::Id("identifier"))
        .await
        .unwrap()
        .send_keys("bourron")
        .await
        .unwrap();
    client
        .find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(crate::accounts::MEMBER_PASSWORD)
        .await
        .unwrap();
    save_screenshot(&client, "login.png").await;
    click(&client, Locator::Css("#login-form button[type=submit]")).await;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("contact-form"))
        .await
        .expect("back on the profile page after logging in");
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/compte/profil")
    );

    for (id, value) in [
        ("contact-title", "Responsable des services techniques"),
        ("contact-full_name", "Claire Lefèvre"),
        ("contact-service", "Services techniques"),
        ("contact-email", "st@bourron.example"),
        ("contact-phone", "01 64 45 12 34"),
    ] {
        client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    click(&client, Locator::Css("#contact-form button[type=submit]")).await;
    let listed = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//table//th[@scope='row'][contains(., 'Claire Lefèvre')]",
        ))
        .await;
    assert!(listed.is_ok(), "the new contact is listed");
    save_screenshot(&client, "profile-with-contact.png").await;

    client.goto(&app.url("/?q=biodiversite")).await.unwrap();
    let toggle = client
        .find(Locator::Css(".favorite-toggle[data-code='O34']"))
        .await
        .unwrap();
    assert_eq!(
        toggle.attr("aria-pressed").await.unwrap().as_deref(),
        Some("false")
    );
    toggle.click().await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let pressed = client
            .execute("return document.querySelector(\".favorite-toggle[data-code='O34']\").getAttribute('aria-pressed');", vec![])
            .await
            .unwrap();
        if pressed == serde_json::json!("true") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the star never lit");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    save_screenshot(&client, "catalogue-favourite-lit.png").await;

    client.goto(&app.url("/favoris")).await.unwrap();
    let page = client
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("O34"), "the favourite is listed: {page}");
    assert!(page.contains("Ajoutée le"), "with the date it was added");
    save_screenshot(&client, "favourites.png").await;
    client.close().await.unwrap();
    app.stop().await;
}

/// The top of an element in CSS pixels from the top of the screen as it is scrolled now; -1 when
/// it is not displayed.
async fn top_of(client: &Client, selector: &str) -> f64 {
    let script = format!(
        "const e = document.querySelector({selector:?}); \
         return e && e.offsetParent !== null ? e.getBoundingClientRect().top : -1;"
    );
    let value = client.execute(&script, vec![]).await.expect("measure");
    value.as_f64().expect("a number")
}

/// On a 360 px phone the results come first and the filters fold behind "Filtres": the first
/// offer is on the first screen, "Filtres" opens the panel above the results, and a search
/// folds it again on the new results.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver; run by cargo xtask test"]
async fn on_a_phone_the_results_come_first_and_the_filters_fold() {
    let (_driver, client) = browser().await;
    let app = spawn_app().await;
    client.set_window_size(360, 740).await.unwrap();
    client.goto(&app.url("/")).await.unwrap();
    let height = client
        .execute("return window.innerHeight;", vec![])
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    // The first offer's domain and title are on the first screen.
    let on_first_screen = |top: f64| top >= 0.0 && top < height - 100.0;
    let first = top_of(&client, ".offers .offer-card").await;
    assert!(
        on_first_screen(first),
        "first offer at y={first}, screen {height}"
    );
    assert_eq!(top_of(&client, "#code").await, -1.0, "filters folded");
    save_screenshot(&client, "phone-results-first.png").await;

    click(&client, Locator::Css("[data-filters-toggle]")).await;
    let code = top_of(&client, "#code").await;
    assert!(
        code >= 0.0 && code < first.max(height),
        "panel opens above: {code}"
    );
    save_screenshot(&client, "phone-filters-open.png").await;
    let field = client.find(Locator::Id("code")).await.unwrap();
    field.send_keys("O34").await.unwrap();
    click(&client, Locator::Css("#search-form button[type=submit]")).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let title = client
            .execute(
                "return document.getElementById('results-title').textContent;",
                vec![],
            )
            .await
            .unwrap();
        if title.as_str().is_some_and(|t| t.contains("1 Offre")) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no search: {title}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        top_of(&client, "#code").await,
        -1.0,
        "folded after the search"
    );
    save_screenshot(&client, "phone-after-search.png").await;
    let first = top_of(&client, ".offers .offer-card").await;
    assert!(
        on_first_screen(first),
        "result at y={first}, screen {height}"
    );
    app.stop().await;
}
