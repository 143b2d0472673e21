//! Logging in and out.

use std::net::SocketAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{ConnectInfo, FromRequestParts, RawForm, RawQuery, State},
    http::request::Parts,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use id77_proto::identity::v1 as pb;

use crate::{
    session::{CurrentUser, REFRESH_COOKIE, cleared_cookies, session_cookies},
    state::AppState,
    web::{
        Layout, form_status,
        forms::{Field, Form, FormData, Kind, same_name},
        local_path, query_value,
    },
};

/// The end user's address as the gateway saw it, for the login throttling (empty when unknown,
/// as in tests that call the router directly).
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip().to_string())
                .unwrap_or_default(),
        ))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub layout: Layout,
    pub form: Form,
    /// Where to go after logging in (a local path, or empty).
    pub next: String,
}

pub fn login_form(identifier: &str) -> Form {
    Form::new(
        "login-form",
        vec![
            Field::text("identifier", "Identifiant ou e-mail")
                .value(identifier)
                .autocomplete("username")
                .maxlength(254),
            Field::new(Kind::Password, "password", "Mot de passe")
                .autocomplete("current-password")
                .maxlength(1024),
        ],
    )
}

/// The `next` of a query string or form, when it is a local path.
fn next_of(value: Option<&str>) -> String {
    value.and_then(local_path).unwrap_or_default().to_owned()
}

pub async fn login_page(
    State(state): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Response {
    let next = next_of(query_value(raw.as_deref(), "next").as_deref());
    if user.0.is_some() {
        return Redirect::to(if next.is_empty() { "/" } else { &next }).into_response();
    }
    LoginPage {
        layout: Layout::new(&state, &user).flash(raw.as_deref()),
        form: login_form(""),
        next,
    }
    .into_response()
}

pub async fn login(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(client_address): ClientAddress,
    jar: CookieJar,
    RawForm(body): RawForm,
) -> Response {
    let data = FormData::parse(&body);
    let next = next_of(Some(data.get("next")));
    let identifier = data.get("identifier").trim();
    let password = data.get("password");
    let mut form = login_form(identifier);
    if identifier.is_empty() || password.is_empty() {
        if identifier.is_empty() {
            form.set_error(
                "identifier",
                "Indiquez votre identifiant ou votre adresse e-mail.",
            );
        }
        if password.is_empty() {
            form.set_error("password", "Indiquez votre mot de passe.");
        }
        let page = LoginPage {
            layout: Layout::new(&state, &user),
            form,
            next,
        };
        return (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
    }
    let result = match state.identity() {
        Ok(mut identity) => {
            identity
                .login(pb::LoginRequest {
                    identifier: identifier.to_owned(),
                    password: password.to_owned(),
                    client_address,
                })
                .await
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(session) => {
            let jar = session_cookies(jar, &session, state.secure_cookies());
            (jar, Redirect::to(if next.is_empty() { "/" } else { &next })).into_response()
        }
        Err(error) => {
            form.set_failure(&error, same_name);
            let page = LoginPage {
                layout: Layout::new(&state, &user),
                form,
                next,
            };
            (form_status(&error), page).into_response()
        }
    }
}

/// Ends the session: the refresh token is revoked and the cookies cleared.
pub async fn logout(State(state): State<AppState>, jar: CookieJar) -> Response {
    if let Some(refresh_token) = jar.get(REFRESH_COOKIE).map(|c| c.value().to_owned()) {
        let revoked = match state.identity() {
            Ok(mut identity) => identity
                .logout(pb::LogoutRequest { refresh_token })
                .await
                .map(|_| ()),
            Err(error) => Err(error),
        };
        // The cookies go anyway; the token would expire on its own.
        if let Err(error) = revoked {
            tracing::warn!(%error, "logout: the refresh token could not be revoked");
        }
    }
    (cleared_cookies(jar), Redirect::to("/")).into_response()
}
