//! Registering a member organisation, and the pages after it.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{RawForm, State},
    response::{IntoResponse, Redirect, Response},
};
use id77_proto::identity::v1 as pb;

use crate::{
    session::CurrentUser,
    state::AppState,
    web::{
        Layout, PageError, fields, form_status,
        forms::{Form, FormData, canton_field, population_number, same_name},
        reference,
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "register.html")]
pub struct RegisterPage {
    pub layout: Layout,
    pub form: Form,
}

pub const IDENTIFIER_WARNING: &str = "ATTENTION : ne pas utiliser d'accent, d'espace ou de signe de ponctuation. Pour un usage simplifié, merci d'opter pour un identifiant parlant (abréviation, acronyme faisant explicitement référence à votre collectivité).";

/// The guide's registration form, in its order and with its labels, filled with `data`.
pub fn register_form(data: &FormData, cantons: &[String]) -> Form {
    Form::new(
        "register-form",
        vec![
            fields::organisation_name("Collectivité ou organisme", data),
            fields::categories(data),
            fields::siret("Siret", data),
            fields::population(data),
            canton_field(data, cantons),
            fields::title("Titre du représentant", data),
            fields::civility("representative.civility", "Civilité", data),
            fields::first_name("representative.first_name", "Prénom", "off", data),
            fields::last_name("representative.last_name", "Nom", "off", data),
            fields::civility(
                "admin_referent.civility",
                "Civilité du référent administratif",
                data,
            ),
            fields::first_name(
                "admin_referent.first_name",
                "Prénom du référent",
                "given-name",
                data,
            ),
            fields::last_name(
                "admin_referent.last_name",
                "Nom du référent",
                "family-name",
                data,
            ),
            fields::identifier(data)
                .warning(IDENTIFIER_WARNING)
                .autocomplete("username"),
            fields::email("email", "E-mail", data)
                .hint("Vous recevrez à cette adresse une demande de confirmation pour finaliser votre demande.")
                .autocomplete("email"),
            fields::phone("phone", "Téléphone", data)
                .hint("Par exemple 01 64 14 73 56")
                .autocomplete("tel"),
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
        representative: Some(fields::representative(data)),
        admin_referent: Some(fields::admin_referent(data)),
        identifier: data.get("identifier").to_owned(),
        email: data.get("email").to_owned(),
        phone: data.get("phone").to_owned(),
    }
}

pub async fn register_page(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, PageError> {
    let cantons = reference::cantons(&state).await?;
    Ok(RegisterPage {
        layout: Layout::new(&state, &user),
        form: register_form(&FormData::default(), &cantons),
    }
    .into_response())
}

pub async fn register(
    State(state): State<AppState>,
    user: CurrentUser,
    RawForm(body): RawForm,
) -> Response {
    let data = FormData::parse(&body);
    let result = match state.identity() {
        Ok(mut identity) => identity.register(register_request(&data)).await.map(|_| ()),
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => Redirect::to("/inscription/envoyee").into_response(),
        Err(error) => {
            // Without the list (the service is down), the form comes back with the error alone.
            let cantons = reference::cantons(&state).await.unwrap_or_default();
            let mut form = register_form(&data, &cantons);
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
