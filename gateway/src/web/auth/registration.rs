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
        Layout, PageError, form_status,
        forms::{
            CATEGORIES, CIVILITIES, Field, Form, FormData, Kind, TITLES, canton_field,
            population_number, same_name,
        },
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
            canton_field(data, cantons),
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
