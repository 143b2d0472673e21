//! Choosing a password from a link (the invitation's first password, a reset) and asking for
//! a reset link.

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
    session::CurrentUser,
    state::AppState,
    web::{
        Flash, Layout, form_status,
        forms::{Field, Form, FormData, Kind, same_name},
    },
};

/// The rules of a new password, as the identity service applies them.
pub const PASSWORD_HINT: &str = "12 caractères au moins (128 au plus). Une phrase de quelques mots sans rapport entre eux est facile à retenir et difficile à deviner ; évitez votre identifiant, votre nom et celui de la collectivité.";
pub const PASSWORDS_DIFFER: &str =
    "Les deux mots de passe ne sont pas identiques : saisissez-les à nouveau.";
/// Choosing a password from a link: the invitation (first password) or a reset.
#[derive(Template, WebTemplate)]
#[template(path = "password_choice.html")]
pub struct PasswordChoicePage {
    pub layout: Layout,
    pub heading: &'static str,
    pub intro: &'static str,
    pub button: &'static str,
    pub action: &'static str,
    pub token: String,
    pub form: Form,
    /// Where to get a new link when this one is dead.
    pub help: &'static str,
}

struct PasswordChoice {
    heading: &'static str,
    intro: &'static str,
    button: &'static str,
    action: &'static str,
    form_id: &'static str,
    help: &'static str,
}

const INVITATION: PasswordChoice = PasswordChoice {
    heading: "Choisissez votre mot de passe",
    intro: "Votre inscription est validée par ID77. Choisissez le mot de passe de votre compte : vous vous connecterez ensuite avec votre identifiant et ce mot de passe.",
    button: "Enregistrer mon mot de passe",
    action: links::ACCEPT_INVITATION,
    form_id: "invitation-form",
    help: "Ce lien d'invitation ne fonctionne plus ? Contactez ID77 au 01 64 14 73 56 ou à id77@departement77.fr : nous vous en enverrons un nouveau.",
};

const RESET: PasswordChoice = PasswordChoice {
    heading: "Choisissez un nouveau mot de passe",
    intro: "Saisissez le nouveau mot de passe de votre compte. Vos sessions ouvertes sur d'autres appareils seront fermées.",
    button: "Enregistrer le nouveau mot de passe",
    action: links::RESET_PASSWORD,
    form_id: "reset-form",
    help: "Ce lien ne fonctionne plus ?",
};

/// A new password and its confirmation, named `name` and `{name}_confirmation`.
pub fn new_password_fields(
    name: &'static str,
    confirmation: &'static str,
    label: &'static str,
) -> Vec<Field> {
    vec![
        Field::new(Kind::Password, name, label)
            .hint(PASSWORD_HINT)
            .autocomplete("new-password")
            .maxlength(128)
            .rule("password"),
        Field::new(Kind::Password, confirmation, "Confirmation du mot de passe")
            .autocomplete("new-password")
            .maxlength(128)
            .rule("confirmation")
            .matches(name),
    ]
}

fn password_choice_page(
    state: &AppState,
    user: &CurrentUser,
    choice: &PasswordChoice,
    token: String,
) -> PasswordChoicePage {
    let label = if choice.form_id == RESET.form_id {
        "Nouveau mot de passe"
    } else {
        "Mot de passe"
    };
    let mut form = Form::new(
        choice.form_id,
        new_password_fields("password", "password_confirmation", label),
    );
    if token.is_empty() {
        form.general.push(INCOMPLETE_LINK.to_owned());
    }
    PasswordChoicePage {
        layout: Layout::new(state, user),
        heading: choice.heading,
        intro: choice.intro,
        button: choice.button,
        action: choice.action,
        token,
        form,
        help: choice.help,
    }
}

async fn choose_password(
    state: AppState,
    user: CurrentUser,
    body: &[u8],
    choice: &PasswordChoice,
) -> Response {
    let data = FormData::parse(body);
    let token = data.get("token").trim().to_owned();
    let password = data.get("password").to_owned();
    let mut page = password_choice_page(&state, &user, choice, token.clone());
    if password != data.get("password_confirmation") {
        page.form
            .set_error("password_confirmation", PASSWORDS_DIFFER);
        return (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
    }
    let result = match state.identity() {
        Ok(mut identity) if choice.form_id == RESET.form_id => identity
            .complete_password_reset(pb::CompletePasswordResetRequest { token, password })
            .await
            .map(|_| Flash::PasswordReset),
        Ok(mut identity) => identity
            .accept_invitation(pb::AcceptInvitationRequest { token, password })
            .await
            .map(|_| Flash::AccountActivated),
        Err(error) => Err(error),
    };
    match result {
        Ok(flash) => Redirect::to(&flash.url("/connexion")).into_response(),
        Err(error) => {
            page.form.set_failure(&error, same_name);
            (form_status(&error), page).into_response()
        }
    }
}

pub async fn invitation_page(
    State(state): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Response {
    password_choice_page(&state, &user, &INVITATION, token_of(raw.as_deref())).into_response()
}

pub async fn accept_invitation(
    State(state): State<AppState>,
    user: CurrentUser,
    RawForm(body): RawForm,
) -> Response {
    choose_password(state, user, &body, &INVITATION).await
}

pub async fn reset_page(
    State(state): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Response {
    password_choice_page(&state, &user, &RESET, token_of(raw.as_deref())).into_response()
}

pub async fn reset(
    State(state): State<AppState>,
    user: CurrentUser,
    RawForm(body): RawForm,
) -> Response {
    choose_password(state, user, &body, &RESET).await
}

// ----- Forgotten password ----------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "forgot.html")]
pub struct ForgotPage {
    pub layout: Layout,
    pub form: Form,
}

fn forgot_form(email: &str) -> Form {
    Form::new(
        "forgot-form",
        vec![
            Field::new(Kind::Email, "email", "E-mail")
                .value(email)
                .hint("L'adresse e-mail de votre compte.")
                .autocomplete("email")
                .maxlength(254)
                .rule("email"),
        ],
    )
}

pub async fn forgot_page(
    State(state): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Response {
    ForgotPage {
        layout: Layout::new(&state, &user).flash(raw.as_deref()),
        form: forgot_form(""),
    }
    .into_response()
}

/// Always the same answer when the address is well-formed, whether or not it has an account.
pub async fn forgot(
    State(state): State<AppState>,
    user: CurrentUser,
    RawForm(body): RawForm,
) -> Response {
    let data = FormData::parse(&body);
    let email = data.get("email").trim().to_owned();
    let result = match state.identity() {
        Ok(mut identity) => identity
            .request_password_reset(pb::RequestPasswordResetRequest {
                email: email.clone(),
            })
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => Redirect::to(&Flash::ResetSent.url("/mot-de-passe-oublie")).into_response(),
        Err(error) => {
            let mut form = forgot_form(&email);
            form.set_failure(&error, same_name);
            (
                form_status(&error),
                ForgotPage {
                    layout: Layout::new(&state, &user),
                    form,
                },
            )
                .into_response()
        }
    }
}
