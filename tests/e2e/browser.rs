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

/// Starts chromedriver and a headless Chromium session, or `None` outside CI when absent.
async fn browser() -> Option<(Driver, Client)> {
    let chromedriver = program("chromedriver", "apt-get install chromium chromium-driver")?;
    let chromium = program("chromium", "apt-get install chromium")?;
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
            Ok(client) => return Some((driver, client)),
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
async fn a_visitor_filters_by_domain_searches_with_a_typo_and_opens_an_offer() {
    let Some((_driver, client)) = browser().await else {
        return;
    };
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
