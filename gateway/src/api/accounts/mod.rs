//! Accounts over JSON: registration, invitations, sessions, password resets, the caller's
//! account and organisation (profile, logo, technical contacts) and the administrators'
//! registrations desk. Each handler translates to one identity RPC; the identity service
//! decides and validates, and its field violations come back as 422 problems.
//!
//! One file per resource; this one keeps what several of them share (the JSON body extractor,
//! the people and account bodies). Everything public is re-exported here, so that the routes
//! and the OpenAPI document name `accounts::<handler>` wherever the handler lives.

use axum::{
    Json,
    body::Bytes,
    extract::{FromRequest, Request},
};
use chrono::{DateTime, Utc};
use id77_proto::identity::v1 as pb;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use utoipa::ToSchema;

use crate::{
    error::{ApiError, AppError, FieldError},
    time::timestamp,
};

mod admin;
mod me;
mod organisation;
mod registration;
mod session;

pub use admin::*;
pub use me::*;
pub use organisation::*;
pub use registration::*;
pub use session::*;

/// A JSON body whose syntax errors are 422 problems in French rather than plain text.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state).await.map_err(|_| {
            AppError::Unprocessable(vec![FieldError::new("", "Corps de requête illisible.")])
        })?;
        serde_json::from_slice(&bytes).map(Body).map_err(|error| {
            ApiError(AppError::Unprocessable(vec![FieldError::new(
                "",
                format!("JSON invalide : {error}"),
            )]))
        })
    }
}

/// A service's refusal of a request body: validation failures are 422.
fn body_error(error: AppError) -> ApiError {
    ApiError(error.in_body())
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Default)]
pub struct PersonBody {
    /// `femme` or `homme`.
    #[serde(default)]
    pub civility: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Default)]
pub struct RepresentativeBody {
    /// `maire` or `president`.
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub civility: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
}

impl From<PersonBody> for pb::Person {
    fn from(p: PersonBody) -> Self {
        Self {
            civility: p.civility,
            first_name: p.first_name,
            last_name: p.last_name,
        }
    }
}

impl From<RepresentativeBody> for pb::Representative {
    fn from(r: RepresentativeBody) -> Self {
        Self {
            title: r.title,
            civility: r.civility,
            first_name: r.first_name,
            last_name: r.last_name,
        }
    }
}

fn person(p: Option<pb::Person>) -> PersonBody {
    let p = p.unwrap_or_default();
    PersonBody {
        civility: p.civility,
        first_name: p.first_name,
        last_name: p.last_name,
    }
}

fn representative(r: Option<pb::Representative>) -> RepresentativeBody {
    let r = r.unwrap_or_default();
    RepresentativeBody {
        title: r.title,
        civility: r.civility,
        first_name: r.first_name,
        last_name: r.last_name,
    }
}

/// What the platform says back, in French.
#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    pub message: String,
}

fn message(text: &str) -> Json<Message> {
    Json(Message {
        message: text.to_owned(),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenPasswordBody {
    pub token: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    pub id: String,
    pub identifier: String,
    pub email: String,
    /// The new address waiting for confirmation, if any.
    pub pending_email: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    /// `member`, `lead` or `admin`.
    pub role: String,
    /// `pending_email`, `pending_approval`, `invited`, `active`, `rejected`, `disabled`.
    pub status: String,
    pub organisation_id: Option<String>,
    pub organisation_name: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub rejection_reason: Option<String>,
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

impl From<pb::Account> for Account {
    fn from(a: pb::Account) -> Self {
        let role = match pb::Role::try_from(a.role) {
            Ok(pb::Role::Admin) => "admin",
            Ok(pb::Role::Lead) => "lead",
            _ => "member",
        };
        let status = match pb::AccountStatus::try_from(a.status) {
            Ok(pb::AccountStatus::PendingEmail) => "pending_email",
            Ok(pb::AccountStatus::PendingApproval) => "pending_approval",
            Ok(pb::AccountStatus::Invited) => "invited",
            Ok(pb::AccountStatus::Active) => "active",
            Ok(pb::AccountStatus::Rejected) => "rejected",
            Ok(pb::AccountStatus::Disabled) => "disabled",
            _ => "unknown",
        };
        Self {
            id: a.id,
            identifier: a.identifier,
            email: a.email,
            pending_email: non_empty(a.pending_email),
            first_name: a.first_name,
            last_name: a.last_name,
            phone: a.phone,
            role: role.to_owned(),
            status: status.to_owned(),
            organisation_id: non_empty(a.organisation_id),
            organisation_name: non_empty(a.organisation_name),
            created_at: timestamp(a.created_at.as_ref()),
            rejection_reason: non_empty(a.rejection_reason),
        }
    }
}
