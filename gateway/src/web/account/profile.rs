//! "Profil de la collectivité": the organisation's profile form, and the page the logo and
//! contact forms come back to with their errors.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{RawForm, RawQuery, State},
    response::{IntoResponse, Redirect, Response},
};
use id77_proto::identity::v1 as pb;

use super::{ContactView, contact_view, contacts::contact_form, get_organisation, logo_url};
use crate::{
    error::AppError,
    extract::PageSession,
    session::{CurrentUser, Session},
    state::AppState,
    web::{
        Flash, Layout, PageError, fields, form_status,
        forms::{
            Field, Form, FormData, Kind, canton_field, population_number, same_name, siret_display,
        },
        reference, shown_in_form,
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "profile.html")]
pub struct ProfilePage {
    pub layout: Layout,
    pub name: String,
    pub form: Form,
    pub logo_url: Option<String>,
    pub logo_error: Option<String>,
    pub contacts: Vec<ContactView>,
    pub contact_form: Form,
}

/// The guide's profile form, filled with `data` (names as in the registration).
fn profile_form(data: &FormData, cantons: &[String]) -> Form {
    Form::new(
        "profile-form",
        vec![
            fields::organisation_name("Collectivité / Organisme", data),
            canton_field(data, cantons),
            fields::population(data),
            fields::siret("SIRET", data),
            Field::new(Kind::Url, "website", "Site Internet")
                .value(data.get("website"))
                .hint("Par exemple https://www.mairie-melun.fr")
                .autocomplete("url")
                .maxlength(300)
                .rule("website")
                .optional(),
            fields::civility("representative.civility", "Civilité Président/Maire", data),
            fields::title("Titre (Président/Maire)", data),
            fields::first_name(
                "representative.first_name",
                "Prénom Président/Maire",
                "off",
                data,
            ),
            fields::last_name(
                "representative.last_name",
                "Nom Président/Maire",
                "off",
                data,
            ),
            fields::civility(
                "admin_referent.civility",
                "Civilité du référent administratif",
                data,
            ),
            fields::first_name(
                "admin_referent.first_name",
                "Prénom du référent",
                "off",
                data,
            ),
            fields::last_name("admin_referent.last_name", "Nom du référent", "off", data),
            fields::categories(data),
        ],
    )
}

fn profile_data(organisation: &pb::Organisation) -> FormData {
    let representative = organisation.representative.clone().unwrap_or_default();
    let referent = organisation.admin_referent.clone().unwrap_or_default();
    let mut pairs = vec![
        ("organisation_name", organisation.organisation_name.clone()),
        ("canton", organisation.canton.clone()),
        ("population", organisation.population.to_string()),
        ("siret", siret_display(&organisation.siret)),
        ("website", organisation.website.clone()),
        ("representative.civility", representative.civility),
        ("representative.title", representative.title),
        ("representative.first_name", representative.first_name),
        ("representative.last_name", representative.last_name),
        ("admin_referent.civility", referent.civility),
        ("admin_referent.first_name", referent.first_name),
        ("admin_referent.last_name", referent.last_name),
    ];
    pairs.extend(
        organisation
            .categories
            .iter()
            .map(|c| ("categories", c.clone())),
    );
    FormData::from_pairs(pairs)
}

/// What went wrong on one of the profile page's forms, to show with it.
#[derive(Default)]
pub(super) struct ProfileSent {
    pub(super) form: Option<Form>,
    pub(super) logo_error: Option<String>,
    pub(super) contact_form: Option<Form>,
}

async fn build_profile_page(
    state: &AppState,
    user: &CurrentUser,
    session: &Session,
    raw_query: Option<&str>,
    sent: ProfileSent,
) -> Result<ProfilePage, AppError> {
    let organisation = get_organisation(state, session).await?;
    let cantons = reference::cantons(state).await?;
    Ok(ProfilePage {
        layout: Layout::new(state, user).flash(raw_query),
        name: organisation.organisation_name.clone(),
        form: sent
            .form
            .unwrap_or_else(|| profile_form(&profile_data(&organisation), &cantons)),
        logo_url: logo_url(&organisation),
        logo_error: sent.logo_error,
        contacts: organisation.contacts.iter().map(contact_view).collect(),
        contact_form: sent
            .contact_form
            .unwrap_or_else(|| contact_form(&FormData::default())),
    })
}

/// The profile page again with what was sent and its errors, with the status of `error`.
pub(super) async fn profile_again(
    state: &AppState,
    user: &CurrentUser,
    session: &Session,
    error: AppError,
    sent: impl FnOnce(&AppError) -> ProfileSent,
) -> Result<Response, PageError> {
    let error = shown_in_form(error)?;
    let page = build_profile_page(state, user, session, None, sent(&error)).await?;
    Ok((form_status(&error), page).into_response())
}

pub async fn profile_page(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    RawQuery(raw): RawQuery,
) -> Result<ProfilePage, PageError> {
    let sent = ProfileSent::default();
    Ok(build_profile_page(&state, &user, &session, raw.as_deref(), sent).await?)
}

pub async fn update_profile(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let data = FormData::parse(&body);
    let request = pb::UpdateOrganisationRequest {
        organisation_name: Some(data.get("organisation_name").to_owned()),
        categories: data.all("categories"),
        set_categories: true,
        siret: Some(data.get("siret").to_owned()),
        population: Some(population_number(data.get("population"))),
        canton: Some(data.get("canton").to_owned()),
        representative: Some(fields::representative(&data)),
        admin_referent: Some(fields::admin_referent(&data)),
        website: Some(data.get("website").to_owned()),
    };
    let result = async {
        state
            .identity()?
            .update_organisation(&session, request)
            .await
    }
    .await;
    let Err(error) = result else {
        return Ok(Redirect::to(&Flash::ProfileSaved.url("/compte")).into_response());
    };
    // Without the list (the service is down), the form comes back with the error alone.
    let cantons = reference::cantons(&state).await.unwrap_or_default();
    profile_again(&state, &user, &session, error, |error| {
        let mut form = profile_form(&data, &cantons);
        form.set_failure(error, same_name);
        ProfileSent {
            form: Some(form),
            ..ProfileSent::default()
        }
    })
    .await
}
