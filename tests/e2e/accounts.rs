//! Accounts end to end on the all-in-one app: registration by mail to login, profile, logo,
//! contacts and favourites, and the security properties that cross the services.

use hyper::Method;
use serde_json::{Value, json};

use crate::support::{json as send_json, mails, send, spawn_app, token_in, wait_for_mail};

/// A running platform as the journey sees it: where to call it, how to read the mail it sent,
/// and its administrator's password. The all-in-one app and the distributed processes alike.
pub struct Target {
    pub base: String,
    pub admin_password: String,
    pub mails: Box<dyn Fn() -> Vec<String> + Send + Sync>,
}

impl Target {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl crate::support::TestApp {
    pub fn target(&self) -> Target {
        let data_dir = self.data_dir.clone();
        Target {
            base: format!("http://{}", self.address),
            admin_password: ADMIN_PASSWORD.to_owned(),
            mails: Box::new(move || mails(&data_dir)),
        }
    }
}

pub const ADMIN_PASSWORD: &str = "Brie-de-Meaux-Coulommiers-1977";
pub const MEMBER_PASSWORD: &str = "Lavande-Provins-Remparts-2026";
/// A 1×1 PNG.
const PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

pub fn registration(identifier: &str, email: &str, siret: &str) -> Value {
    json!({
        "organisation_name": format!("Commune de {identifier}"),
        "categories": ["communes"],
        "siret": siret,
        "population": 3400,
        "canton": "Fontainebleau",
        "representative": {"title": "maire", "civility": "homme", "first_name": "Jean", "last_name": "Dupont"},
        "admin_referent": {"civility": "femme", "first_name": "Anne", "last_name": "Martin"},
        "identifier": identifier,
        "email": email,
        "phone": "01 34 54 32 12",
    })
}

pub async fn login(app: &Target, identifier: &str, password: &str) -> crate::support::Response {
    send_json(
        Method::POST,
        &app.url("/api/v1/session"),
        None,
        &json!({"identifier": identifier, "password": password}),
    )
    .await
}

pub async fn token(app: &Target, identifier: &str, password: &str) -> String {
    let response = login(app, identifier, password).await;
    assert_eq!(
        response.status,
        200,
        "login {identifier}: {}",
        response.text()
    );
    response.json()["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

/// Registers, confirms, gets approved and accepts the invitation: an active member account.
pub async fn active_member(app: &Target, identifier: &str, email: &str, siret: &str) -> String {
    let url = |path: &str| app.url(path);
    let registered = send_json(
        Method::POST,
        &url("/api/v1/registrations"),
        None,
        &registration(identifier, email, siret),
    )
    .await;
    assert_eq!(registered.status, 202, "{}", registered.text());
    let mail = wait_for_mail(&app.mails, email, "/inscription/confirmer?token=").await;
    let confirmed = send_json(
        Method::POST,
        &url("/api/v1/registrations/confirm"),
        None,
        &json!({"token": token_in(&mail, "/inscription/confirmer")}),
    )
    .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());

    let admin = token(app, "admin", &app.admin_password).await;
    let pending = send_json(
        Method::GET,
        &url("/api/v1/admin/registrations"),
        Some(&admin),
        &Value::Null,
    )
    .await
    .json();
    let account_id = pending
        .as_array()
        .expect("a list")
        .iter()
        .find(|r| r["account"]["identifier"] == identifier)
        .unwrap_or_else(|| panic!("{identifier} waits for approval: {pending}"))["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let approved = send_json(
        Method::POST,
        &url(&format!("/api/v1/admin/registrations/{account_id}/approve")),
        Some(&admin),
        &Value::Null,
    )
    .await;
    assert_eq!(approved.status, 200, "{}", approved.text());

    let mail = wait_for_mail(&app.mails, email, "/invitation?token=").await;
    assert!(
        mail.contains(identifier),
        "the invitation names the identifier"
    );
    let accepted = send_json(
        Method::POST,
        &url("/api/v1/invitations/accept"),
        None,
        &json!({"token": token_in(&mail, "/invitation"), "password": MEMBER_PASSWORD}),
    )
    .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text());
    token(app, identifier, MEMBER_PASSWORD).await
}

#[tokio::test]
async fn a_commune_registers_is_approved_and_keeps_its_profile_contacts_and_favourites() {
    let app = spawn_app().await;
    journey(
        &app.target(),
        "samois",
        "mairie@samois.example",
        "21770421000012",
    )
    .await;
    app.stop().await;
}

/// The whole journey of a member organisation: register → read the mail → confirm → the admin
/// approves → invitation mail → choose a password → log in → edit profile and logo → add two
/// contacts, remove one → favourite two offers, remove one → log out.
pub async fn journey(app: &Target, identifier: &str, email: &str, siret: &str) {
    let member = active_member(app, identifier, email, siret).await;
    let url = |path: &str| app.url(path);

    let me = send_json(Method::GET, &url("/api/v1/me"), Some(&member), &Value::Null)
        .await
        .json();
    assert_eq!(me["identifier"], identifier);
    assert_eq!(me["role"], "member");
    assert_eq!(me["status"], "active");

    let profile = send_json(
        Method::PATCH,
        &url("/api/v1/organisation"),
        Some(&member),
        &json!({"population": 4200, "website": "https://samois.example"}),
    )
    .await;
    assert_eq!(profile.status, 200, "{}", profile.text());
    assert_eq!(profile.json()["population"], 4200);

    use base64::Engine as _;
    let png = base64::engine::general_purpose::STANDARD
        .decode(PNG_BASE64)
        .unwrap();
    let bearer = format!("Bearer {member}");
    let logo = send(
        Method::PUT,
        &url("/api/v1/organisation/logo"),
        &[("authorization", &bearer), ("content-type", "image/png")],
        png,
    )
    .await;
    assert_eq!(logo.status, 200, "{}", logo.text());
    let logo_url = logo.json()["logo_url"]
        .as_str()
        .expect("a logo URL")
        .to_owned();
    let image = crate::support::get(&url(&logo_url)).await;
    assert_eq!(image.status, 200);
    assert_eq!(image.header("content-type"), "image/png");
    let text = send(
        Method::PUT,
        &url("/api/v1/organisation/logo"),
        &[("authorization", &bearer)],
        "not an image",
    )
    .await;
    assert_eq!(text.status, 422, "{}", text.text());

    let mut ids = Vec::new();
    for (name, email) in [
        ("Anne Test", "anne.test@samois.example"),
        ("Jean Test", "jean.test@samois.example"),
    ] {
        let contact = send_json(
            Method::POST,
            &url("/api/v1/organisation/contacts"),
            Some(&member),
            &json!({"title": "Responsable urbanisme", "full_name": name, "service": "Service urbanisme", "email": email, "phone": "0164434546"}),
        )
        .await;
        assert_eq!(contact.status, 201, "{}", contact.text());
        ids.push(contact.json()["id"].as_str().unwrap().to_owned());
    }
    let removed = send_json(
        Method::DELETE,
        &url(&format!("/api/v1/organisation/contacts/{}", ids[0])),
        Some(&member),
        &Value::Null,
    )
    .await;
    assert_eq!(removed.status, 204);
    let contacts = send_json(
        Method::GET,
        &url("/api/v1/organisation/contacts"),
        Some(&member),
        &Value::Null,
    )
    .await
    .json();
    assert_eq!(contacts.as_array().unwrap().len(), 1);
    assert_eq!(contacts[0]["full_name"], "Jean Test");

    for code in ["O01", "O34"] {
        let added = send_json(
            Method::PUT,
            &url(&format!("/api/v1/favorites/{code}")),
            Some(&member),
            &Value::Null,
        )
        .await;
        assert_eq!(added.status, 201, "{}", added.text());
    }
    let removed = send_json(
        Method::DELETE,
        &url("/api/v1/favorites/O01"),
        Some(&member),
        &Value::Null,
    )
    .await;
    assert_eq!(removed.status, 204);
    let favorites = send_json(
        Method::GET,
        &url("/api/v1/favorites"),
        Some(&member),
        &Value::Null,
    )
    .await
    .json();
    let codes: Vec<&str> = favorites
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["offer"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["O34"]);

    // Logging out through the cookies ends the session: the refresh token stops working.
    let session = login(app, identifier, MEMBER_PASSWORD).await;
    let cookies: Vec<String> = session
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    assert!(cookies.iter().any(|c| c.starts_with("id77_refresh=")));
    let cookie_header = cookies.join("; ");
    let origin = app.base.clone();
    let out = send(
        Method::DELETE,
        &url("/api/v1/session"),
        &[("cookie", &cookie_header), ("origin", &origin)],
        "",
    )
    .await;
    assert_eq!(out.status, 204);
    let refresh_only: String = cookies
        .iter()
        .filter(|c| c.starts_with("id77_refresh="))
        .cloned()
        .collect();
    let after = send(
        Method::GET,
        &url("/api/v1/me"),
        &[("cookie", &refresh_only)],
        "",
    )
    .await;
    assert_eq!(
        after.status, 401,
        "a revoked refresh token opens no session"
    );
}

#[tokio::test]
async fn unknown_and_known_accounts_get_the_same_answers() {
    let app = spawn_app().await;
    let target = app.target();
    active_member(&target, "avon", "mairie@avon.example", "21770430000011").await;
    let url = |path: &str| app.url(path);

    let known = send_json(
        Method::POST,
        &url("/api/v1/password-resets"),
        None,
        &json!({"email": "mairie@avon.example"}),
    )
    .await;
    let unknown = send_json(
        Method::POST,
        &url("/api/v1/password-resets"),
        None,
        &json!({"email": "personne@nulle-part.example"}),
    )
    .await;
    assert_eq!(
        (known.status, known.text()),
        (unknown.status, unknown.text())
    );

    let wrong_password = login(&target, "avon", "Pas-le-bon-mot-de-passe-1").await;
    let no_account = login(&target, "inconnu", "Pas-le-bon-mot-de-passe-1").await;
    assert_eq!(wrong_password.status, 401);
    assert_eq!(
        (
            wrong_password.status,
            wrong_password.json()["detail"].clone()
        ),
        (no_account.status, no_account.json()["detail"].clone())
    );

    // Registering again with a taken identifier and e-mail looks like any registration.
    let again = send_json(
        Method::POST,
        &url("/api/v1/registrations"),
        None,
        &registration("avon", "mairie@avon.example", "21770430000011"),
    )
    .await;
    let fresh = send_json(
        Method::POST,
        &url("/api/v1/registrations"),
        None,
        &registration("fontaine", "mairie@fontaine.example", "21770421000012"),
    )
    .await;
    assert_eq!((again.status, again.text()), (fresh.status, fresh.text()));
    // Only the holder of the address learns of it, by mail, with its identifier.
    let notice = wait_for_mail(&target.mails, "mairie@avon.example", "/mot-de-passe-oublie").await;
    assert!(notice.contains("avon"), "{notice}");
    app.stop().await;
}

#[tokio::test]
async fn registration_errors_name_the_fields() {
    let app = spawn_app().await;
    let mut body = registration("mauvais id!", "pas-une-adresse", "12345678911123");
    body["canton"] = json!("Atlantide");
    let response = send_json(Method::POST, &app.url("/api/v1/registrations"), None, &body).await;
    assert_eq!(response.status, 422, "{}", response.text());
    assert_eq!(response.header("content-type"), "application/problem+json");
    let fields: Vec<String> = response.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    for field in ["siret", "canton", "identifier", "email"] {
        assert!(fields.iter().any(|f| f == field), "{field} in {fields:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn members_stay_out_of_admin_operations_and_other_organisations() {
    let app = spawn_app().await;
    let target = app.target();
    let a = active_member(&target, "moret", "mairie@moret.example", "21770421000012").await;
    let b = active_member(
        &target,
        "nemours",
        "mairie@nemours.example",
        "21770430000011",
    )
    .await;
    let url = |path: &str| app.url(path);

    let denied = send_json(
        Method::GET,
        &url("/api/v1/admin/registrations"),
        Some(&a),
        &Value::Null,
    )
    .await;
    assert_eq!(denied.status, 403);
    let staff = send_json(
        Method::POST,
        &url("/api/v1/admin/staff"),
        Some(&a),
        &json!({"identifier": "pirate", "email": "p@x.example", "first_name": "P", "last_name": "X", "role": "admin"}),
    )
    .await;
    assert_eq!(staff.status, 403);

    let contact = send_json(
        Method::POST,
        &url("/api/v1/organisation/contacts"),
        Some(&b),
        &json!({"title": "DGS", "full_name": "Paul Durand", "service": "Direction", "email": "dgs@nemours.example", "phone": "0164000000"}),
    )
    .await
    .json();
    let id = contact["id"].as_str().unwrap();
    let stolen = send_json(
        Method::DELETE,
        &url(&format!("/api/v1/organisation/contacts/{id}")),
        Some(&a),
        &Value::Null,
    )
    .await;
    assert_eq!(stolen.status, 404, "A cannot remove B's contact");
    let b_contacts = send_json(
        Method::GET,
        &url("/api/v1/organisation/contacts"),
        Some(&b),
        &Value::Null,
    )
    .await
    .json();
    assert_eq!(b_contacts.as_array().unwrap().len(), 1);
    let a_profile = send_json(
        Method::GET,
        &url("/api/v1/organisation"),
        Some(&a),
        &Value::Null,
    )
    .await
    .json();
    assert_eq!(a_profile["organisation_name"], "Commune de moret");
    assert!(a_profile["contacts"].as_array().unwrap().is_empty());

    send_json(
        Method::PUT,
        &url("/api/v1/favorites/O02"),
        Some(&b),
        &Value::Null,
    )
    .await;
    let a_favorites = send_json(
        Method::GET,
        &url("/api/v1/favorites"),
        Some(&a),
        &Value::Null,
    )
    .await
    .json();
    assert!(a_favorites.as_array().unwrap().is_empty());

    let anonymous = send_json(Method::GET, &url("/api/v1/me"), None, &Value::Null).await;
    assert_eq!(anonymous.status, 401);
    app.stop().await;
}

#[tokio::test]
async fn a_cross_site_post_with_the_session_cookie_is_refused() {
    let app = spawn_app().await;
    let session = login(&app.target(), "admin", ADMIN_PASSWORD).await;
    assert_eq!(session.status, 200);
    let cookie: String = session
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ");
    let body = serde_json::to_vec(&json!({"current_password": ADMIN_PASSWORD, "new_password": "Nouveau-Mot-de-passe-Solide-77"})).unwrap();
    let forged = send(
        Method::PUT,
        &app.url("/api/v1/me/password"),
        &[
            ("cookie", &cookie),
            ("origin", "https://evil.example"),
            ("content-type", "application/json"),
        ],
        body.clone(),
    )
    .await;
    assert_eq!(forged.status, 403);
    let silent = send(
        Method::PUT,
        &app.url("/api/v1/me/password"),
        &[("cookie", &cookie), ("content-type", "application/json")],
        body,
    )
    .await;
    assert_eq!(
        silent.status, 403,
        "a cookie-carrying request that says nothing of its origin is refused"
    );
    // The password did not change.
    assert_eq!(
        login(&app.target(), "admin", ADMIN_PASSWORD).await.status,
        200
    );
    app.stop().await;
}
