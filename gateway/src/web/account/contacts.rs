//! The organisation's technical contacts: adding and removing one.

use axum::{
    extract::{Path, RawForm, State},
    response::{IntoResponse, Redirect, Response},
};
use id77_proto::identity::v1 as pb;

use super::profile::{ProfileSent, profile_again};
use crate::{
    error::AppError,
    extract::PageSession,
    session::CurrentUser,
    state::AppState,
    web::{
        Flash, PageError, fields,
        forms::{Field, Form, FormData},
    },
};

pub(super) fn contact_form(data: &FormData) -> Form {
    Form::new(
        "contact-form",
        vec![
            Field::text("contact.title", "Titre")
                .value(data.get("contact.title"))
                .maxlength(100)
                .rule("contact_title"),
            Field::text("contact.full_name", "Nom et Prénom")
                .value(data.get("contact.full_name"))
                .autocomplete("off")
                .maxlength(100)
                .rule("contact_full_name"),
            Field::text("contact.service", "Service")
                .value(data.get("contact.service"))
                .maxlength(100)
                .rule("contact_service"),
            fields::email("contact.email", "E-mail", data).autocomplete("off"),
            fields::phone("contact.phone", "Numéro de téléphone", data).autocomplete("off"),
        ],
    )
}

/// The service names a contact's fields without the form's `contact.` prefix.
fn contact_field(field: &str) -> Option<&'static str> {
    match field {
        "title" => Some("contact.title"),
        "full_name" => Some("contact.full_name"),
        "service" => Some("contact.service"),
        "email" => Some("contact.email"),
        "phone" => Some("contact.phone"),
        _ => None,
    }
}

pub async fn add_contact(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let data = FormData::parse(&body);
    let request = pb::AddContactRequest {
        title: data.get("contact.title").to_owned(),
        full_name: data.get("contact.full_name").to_owned(),
        service: data.get("contact.service").to_owned(),
        email: data.get("contact.email").to_owned(),
        phone: data.get("contact.phone").to_owned(),
    };
    let result = async { state.identity()?.add_contact(&session, request).await }.await;
    let Err(error) = result else {
        let done = Flash::ContactAdded.url("/compte/profil#contacts");
        return Ok(Redirect::to(&done).into_response());
    };
    profile_again(&state, &user, &session, error, |error| {
        let mut form = contact_form(&data);
        form.set_failure(error, contact_field);
        ProfileSent {
            contact_form: Some(form),
            ..ProfileSent::default()
        }
    })
    .await
}

pub async fn remove_contact(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
) -> Result<Redirect, PageError> {
    let request = pb::RemoveContactRequest { contact_id: id };
    match async { state.identity()?.remove_contact(&session, request).await }.await {
        // Already gone (a second click, another tab): the list is as asked.
        Ok(_) | Err(AppError::NotFound(_)) => Ok(Redirect::to(
            &Flash::ContactRemoved.url("/compte/profil#contacts"),
        )),
        Err(error) => Err(error.into()),
    }
}
