//! The links that confirm an e-mail address: a registration's, or the new address of an
//! account.

use std::future::Future;

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{RawForm, RawQuery, State},
    response::{IntoResponse, Redirect, Response},
};
use id77_kit::links;
use id77_proto::identity::v1 as pb;

use super::{INCOMPLETE_LINK, token_of};
use crate::{
    clients::IdentityClient,
    error::AppError,
    session::CurrentUser,
    state::AppState,
    web::{
        Flash, Layout, form_status,
        forms::{Form, FormData, same_name},
    },
};

/// The page a one-time link opens: a button that posts the token.
#[derive(Template, WebTemplate)]
#[template(path = "token_action.html")]
pub struct TokenActionPage {
    pub layout: Layout,
    pub heading: &'static str,
    pub intro: &'static str,
    pub button: &'static str,
    pub action: &'static str,
    pub token: String,
    pub form: Form,
}

struct TokenAction {
    heading: &'static str,
    intro: &'static str,
    button: &'static str,
    action: &'static str,
    form_id: &'static str,
}

const CONFIRM_EMAIL: TokenAction = TokenAction {
    heading: "Confirmez votre adresse e-mail",
    intro: "Pour finaliser votre demande d'inscription, confirmez que cette adresse e-mail est bien la vôtre.",
    button: "Confirmer mon adresse e-mail",
    action: links::CONFIRM_REGISTRATION,
    form_id: "confirm-form",
};

const CONFIRM_EMAIL_CHANGE: TokenAction = TokenAction {
    heading: "Confirmez votre nouvelle adresse e-mail",
    intro: "Confirmez que cette adresse e-mail est bien la vôtre : elle remplacera l'ancienne pour vous connecter et recevoir les messages d'ID77.",
    button: "Confirmer ma nouvelle adresse e-mail",
    action: links::CONFIRM_EMAIL_CHANGE,
    form_id: "email-change-form",
};

fn token_action_page(
    state: &AppState,
    user: &CurrentUser,
    action: &TokenAction,
    token: String,
    error: Option<&AppError>,
) -> TokenActionPage {
    let mut form = Form::new(action.form_id, Vec::new());
    if token.is_empty() {
        form.general.push(INCOMPLETE_LINK.to_owned());
    }
    if let Some(error) = error {
        form.set_failure(error, same_name);
    }
    TokenActionPage {
        layout: Layout::new(state, user),
        heading: action.heading,
        intro: action.intro,
        button: action.button,
        action: action.action,
        token,
        form,
    }
}

/// Posts a link's token to identity with `call`; on success answers `done`, otherwise the same
/// page again with the reason (a dead link, a service away).
async fn submit_token_action<Fut>(
    state: &AppState,
    user: &CurrentUser,
    body: &[u8],
    action: &TokenAction,
    call: impl FnOnce(IdentityClient, String) -> Fut,
    done: impl FnOnce() -> Response,
) -> Response
where
    Fut: Future<Output = Result<(), AppError>>,
{
    let token = FormData::parse(body).get("token").trim().to_owned();
    let result = match state.identity() {
        Ok(identity) => call(identity, token.clone()).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => done(),
        Err(error) => {
            let page = token_action_page(state, user, action, token, Some(&error));
            (form_status(&error), page).into_response()
        }
    }
}

pub async fn confirm_email_page(
    State(state): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Response {
    token_action_page(
        &state,
        &user,
        &CONFIRM_EMAIL,
        token_of(raw.as_deref()),
        None,
    )
    .into_response()
}

pub async fn confirm_email(
    State(state): State<AppState>,
    user: CurrentUser,
    RawForm(body): RawForm,
) -> Response {
    submit_token_action(
        &state,
        &user,
        &body,
        &CONFIRM_EMAIL,
        |mut identity, token| async move {
            identity
                .confirm_email(pb::ConfirmEmailRequest { token })
                .await
                .map(|_| ())
        },
        || Redirect::to("/inscription/adresse-confirmee").into_response(),
    )
    .await
}

pub async fn confirm_email_change_page(
    State(state): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Response {
    let token = token_of(raw.as_deref());
    token_action_page(&state, &user, &CONFIRM_EMAIL_CHANGE, token, None).into_response()
}

pub async fn confirm_email_change(
    State(state): State<AppState>,
    user: CurrentUser,
    RawForm(body): RawForm,
) -> Response {
    // Confirmed from the session that asked for it, or from a browser logged out since.
    let next = if user.0.is_some() {
        "/compte"
    } else {
        "/connexion"
    };
    submit_token_action(
        &state,
        &user,
        &body,
        &CONFIRM_EMAIL_CHANGE,
        |mut identity, token| async move {
            identity
                .confirm_email_change(pb::ConfirmEmailChangeRequest { token })
                .await
                .map(|_| ())
        },
        || Redirect::to(&Flash::EmailChanged.url(next)).into_response(),
    )
    .await
}
