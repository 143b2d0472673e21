//! The French web UI, rendered on the server (askama) so that it works without JavaScript;
//! the scripts in `assets/` only make it quicker.
//!
//! Conventions of the pages: a GET shows; a POST acts, then redirects with 303 to a GET (the
//! success message travels as `?ok=<code>`, mapped to a fixed sentence by [`Flash`]) or renders
//! the form again with each error next to its field.

use std::sync::Arc;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, Datelike as _, Duration, NaiveDate, NaiveDateTime, Utc};
use id77_kit::auth::Role;

pub use error_page::{PageError, error_page, error_page_for, not_found, render_page_errors};

use crate::{
    assets::Assets,
    error::AppError,
    session::{CurrentUser, cleared_cookies},
    state::AppState,
};

mod account;
mod admin;
mod auth;
mod catalogue;
mod error_page;
mod favorites;
mod forms;
#[cfg(test)]
mod tests;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(catalogue::home))
        .route("/offres/{code}", get(catalogue::offer))
        .route("/connexion", get(auth::login_page).post(auth::login))
        .route(
            "/deconnexion",
            get(|| async { Redirect::to("/") }).post(auth::logout),
        )
        .route(
            "/inscription",
            get(auth::register_page).post(auth::register),
        )
        .route("/inscription/envoyee", get(auth::registered))
        .route(
            "/inscription/confirmer",
            get(auth::confirm_email_page).post(auth::confirm_email),
        )
        .route("/inscription/adresse-confirmee", get(auth::email_confirmed))
        .route(
            "/invitation",
            get(auth::invitation_page).post(auth::accept_invitation),
        )
        .route(
            "/mot-de-passe-oublie",
            get(auth::forgot_page).post(auth::forgot),
        )
        .route("/reinitialiser", get(auth::reset_page).post(auth::reset))
        .route("/compte", get(account::page).post(account::update_me))
        .route(
            "/compte/mot-de-passe",
            get(|| async { Redirect::to("/compte") }).post(account::change_password),
        )
        .route(
            "/compte/email/confirmer",
            get(auth::confirm_email_change_page).post(auth::confirm_email_change),
        )
        .route(
            "/compte/profil",
            get(account::profile_page).post(account::update_profile),
        )
        .route(
            "/compte/profil/logo",
            get(|| async { Redirect::to("/compte/profil") })
                // The multipart envelope around a 2 MB image is a little over 2 MB.
                .post(account::upload_logo)
                .layer(DefaultBodyLimit::max(3 * 1024 * 1024)),
        )
        .route(
            "/compte/profil/contacts",
            get(|| async { Redirect::to("/compte/profil") }).post(account::add_contact),
        )
        .route(
            "/compte/profil/contacts/{id}/supprimer",
            post(account::remove_contact),
        )
        .route("/favoris", get(favorites::page))
        .route("/favoris/{code}", post(favorites::add))
        .route("/favoris/{code}/supprimer", post(favorites::remove))
        .route("/admin/inscriptions", get(admin::page))
        .route("/admin/inscriptions/{id}/valider", post(admin::approve))
        .route("/admin/inscriptions/{id}/refuser", post(admin::reject))
        .route(
            "/admin/personnel",
            get(|| async { Redirect::to("/admin/inscriptions") }).post(admin::create_staff),
        )
}

/// The header's user menu.
pub struct UserMenu {
    /// "Bonjour Anne Martin" (the account's display name).
    pub name: String,
    pub admin: bool,
}

/// What the base layout needs: the hashed asset URLs, who is logged in, the page's place in
/// the navigation and the message of the action just done.
pub struct Layout {
    pub css_url: String,
    pub js_url: String,
    pub ui_js_url: String,
    pub logo_url: String,
    pub icons_url: String,
    pub user: Option<UserMenu>,
    /// The main navigation's entry for this page (`/`, `/favoris`), for `aria-current`.
    pub current: &'static str,
    pub flash: Option<&'static str>,
    assets: Arc<Assets>,
}

impl Layout {
    pub fn new(state: &AppState, user: &CurrentUser) -> Self {
        Self {
            css_url: state.assets.url("app.css"),
            js_url: state.assets.url("app.js"),
            ui_js_url: state.assets.url("ui.js"),
            logo_url: state.assets.url("logo.svg"),
            icons_url: state.assets.url("icons.svg"),
            user: user.0.as_ref().map(|session| UserMenu {
                name: session.claims.name.clone(),
                admin: session.claims.role == Role::Admin,
            }),
            current: "",
            flash: None,
            assets: state.assets.clone(),
        }
    }

    /// Another asset's hashed URL (a page's own script).
    pub fn url(&self, name: &str) -> String {
        self.assets.url(name)
    }

    #[must_use]
    pub fn current(mut self, path: &'static str) -> Self {
        self.current = path;
        self
    }

    /// The success message named by the query's `ok` code, if any.
    #[must_use]
    pub fn flash(mut self, raw_query: Option<&str>) -> Self {
        self.flash = query_value(raw_query, "ok")
            .and_then(|code| Flash::parse(&code))
            .map(Flash::message);
        self
    }
}

/// The messages shown once after an action (`?ok=<code>`): fixed sentences, so nothing the
/// user typed is ever echoed from the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    AccountActivated,
    PasswordReset,
    ResetSent,
    AccountSaved,
    EmailPending,
    PasswordChanged,
    EmailChanged,
    ProfileSaved,
    LogoSaved,
    ContactAdded,
    ContactRemoved,
    FavoriteRemoved,
    RegistrationApproved,
    RegistrationRejected,
    StaffCreated,
}

impl Flash {
    const ALL: [Flash; 15] = [
        Flash::AccountActivated,
        Flash::PasswordReset,
        Flash::ResetSent,
        Flash::AccountSaved,
        Flash::EmailPending,
        Flash::PasswordChanged,
        Flash::EmailChanged,
        Flash::ProfileSaved,
        Flash::LogoSaved,
        Flash::ContactAdded,
        Flash::ContactRemoved,
        Flash::FavoriteRemoved,
        Flash::RegistrationApproved,
        Flash::RegistrationRejected,
        Flash::StaffCreated,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Flash::AccountActivated => "compte-active",
            Flash::PasswordReset => "mot-de-passe-reinitialise",
            Flash::ResetSent => "lien-envoye",
            Flash::AccountSaved => "compte-enregistre",
            Flash::EmailPending => "email-a-confirmer",
            Flash::PasswordChanged => "mot-de-passe-modifie",
            Flash::EmailChanged => "email-modifie",
            Flash::ProfileSaved => "profil-enregistre",
            Flash::LogoSaved => "logo-enregistre",
            Flash::ContactAdded => "contact-ajoute",
            Flash::ContactRemoved => "contact-supprime",
            Flash::FavoriteRemoved => "favori-supprime",
            Flash::RegistrationApproved => "inscription-validee",
            Flash::RegistrationRejected => "inscription-refusee",
            Flash::StaffCreated => "compte-cree",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Flash::AccountActivated => {
                "Votre mot de passe est enregistré et votre compte est activé : connectez-vous avec votre identifiant."
            }
            Flash::PasswordReset => {
                "Votre mot de passe a été modifié : connectez-vous avec le nouveau."
            }
            Flash::ResetSent => crate::api::accounts::RESET_SENT,
            Flash::AccountSaved => "Vos informations de connexion sont enregistrées.",
            Flash::EmailPending => {
                "Vos informations sont enregistrées. Un lien de confirmation vient d'être envoyé à la nouvelle adresse e-mail : elle remplacera l'actuelle une fois confirmée."
            }
            Flash::PasswordChanged => {
                "Votre mot de passe est modifié. Vos autres sessions ouvertes ont été fermées."
            }
            Flash::EmailChanged => "Votre nouvelle adresse e-mail est confirmée.",
            Flash::ProfileSaved => "Le profil de votre collectivité est enregistré.",
            Flash::LogoSaved => "Le logo de votre collectivité est enregistré.",
            Flash::ContactAdded => "Le contact technique est ajouté.",
            Flash::ContactRemoved => "Le contact technique est supprimé.",
            Flash::FavoriteRemoved => "L'offre est retirée de vos favoris.",
            Flash::RegistrationApproved => {
                "Inscription validée : une invitation à choisir un mot de passe a été envoyée par e-mail."
            }
            Flash::RegistrationRejected => {
                "Inscription refusée : le motif a été envoyé par e-mail au demandeur."
            }
            Flash::StaffCreated => {
                "Compte créé : une invitation à choisir un mot de passe a été envoyée par e-mail."
            }
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|flash| flash.code() == code)
    }

    /// `path` with this message to show (`path` has no query string of its own, or has one
    /// without `ok`).
    pub fn url(self, path: &str) -> String {
        let (path, fragment) = path
            .split_once('#')
            .map_or((path, None), |(p, f)| (p, Some(f)));
        let separator = if path.contains('?') { '&' } else { '?' };
        match fragment {
            Some(fragment) => format!("{path}{separator}ok={}#{fragment}", self.code()),
            None => format!("{path}{separator}ok={}", self.code()),
        }
    }
}

/// The first value of `name` in a raw query string.
pub fn query_value(raw: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// `candidate` if it is a path of this site, to redirect to after a login or an action:
/// starts with one `/`, and holds nothing a browser could read as another host (`//`, `/\`,
/// control characters or spaces, which browsers strip or fold).
pub fn local_path(candidate: &str) -> Option<&str> {
    let safe = candidate.starts_with('/')
        && !candidate.starts_with("//")
        && candidate.len() <= 2048
        && !candidate
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    safe.then_some(candidate)
}

/// The login page, then back to `next`.
pub fn login_url(next: &str) -> String {
    match local_path(next) {
        Some("/") | None => "/connexion".to_owned(),
        Some(next) => {
            let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
            format!("/connexion?next={next}")
        }
    }
}

/// A failed call on a page that needs a session: a session the services no longer accept
/// goes back to the login page (cookies cleared, else the login page would send the visitor
/// straight back); anything else is the error page.
pub fn failure_page(
    state: &AppState,
    user: &CurrentUser,
    jar: CookieJar,
    error: &AppError,
    here: &str,
) -> Response {
    match error {
        AppError::Unauthenticated(_) => {
            (cleared_cookies(jar), Redirect::to(&login_url(here))).into_response()
        }
        other => error_page_for(state, user, other),
    }
}

/// The status of a form sent back with errors.
pub fn form_status(error: &AppError) -> StatusCode {
    match error {
        AppError::Invalid(_) | AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
        other => other.status(),
    }
}

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_of_next.pred_opt()?;
    Some(last - Duration::days(i64::from(last.weekday().num_days_from_sunday())))
}

/// Paris local time (CET, CEST from the last Sunday of March to the last Sunday of October,
/// changing at 01:00 UTC), without a time-zone database.
pub fn paris_time(utc: DateTime<Utc>) -> NaiveDateTime {
    let year = utc.year();
    let change = |month| {
        last_sunday(year, month)
            .and_then(|d| d.and_hms_opt(1, 0, 0))
            .map(|t| t.and_utc())
    };
    let summer =
        matches!((change(3), change(10)), (Some(start), Some(end)) if utc >= start && utc < end);
    (utc + Duration::hours(if summer { 2 } else { 1 })).naive_utc()
}

fn timestamp(t: Option<&prost_types::Timestamp>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.seconds, u32::try_from(t.nanos).unwrap_or(0)))
}

/// `28/11/2026`, Paris time.
pub fn date_fr(t: Option<&prost_types::Timestamp>) -> String {
    timestamp(t)
        .map(|t| paris_time(t).format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

/// `07/07/2019 à 17:18`, Paris time.
pub fn datetime_fr(t: Option<&prost_types::Timestamp>) -> String {
    timestamp(t)
        .map(|t| paris_time(t).format("%d/%m/%Y à %H:%M").to_string())
        .unwrap_or_default()
}

/// The `datetime` attribute of a `<time>`.
pub fn iso_date(t: Option<&prost_types::Timestamp>) -> String {
    timestamp(t)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Whether the caller asked for JSON (a script's `fetch`) rather than a page.
pub fn wants_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"))
}

#[cfg(test)]
mod unit_tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        for ok in [
            "/",
            "/favoris",
            "/offres/O01?x=1#offer-O01",
            "/?domain=eau&page=2",
        ] {
            assert_eq!(local_path(ok), Some(ok));
        }
        for bad in [
            "",
            "favoris",
            "//evil.example",
            "/\\evil.example",
            "/\tevil",
            "/ /x",
            "https://evil.example/",
            "javascript:alert(1)",
            "/\u{0}",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
        assert_eq!(login_url("/compte"), "/connexion?next=%2Fcompte");
        assert_eq!(login_url("/"), "/connexion");
        assert_eq!(login_url("//evil.example"), "/connexion");
    }

    #[test]
    fn flash_codes_round_trip_and_keep_the_fragment() {
        for flash in Flash::ALL {
            assert_eq!(Flash::parse(flash.code()), Some(flash));
        }
        assert_eq!(Flash::parse("<b>x</b>"), None);
        assert_eq!(
            Flash::ContactAdded.url("/compte/profil#contacts"),
            "/compte/profil?ok=contact-ajoute#contacts"
        );
        assert_eq!(
            Flash::EmailChanged.url("/compte"),
            "/compte?ok=email-modifie"
        );
    }

    #[test]
    fn paris_time_follows_summer_time() {
        let at = |y, m, d, h, min| Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap();
        let shown = |t| paris_time(t).format("%d/%m/%Y %H:%M").to_string();
        assert_eq!(shown(at(2019, 7, 7, 15, 18)), "07/07/2019 17:18");
        assert_eq!(shown(at(2026, 11, 28, 12, 0)), "28/11/2026 13:00");
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(shown(at(2026, 3, 29, 0, 59)), "29/03/2026 01:59");
        assert_eq!(shown(at(2026, 3, 29, 1, 0)), "29/03/2026 03:00");
        assert_eq!(shown(at(2026, 10, 25, 0, 59)), "25/10/2026 02:59");
        assert_eq!(shown(at(2026, 10, 25, 1, 0)), "25/10/2026 02:00");
    }
}
