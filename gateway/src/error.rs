//! The gateway's one error type, mapped once: to `application/problem+json` (RFC 9457) for the
//! API, and to a French error page for the web UI (see `web::error_page`).

use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use tonic::Code;
use utoipa::ToSchema;

use crate::params::http_field_name;

/// Whether a request is the JSON API's (its failures are problem+json) rather than a page's.
pub fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// One field's problem, named as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The parameter or body field, e.g. `per_page`.
    pub field: String,
    /// What is wrong, in French.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad query parameters (400).
    #[error("paramètres invalides")]
    Invalid(Vec<FieldError>),
    /// A well-formed body whose fields break the rules (422).
    #[error("données invalides")]
    Unprocessable(Vec<FieldError>),
    #[error("authentification requise: {0}")]
    Unauthenticated(String),
    #[error("accès refusé: {0}")]
    Forbidden(String),
    #[error("conflit: {0}")]
    Conflict(String),
    #[error("trop de tentatives: {0}")]
    TooManyRequests(String),
    #[error("contenu trop volumineux: {0}")]
    TooLarge(String),
    #[error("{0}")]
    NotFound(String),
    #[error("service indisponible: {0}")]
    Unavailable(String),
    #[error("erreur interne: {0}")]
    Internal(String),
}

impl From<tonic::Status> for AppError {
    fn from(status: tonic::Status) -> Self {
        match status.code() {
            Code::InvalidArgument => {
                let mut errors: Vec<FieldError> = id77_kit::violations::field_violations(&status)
                    .into_iter()
                    .map(|v| FieldError::new(http_field_name(&v.field), v.message))
                    .collect();
                if errors.is_empty() {
                    errors.push(FieldError::new("", status.message()));
                }
                Self::Invalid(errors)
            }
            Code::NotFound => Self::NotFound(status.message().to_owned()),
            Code::Unauthenticated => Self::Unauthenticated(status.message().to_owned()),
            Code::PermissionDenied => Self::Forbidden(status.message().to_owned()),
            Code::AlreadyExists | Code::FailedPrecondition | Code::Aborted => {
                Self::Conflict(status.message().to_owned())
            }
            Code::ResourceExhausted => Self::TooManyRequests(status.message().to_owned()),
            Code::Unavailable | Code::DeadlineExceeded => {
                tracing::warn!(code = ?status.code(), message = status.message(), "backend unavailable");
                Self::Unavailable(status.message().to_owned())
            }
            _ => {
                tracing::error!(code = ?status.code(), message = status.message(), "backend error");
                Self::Internal(status.message().to_owned())
            }
        }
    }
}

impl AppError {
    /// Validation failures of a request body are 422, not 400.
    pub fn in_body(self) -> Self {
        match self {
            Self::Invalid(errors) => Self::Unprocessable(errors),
            other => other,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The French sentence shown to people.
    pub fn detail(&self) -> String {
        match self {
            Self::Invalid(errors) | Self::Unprocessable(errors) => {
                let mut detail = String::from("Certaines données sont invalides :");
                for error in errors {
                    detail.push(' ');
                    detail.push_str(&error.message);
                }
                detail
            }
            Self::NotFound(message) if !message.is_empty() => message.clone(),
            Self::NotFound(_) => "La ressource demandée n'existe pas.".to_owned(),
            Self::Unauthenticated(message)
            | Self::Forbidden(message)
            | Self::Conflict(message)
            | Self::TooManyRequests(message)
            | Self::TooLarge(message) => message.clone(),
            Self::Unavailable(_) => {
                "Le service est momentanément indisponible. Réessayez dans quelques instants."
                    .to_owned()
            }
            Self::Internal(_) => {
                "Une erreur inattendue est survenue. L'équipe ID77 en a été informée.".to_owned()
            }
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Invalid(errors) | Self::Unprocessable(errors) => errors,
            _ => &[],
        }
    }
}

/// RFC 9457 problem details, with the field errors of a validation failure.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// An [`AppError`] answered as problem+json (the JSON API's error type).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(error: E) -> Self {
        Self(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let problem = Problem {
            kind: match &self.0 {
                AppError::Invalid(_) => "/api/v1/problems/invalid-parameters".to_owned(),
                AppError::Unprocessable(_) => "/api/v1/problems/invalid-fields".to_owned(),
                _ => "about:blank".to_owned(),
            },
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.0.detail(),
            errors: self.0.field_errors().to_vec(),
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}
