//! The administrators' desk: registrations waiting for approval, and staff accounts.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, RawForm, RawQuery, State},
    response::{IntoResponse, Redirect, Response},
};
use id77_kit::auth::Role;
use id77_proto::identity::v1 as pb;

use super::{
    Flash, Layout, PageError, datetime_fr, fields, form_status,
    forms::{
        Field, Form, FormData, Kind, STAFF_ROLES, categories_label, person_label, phone_display,
        same_name, siret_display, thousands, title_label,
    },
    shown_in_form,
};
use crate::{
    error::AppError,
    extract::PageSession,
    session::{CurrentUser, Session},
    state::AppState,
};

const HERE: &str = "/admin/inscriptions";

pub struct RegistrationView {
    pub id: String,
    pub organisation: String,
    pub categories: String,
    pub siret: String,
    pub canton: String,
    pub population: String,
    /// `Maire : M. Louis Vogel`.
    pub representative: String,
    pub referent: String,
    pub identifier: String,
    pub email: String,
    pub phone: String,
    pub phone_href: String,
    pub submitted: String,
    /// The reason of a refusal, with its error when one was refused.
    pub reject_form: Form,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_registrations.html")]
pub struct AdminPage {
    pub layout: Layout,
    pub registrations: Vec<RegistrationView>,
    /// What went wrong with an action on a registration.
    pub general: Vec<String>,
    pub staff_form: Form,
}

fn reject_form(account_id: &str, reason: &str) -> Form {
    Form::new(
        "reject-form",
        vec![
            Field::new(Kind::Textarea, "reason", "Motif du refus")
                .id(format!("reason-{account_id}"))
                .value(reason)
                .hint("Envoyé par e-mail au demandeur.")
                .maxlength(1000)
                .rule("reason"),
        ],
    )
}

fn staff_form(data: &FormData) -> Form {
    Form::new(
        "staff-form",
        vec![
            fields::identifier(data).autocomplete("off"),
            fields::email("email", "E-mail", data).autocomplete("off"),
            fields::first_name("first_name", "Prénom", "off", data),
            fields::last_name("last_name", "Nom", "off", data),
            Field::new(Kind::Radio, "role", "Rôle")
                .value(data.get("role"))
                .options(&STAFF_ROLES)
                .rule("role"),
        ],
    )
}

fn registration_view(registration: pb::Registration) -> RegistrationView {
    let account = registration.account.unwrap_or_default();
    let organisation = registration.organisation.unwrap_or_default();
    let representative = organisation.representative.unwrap_or_default();
    let referent = organisation.admin_referent.unwrap_or_default();
    RegistrationView {
        reject_form: reject_form(&account.id, ""),
        id: account.id,
        organisation: organisation.organisation_name,
        categories: categories_label(&organisation.categories),
        siret: siret_display(&organisation.siret),
        canton: organisation.canton,
        population: thousands(organisation.population),
        representative: format!(
            "{} : {}",
            title_label(&representative.title),
            person_label(
                &representative.civility,
                &representative.first_name,
                &representative.last_name
            )
        ),
        referent: person_label(
            &referent.civility,
            &referent.first_name,
            &referent.last_name,
        ),
        identifier: account.identifier,
        email: account.email,
        phone: phone_display(&account.phone),
        phone_href: account.phone,
        submitted: datetime_fr(account.created_at.as_ref()),
    }
}

/// The caller's session if it is an administrator's; else "Accès refusé".
fn require_admin(session: Session) -> Result<Session, PageError> {
    if session.claims.role != Role::Admin {
        let message = "Cette page est réservée aux administrateurs d'ID77.";
        return Err(AppError::Forbidden(message.to_owned()).into());
    }
    Ok(session)
}

async fn admin_page(
    state: &AppState,
    user: &CurrentUser,
    session: &Session,
    raw_query: Option<&str>,
) -> Result<AdminPage, AppError> {
    let registrations = state
        .identity()?
        .list_registrations(session, pb::ListRegistrationsRequest { status: 0 })
        .await?
        .registrations;
    Ok(AdminPage {
        layout: Layout::new(state, user).flash(raw_query),
        registrations: registrations.into_iter().map(registration_view).collect(),
        general: Vec::new(),
        staff_form: staff_form(&FormData::default()),
    })
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    RawQuery(raw): RawQuery,
) -> Result<AdminPage, PageError> {
    let session = require_admin(session)?;
    Ok(admin_page(&state, &user, &session, raw.as_deref()).await?)
}

/// The page again after a failed action, `adjust` putting the error where it belongs.
async fn page_again(
    state: &AppState,
    user: &CurrentUser,
    session: &Session,
    error: AppError,
    adjust: impl FnOnce(&mut AdminPage, &AppError),
) -> Result<Response, PageError> {
    let error = shown_in_form(error)?;
    let mut page = admin_page(state, user, session, None).await?;
    adjust(&mut page, &error);
    Ok((form_status(&error), page).into_response())
}

pub async fn approve(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let session = require_admin(session)?;
    let request = pb::ApproveRegistrationRequest { account_id: id };
    let result = async {
        state
            .identity()?
            .approve_registration(&session, request)
            .await
    }
    .await;
    let Err(error) = result else {
        return Ok(Redirect::to(&Flash::RegistrationApproved.url(HERE)).into_response());
    };
    page_again(&state, &user, &session, error, |page, error| {
        page.general.push(error.detail())
    })
    .await
}

pub async fn reject(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let session = require_admin(session)?;
    let reason = FormData::parse(&body).get("reason").to_owned();
    let request = pb::RejectRegistrationRequest {
        account_id: id.clone(),
        reason: reason.clone(),
    };
    let result = async {
        state
            .identity()?
            .reject_registration(&session, request)
            .await
    }
    .await;
    let Err(error) = result else {
        return Ok(Redirect::to(&Flash::RegistrationRejected.url(HERE)).into_response());
    };
    page_again(&state, &user, &session, error, |page, error| {
        match page.registrations.iter_mut().find(|r| r.id == id) {
            Some(registration) => {
                let mut form = reject_form(&id, &reason);
                form.set_failure(error, same_name);
                registration.reject_form = form;
            }
            None => page.general.push(error.detail()),
        }
    })
    .await
}

pub async fn create_staff(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let session = require_admin(session)?;
    let data = FormData::parse(&body);
    let role = match data.get("role") {
        "lead" => pb::Role::Lead,
        "admin" => pb::Role::Admin,
        _ => pb::Role::Unspecified,
    };
    let request = pb::CreateStaffRequest {
        identifier: data.get("identifier").to_owned(),
        email: data.get("email").to_owned(),
        first_name: data.get("first_name").to_owned(),
        last_name: data.get("last_name").to_owned(),
        role: role.into(),
    };
    let result = async { state.identity()?.create_staff(&session, request).await }.await;
    let Err(error) = result else {
        return Ok(Redirect::to(&Flash::StaffCreated.url(HERE)).into_response());
    };
    page_again(&state, &user, &session, error, |page, error| {
        let mut form = staff_form(&data);
        form.set_failure(error, same_name);
        page.staff_form = form;
    })
    .await
}
