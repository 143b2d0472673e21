//! The caller's organisation: its profile, its logo (and the public logo route) and its
//! technical contacts.

use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use id77_proto::identity::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Body, PersonBody, RepresentativeBody, body_error, non_empty, person, representative};
use crate::{
    error::{ApiError, Problem},
    extract::ApiSession,
    state::AppState,
};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Contact {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

impl From<pb::Contact> for Contact {
    fn from(c: pb::Contact) -> Self {
        Self {
            id: c.id,
            title: c.title,
            full_name: c.full_name,
            service: c.service,
            email: c.email,
            phone: c.phone,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Organisation {
    pub id: String,
    pub organisation_name: String,
    pub categories: Vec<String>,
    pub siret: String,
    pub population: u32,
    pub canton: String,
    pub representative: RepresentativeBody,
    pub admin_referent: PersonBody,
    pub website: Option<String>,
    /// Where the logo is served, when there is one.
    pub logo_url: Option<String>,
    pub contacts: Vec<Contact>,
}

impl From<pb::Organisation> for Organisation {
    fn from(o: pb::Organisation) -> Self {
        Self {
            logo_url: logo_url(&o),
            id: o.id,
            organisation_name: o.organisation_name,
            categories: o.categories,
            siret: o.siret,
            population: o.population,
            canton: o.canton,
            representative: representative(o.representative),
            admin_referent: person(o.admin_referent),
            website: non_empty(o.website),
            contacts: o.contacts.into_iter().map(Contact::from).collect(),
        }
    }
}

/// The caller's organisation profile with its technical contacts.
#[utoipa::path(get, path = "/organisation", tag = "comptes", responses((status = 200, body = Organisation), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn get_organisation(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> Result<Json<Organisation>, ApiError> {
    let organisation = state
        .identity()?
        .get_organisation(&session, pb::GetOrganisationRequest {})
        .await?;
    Ok(Json(organisation.into()))
}

/// Any profile field, named as in the registration.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganisationBody {
    pub organisation_name: Option<String>,
    pub categories: Option<Vec<String>>,
    pub siret: Option<String>,
    pub population: Option<u32>,
    pub canton: Option<String>,
    pub representative: Option<RepresentativeBody>,
    pub admin_referent: Option<PersonBody>,
    pub website: Option<String>,
}

/// Changes the caller's organisation profile.
#[utoipa::path(patch, path = "/organisation", tag = "comptes", request_body = OrganisationBody,
    responses((status = 200, body = Organisation), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_organisation(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Body(body): Body<OrganisationBody>,
) -> Result<Json<Organisation>, ApiError> {
    let request = pb::UpdateOrganisationRequest {
        organisation_name: body.organisation_name,
        set_categories: body.categories.is_some(),
        categories: body.categories.unwrap_or_default(),
        siret: body.siret,
        population: body.population,
        canton: body.canton,
        representative: body.representative.map(Into::into),
        admin_referent: body.admin_referent.map(Into::into),
        website: body.website,
    };
    let organisation = state
        .identity()?
        .update_organisation(&session, request)
        .await
        .map_err(body_error)?;
    Ok(Json(organisation.into()))
}

/// Replaces the organisation's logo: the request body is the image (PNG, JPEG or WebP, 2 MB at
/// most).
#[utoipa::path(put, path = "/organisation/logo", tag = "comptes", request_body(content = Vec<u8>, content_type = "image/png"),
    responses((status = 200, body = Organisation), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn set_logo(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    image: Bytes,
) -> Result<Json<Organisation>, ApiError> {
    let request = pb::SetLogoRequest {
        image: image.to_vec(),
    };
    let organisation = state
        .identity()?
        .set_logo(&session, request)
        .await
        .map_err(body_error)?;
    Ok(Json(organisation.into()))
}

/// The caller's organisation's technical contacts.
#[utoipa::path(get, path = "/organisation/contacts", tag = "comptes", responses((status = 200, body = [Contact])))]
pub async fn list_contacts(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> Result<Json<Vec<Contact>>, ApiError> {
    let organisation = state
        .identity()?
        .get_organisation(&session, pb::GetOrganisationRequest {})
        .await?;
    Ok(Json(
        organisation
            .contacts
            .into_iter()
            .map(Contact::from)
            .collect(),
    ))
}

/// Adds a technical contact.
#[utoipa::path(post, path = "/organisation/contacts", tag = "comptes", request_body = Contact,
    responses((status = 201, body = Contact), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_contact(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Body(body): Body<Contact>,
) -> Result<Response, ApiError> {
    let request = pb::AddContactRequest {
        title: body.title,
        full_name: body.full_name,
        service: body.service,
        email: body.email,
        phone: body.phone,
    };
    let contact = state
        .identity()?
        .add_contact(&session, request)
        .await
        .map_err(body_error)?;
    Ok((StatusCode::CREATED, Json(Contact::from(contact))).into_response())
}

/// Removes a technical contact.
#[utoipa::path(delete, path = "/organisation/contacts/{id}", tag = "comptes", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn remove_contact(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .identity()?
        .remove_contact(&session, pb::RemoveContactRequest { contact_id: id })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Where [`logo`] serves the organisation's logo, when it has one; the API and the pages
/// both show this URL. The version makes it change with every new logo, so it can be cached
/// for good.
pub fn logo_url(organisation: &pb::Organisation) -> Option<String> {
    (!organisation.logo_version.is_empty())
        .then(|| format!("/logos/{}?v={}", organisation.id, organisation.logo_version))
}

/// An organisation's logo (public, cacheable: its URL changes with every new logo).
pub async fn logo(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let logo = state
        .identity()?
        .get_logo(pb::GetLogoRequest {
            organisation_id: id,
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, logo.content_type),
            (
                header::CACHE_CONTROL,
                "public, max-age=31536000, immutable".to_owned(),
            ),
        ],
        logo.image,
    )
        .into_response())
}
