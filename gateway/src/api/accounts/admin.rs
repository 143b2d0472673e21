//! The administrators' desk: registrations to approve or reject, staff accounts to create.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use id77_proto::identity::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Account, Body, Organisation, body_error};
use crate::{
    error::{ApiError, AppError, FieldError, Problem},
    extract::ApiSession,
    state::AppState,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct Registration {
    pub account: Account,
    pub organisation: Option<Organisation>,
}

/// Registrations waiting for approval (administrators).
#[utoipa::path(get, path = "/admin/registrations", tag = "administration", responses((status = 200, body = [Registration]), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_registrations(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> Result<Json<Vec<Registration>>, ApiError> {
    let registrations = state
        .identity()?
        .list_registrations(&session, pb::ListRegistrationsRequest { status: 0 })
        .await?
        .registrations;
    Ok(Json(
        registrations
            .into_iter()
            .map(|r| Registration {
                account: r.account.unwrap_or_default().into(),
                organisation: r.organisation.map(Organisation::from),
            })
            .collect(),
    ))
}

/// Approves a registration: the member receives an invitation link.
#[utoipa::path(post, path = "/admin/registrations/{id}/approve", tag = "administration", params(("id" = String, Path)),
    responses((status = 200, body = Account), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn approve(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> Result<Json<Account>, ApiError> {
    let account = state
        .identity()?
        .approve_registration(&session, pb::ApproveRegistrationRequest { account_id: id })
        .await?;
    Ok(Json(account.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReasonBody {
    pub reason: String,
}

/// Rejects a registration with a reason, which the member receives by mail.
#[utoipa::path(post, path = "/admin/registrations/{id}/reject", tag = "administration", params(("id" = String, Path)), request_body = ReasonBody,
    responses((status = 200, body = Account), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn reject(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    Body(body): Body<ReasonBody>,
) -> Result<Json<Account>, ApiError> {
    let request = pb::RejectRegistrationRequest {
        account_id: id,
        reason: body.reason,
    };
    let account = state
        .identity()?
        .reject_registration(&session, request)
        .await
        .map_err(body_error)?;
    Ok(Json(account.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StaffBody {
    pub identifier: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// `lead` or `admin`.
    pub role: String,
}

/// Creates a lead or administrator account; the person receives an invitation link.
#[utoipa::path(post, path = "/admin/staff", tag = "administration", request_body = StaffBody,
    responses((status = 201, body = Account), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_staff(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Body(body): Body<StaffBody>,
) -> Result<Response, ApiError> {
    let role = match body.role.as_str() {
        "lead" => pb::Role::Lead,
        "admin" => pb::Role::Admin,
        _ => {
            return Err(ApiError(AppError::Unprocessable(vec![FieldError::new(
                "role",
                "Rôle inconnu : choisissez « lead » (chef de file) ou « admin ».",
            )])));
        }
    };
    let request = pb::CreateStaffRequest {
        identifier: body.identifier,
        email: body.email,
        first_name: body.first_name,
        last_name: body.last_name,
        role: role.into(),
    };
    let account = state
        .identity()?
        .create_staff(&session, request)
        .await
        .map_err(body_error)?;
    Ok((StatusCode::CREATED, Json(Account::from(account))).into_response())
}
