//! Pages of visitors without a session: login and logout, registration, and the pages the
//! e-mailed links open (confirm the address, accept the invitation, reset the password,
//! confirm a new address).
//!
//! A link's token is never used by the GET that opens it: the page shows a button that posts
//! it, so that mail scanners that follow links do not spend it.

use std::{future::Future, net::SocketAddr};

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{ConnectInfo, FromRequestParts, RawForm, RawQuery, State},
    http::request::Parts,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use id77_proto::identity::v1::{self as pb, identity_service_client::IdentityServiceClient};

use super::{
    Flash, Layout, form_status,
    forms::{
        CATEGORIES, CIVILITIES, Field, Form, FormData, Kind, TITLES, canton_field,
        population_number, same_name,
    },
    local_path, query_value,
};
use crate::{
    error::AppError,
    session::{CurrentUser, REFRESH_COOKIE, cleared_cookies, session_cookies},
    state::{AppState, GrpcChannel},
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

/// The rules of a new password, as the identity service applies them.
pub const PASSWORD_HINT: &str = "12 caractères au moins (128 au plus). Une phrase de quelques mots sans rapport entre eux est facile à retenir et difficile à deviner ; évitez votre identifiant, votre nom et celui de la collectivité.";
pub const PASSWORDS_DIFFER: &str =
    "Les deux mots de passe ne sont pas identiques : saisissez-les à nouveau.";

// ----- Login and logout ------------------------------------------------------------------------

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
        Ok(mut identity) => identity
            .login(pb::LoginRequest {
                identifier: identifier.to_owned(),
                password: password.to_owned(),
                client_address,
            })
            .await
            .map(tonic::Response::into_inner),
        Err(status) => Err(status),
    };
    match result {
        Ok(session) => {
            let jar = session_cookies(jar, &session, state.secure_cookies());
            (jar, Redirect::to(if next.is_empty() { "/" } else { &next })).into_response()
        }
        Err(status) => {
            let error = AppError::from(status);
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
            Err(status) => Err(status),
        };
        // The cookies go anyway; the token would expire on its own.
        if let Err(status) = revoked {
            tracing::warn!(%status, "logout: the refresh token could not be revoked");
        }
    }
    (cleared_cookies(jar), Redirect::to("/")).into_response()
}

// ----- Registration ----------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "register.html")]
pub struct RegisterPage {
    pub layout: Layout,
    pub form: Form,
}

pub const IDENTIFIER_WARNING: &str = "ATTENTION : ne pas utiliser d'accent, d'espace ou de signe de ponctuation. Pour un usage simplifié, merci d'opter pour un identifiant parlant (abréviation, acronyme faisant explicitement référence à votre collectivité).";

/// The guide's registration form, in its order and with its labels, filled with `data`.
pub fn register_form(data: &FormData) -> Form {
    Form::new(
        "register-form",
        vec![
            Field::text("organisation_name", "Collectivité ou organisme")
                .value(data.get("organisation_name"))
                .autocomplete("organization")
                .maxlength(200)
                .rule("organisation_name"),
            Field::new(Kind::Checkboxes, "categories", "Catégories")
                .checked(data.all("categories"))
                .options(&CATEGORIES)
                .rule("categories"),
            Field::text("siret", "Siret")
                .value(data.get("siret"))
                .hint("14 chiffres")
                .inputmode("numeric")
                .autocomplete("off")
                .maxlength(20)
                .rule("siret"),
            Field::text("population", "Population")
                .value(data.get("population"))
                .hint("Nombre d'habitants")
                .inputmode("numeric")
                .autocomplete("off")
                .maxlength(12)
                .rule("population"),
            canton_field(data),
            Field::new(Kind::Radio, "representative.title", "Titre du représentant")
                .value(data.get("representative.title"))
                .options(&TITLES)
                .rule("title"),
            Field::new(Kind::Radio, "representative.civility", "Civilité")
                .value(data.get("representative.civility"))
                .options(&CIVILITIES)
                .rule("civility"),
            Field::text("representative.first_name", "Prénom")
                .value(data.get("representative.first_name"))
                .autocomplete("off")
                .maxlength(100)
                .rule("first_name"),
            Field::text("representative.last_name", "Nom")
                .value(data.get("representative.last_name"))
                .autocomplete("off")
                .maxlength(100)
                .rule("last_name"),
            Field::new(Kind::Radio, "admin_referent.civility", "Civilité du référent administratif")
                .value(data.get("admin_referent.civility"))
                .options(&CIVILITIES)
                .rule("civility"),
            Field::text("admin_referent.first_name", "Prénom du référent")
                .value(data.get("admin_referent.first_name"))
                .autocomplete("given-name")
                .maxlength(100)
                .rule("first_name"),
            Field::text("admin_referent.last_name", "Nom du référent")
                .value(data.get("admin_referent.last_name"))
                .autocomplete("family-name")
                .maxlength(100)
                .rule("last_name"),
            Field::text("identifier", "Identifiant")
                .value(data.get("identifier"))
                .warning(IDENTIFIER_WARNING)
                .autocomplete("username")
                .maxlength(32)
                .rule("identifier"),
            Field::new(Kind::Email, "email", "E-mail")
                .value(data.get("email"))
                .hint("Vous recevrez à cette adresse une demande de confirmation pour finaliser votre demande.")
                .autocomplete("email")
                .maxlength(254)
                .rule("email"),
            Field::new(Kind::Tel, "phone", "Téléphone")
                .value(data.get("phone"))
                .hint("Par exemple 01 64 14 73 56")
                .autocomplete("tel")
                .maxlength(25)
                .rule("phone"),
        ],
    )
}

pub fn register_request(data: &FormData) -> pb::RegisterRequest {
    pb::RegisterRequest {
        organisation_name: data.get("organisation_name").to_owned(),
        categories: data.all("categories"),
        siret: data.get("siret").to_owned(),
        population: population_number(data.get("population")),
        canton: data.get("canton").to_owned(),
        representative: Some(pb::Representative {
            title: data.get("representative.title").to_owned(),
            civility: data.get("representative.civility").to_owned(),
            first_name: data.get("representative.first_name").to_owned(),
            last_name: data.get("representative.last_name").to_owned(),
        }),
        admin_referent: Some(pb::Person {
            civility: data.get("admin_referent.civility").to_owned(),
            first_name: data.get("admin_referent.first_name").to_owned(),
            last_name: data.get("admin_referent.last_name").to_owned(),
        }),
        identifier: data.get("identifier").to_owned(),
        email: data.get("email").to_owned(),
        phone: data.get("phone").to_owned(),
    }
}

pub async fn register_page(State(state): State<AppState>, user: CurrentUser) -> Response {
    RegisterPage {
        layout: Layout::new(&state, &user),
        form: register_form(&FormData::default()),
    }
    .into_response()
}

pub async fn register(
    State(state): State<AppState>,
    user: CurrentUser,
    RawForm(body): RawForm,
) -> Response {
    let data = FormData::parse(&body);
    let result = match state.identity() {
        Ok(mut identity) => identity.register(register_request(&data)).await.map(|_| ()),
        Err(status) => Err(status),
    };
    match result {
        Ok(()) => Redirect::to("/inscription/envoyee").into_response(),
        Err(status) => {
            let error = AppError::from(status);
            let mut form = register_form(&data);
            form.set_failure(&error, same_name);
            (
                form_status(&error),
                RegisterPage {
                    layout: Layout::new(&state, &user),
                    form,
                },
            )
                .into_response()
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "registered.html")]
pub struct RegisteredPage {
    pub layout: Layout,
}

pub async fn registered(State(state): State<AppState>, user: CurrentUser) -> Response {
    RegisteredPage {
        layout: Layout::new(&state, &user),
    }
    .into_response()
}

/// A page of sentences and one link.
#[derive(Template, WebTemplate)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub layout: Layout,
    pub heading: &'static str,
    pub paragraphs: Vec<&'static str>,
    pub link: (&'static str, &'static str),
}

pub async fn email_confirmed(State(state): State<AppState>, user: CurrentUser) -> Response {
    MessagePage {
        layout: Layout::new(&state, &user),
        heading: "Adresse e-mail confirmée",
        paragraphs: vec![
            "Merci : votre adresse e-mail est confirmée (étape A).",
            "ID77 vérifie maintenant que votre demande d'adhésion administrative est en cours ou finalisée (étape B). Vous recevrez ensuite un e-mail vous invitant à choisir votre mot de passe pour vous connecter à la plateforme.",
        ],
        link: ("/", "Revenir au catalogue"),
    }
    .into_response()
}

// ----- Links with a token ----------------------------------------------------------------------

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

const INCOMPLETE_LINK: &str = "Ce lien est incomplet : ouvrez-le directement depuis l'e-mail reçu, ou copiez son adresse en entier.";

fn token_of(raw: Option<&str>) -> String {
    query_value(raw, "token")
        .map(|t| t.trim().to_owned())
        .unwrap_or_default()
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
    action: "/inscription/confirmer",
    form_id: "confirm-form",
};

const CONFIRM_EMAIL_CHANGE: TokenAction = TokenAction {
    heading: "Confirmez votre nouvelle adresse e-mail",
    intro: "Confirmez que cette adresse e-mail est bien la vôtre : elle remplacera l'ancienne pour vous connecter et recevoir les messages d'ID77.",
    button: "Confirmer ma nouvelle adresse e-mail",
    action: "/compte/email/confirmer",
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
    call: impl FnOnce(IdentityServiceClient<GrpcChannel>, String) -> Fut,
    done: impl FnOnce() -> Response,
) -> Response
where
    Fut: Future<Output = Result<(), tonic::Status>>,
{
    let token = FormData::parse(body).get("token").trim().to_owned();
    let result = match state.identity() {
        Ok(identity) => call(identity, token.clone()).await,
        Err(status) => Err(status),
    };
    match result {
        Ok(()) => done(),
        Err(status) => {
            let error = AppError::from(status);
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
    action: "/invitation",
    form_id: "invitation-form",
    help: "Ce lien d'invitation ne fonctionne plus ? Contactez ID77 au 01 64 14 73 56 ou à id77@departement77.fr : nous vous en enverrons un nouveau.",
};

const RESET: PasswordChoice = PasswordChoice {
    heading: "Choisissez un nouveau mot de passe",
    intro: "Saisissez le nouveau mot de passe de votre compte. Vos sessions ouvertes sur d'autres appareils seront fermées.",
    button: "Enregistrer le nouveau mot de passe",
    action: "/reinitialiser",
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
        Err(status) => Err(status),
    };
    match result {
        Ok(flash) => Redirect::to(&flash.url("/connexion")).into_response(),
        Err(status) => {
            let error = AppError::from(status);
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
        Err(status) => Err(status),
    };
    match result {
        Ok(()) => Redirect::to(&Flash::ResetSent.url("/mot-de-passe-oublie")).into_response(),
        Err(status) => {
            let error = AppError::from(status);
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
