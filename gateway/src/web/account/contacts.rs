//! The organisation's technical contacts: adding and removing one.

use axum::{
    extract::{Path, RawForm, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use id77_proto::identity::v1 as pb;

use super::profile::{ProfileSent, profile_again};
use crate::{
    error::AppError,
    extract::PageSession,
    session::CurrentUser,
    state::AppState,
    web::{
        Flash, failure_page,
        forms::{Field, Form, FormData, Kind},
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
            Field::new(Kind::Email, "contact.email", "E-mail")
                .value(data.get("contact.email"))
                .autocomplete("off")
                .maxlength(254)
                .rule("email"),
            Field::new(Kind::Tel, "contact.phone", "Numéro de téléphone")
                .value(data.get("contact.phone"))
                .autocomplete("off")
                .maxlength(25)
                .rule("phone"),
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
    jar: CookieJar,
    RawForm(body): RawForm,
) -> Response {
    let data = FormData::parse(&body);
    let request = pb::AddContactRequest {
        title: data.get("contact.title").to_owned(),
        full_name: data.get("contact.full_name").to_owned(),
        service: data.get("contact.service").to_owned(),
        email: data.get("contact.email").to_owned(),
        phone: data.get("contact.phone").to_owned(),
    };
    let result = match state.identity() {
        Ok(mut identity) => identity.add_contact(&session, request).await.map(|_| ()),
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => Redirect::to(&Flash::ContactAdded.url("/compte/profil#contacts")).into_response(),
        Err(error) => {
            let mut form = contact_form(&data);
            form.set_failure(&error, contact_field);
            let sent = ProfileSent {
                contact_form: Some(form),
                ..ProfileSent::default()
            };
            profile_again(&state, &user, &session, jar, &error, sent).await
        }
    }
}

pub async fn remove_contact(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Response {
    let result = match state.identity() {
        Ok(mut identity) => identity
            .remove_contact(&session, pb::RemoveContactRequest { contact_id: id })
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    match result {
        // Already gone (a second click, another tab): the list is as asked.
        Ok(()) | Err(AppError::NotFound(_)) => {
            Redirect::to(&Flash::ContactRemoved.url("/compte/profil#contacts")).into_response()
        }
        Err(error) => failure_page(&state, &user, jar, &error, "/compte/profil"),
    }
}
