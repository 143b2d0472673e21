//! Registering a member organisation, confirming its address, accepting the invitation.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use id77_proto::identity::v1 as pb;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    Body, Message, PersonBody, RepresentativeBody, TokenPasswordBody, body_error, message,
};
use crate::{
    error::{ApiError, Problem},
    state::AppState,
};

/// The registration form of a member organisation.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegistrationBody {
    #[serde(default)]
    pub organisation_name: String,
    /// `communes`, `epci`, `syndicats`.
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub siret: String,
    #[serde(default)]
    pub population: u32,
    /// The canton's name, e.g. `Fontainebleau`.
    #[serde(default)]
    pub canton: String,
    #[serde(default)]
    pub representative: RepresentativeBody,
    #[serde(default)]
    pub admin_referent: PersonBody,
    #[serde(default)]
    pub identifier: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

impl From<RegistrationBody> for pb::RegisterRequest {
    fn from(b: RegistrationBody) -> Self {
        Self {
            organisation_name: b.organisation_name,
            categories: b.categories,
            siret: b.siret,
            population: b.population,
            canton: b.canton,
            representative: Some(b.representative.into()),
            admin_referent: Some(b.admin_referent.into()),
            identifier: b.identifier,
            email: b.email,
            phone: b.phone,
        }
    }
}

pub const REGISTERED: &str = "Demande d'inscription enregistrée. Confirmez votre adresse e-mail grâce au lien que nous venons de vous envoyer ; ID77 vérifiera ensuite votre adhésion.";

/// Registers a member organisation. The answer is the same whether or not the identifier or
/// e-mail is already used.
#[utoipa::path(post, path = "/registrations", tag = "comptes", request_body = RegistrationBody,
    responses((status = 202, body = Message), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn register(
    State(state): State<AppState>,
    Body(body): Body<RegistrationBody>,
) -> Result<Response, ApiError> {
    state
        .identity()?
        .register(pb::RegisterRequest::from(body))
        .await
        .map_err(body_error)?;
    Ok((StatusCode::ACCEPTED, message(REGISTERED)).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenBody {
    pub token: String,
}

/// Confirms the e-mail address of a registration (the link's `token`).
#[utoipa::path(post, path = "/registrations/confirm", tag = "comptes", request_body = TokenBody,
    responses((status = 200, body = Message), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn confirm_registration(
    State(state): State<AppState>,
    Body(body): Body<TokenBody>,
) -> Result<Json<Message>, ApiError> {
    state
        .identity()?
        .confirm_email(pb::ConfirmEmailRequest { token: body.token })
        .await
        .map_err(body_error)?;
    Ok(message(
        "Adresse e-mail confirmée. ID77 va maintenant vérifier votre adhésion ; vous recevrez une invitation par e-mail.",
    ))
}

/// Chooses the first password from an invitation link.
#[utoipa::path(post, path = "/invitations/accept", tag = "comptes", request_body = TokenPasswordBody,
    responses((status = 200, body = Message), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    Body(body): Body<TokenPasswordBody>,
) -> Result<Json<Message>, ApiError> {
    state
        .identity()?
        .accept_invitation(pb::AcceptInvitationRequest {
            token: body.token,
            password: body.password,
        })
        .await
        .map_err(body_error)?;
    Ok(message(
        "Votre compte est activé : vous pouvez vous connecter.",
    ))
}
