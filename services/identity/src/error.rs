//! The one error type of the identity service, and its single mapping to `tonic::Status`.

use id77_kit::violations::{FieldViolation, invalid_argument};
use tonic::Status;

use crate::{
    domain::TransitionError,
    store::{StoreError, Unique},
};

/// The message of every failed login, whatever failed (unknown account, wrong password, account
/// not active, throttled), so that the answer never tells which accounts exist.
pub const LOGIN_FAILED: &str = "Identifiant ou mot de passe incorrect.";

/// What a request to the identity service can end with, other than success.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a rule, with a French message per field: `INVALID_ARGUMENT`.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldViolation>),
    /// Any failed login, throttling included: `UNAUTHENTICATED` with [`LOGIN_FAILED`].
    #[error("login failed")]
    LoginFailed,
    /// A one-time link that is malformed, unknown, used, expired or no longer applies:
    /// `FAILED_PRECONDITION`, one message for all (they are not told apart).
    #[error("invalid, used or expired one-time link")]
    InvalidLink,
    /// A refresh token that is unknown, revoked or expired, or whose account can no longer log
    /// in: `UNAUTHENTICATED`.
    #[error("invalid refresh token")]
    SessionEnded,
    /// The caller's access token was refused, or its role does not allow the action: the
    /// status from `id77_kit::auth`.
    #[error("access refused: {}", .0.message())]
    Access(Status),
    /// The account of a valid access token is gone or no longer active: `UNAUTHENTICATED`.
    #[error("the caller's account is not active")]
    AccountInactive,
    /// The caller has no organisation (staff): `FAILED_PRECONDITION`.
    #[error("the caller has no organisation")]
    NoOrganisation,
    /// Nothing by that id for this caller: `NOT_FOUND`, with the French message given.
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// The action does not apply in the current state: `FAILED_PRECONDITION`, with the French
    /// message given.
    #[error("{0}")]
    Precondition(String),
    /// The database failed: `UNAVAILABLE` (logged here, once).
    #[error(transparent)]
    Store(StoreError),
    /// Anything else on our side (randomness, hashing, signing, a panicked task): `INTERNAL`
    /// (logged here, once).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    /// One violation.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldViolation::new(field, message)])
    }
}

impl From<FieldViolation> for Error {
    fn from(violation: FieldViolation) -> Self {
        Self::Invalid(vec![violation])
    }
}

impl From<Vec<FieldViolation>> for Error {
    fn from(violations: Vec<FieldViolation>) -> Self {
        Self::Invalid(violations)
    }
}

impl From<TransitionError> for Error {
    fn from(error: TransitionError) -> Self {
        match error {
            TransitionError::InvalidReason(violation) => Self::Invalid(vec![violation]),
            not_allowed @ TransitionError::NotAllowed { .. } => {
                Self::Precondition(not_allowed.to_string())
            }
        }
    }
}

/// Duplicates become field violations (the admin's staff form, "Mon compte"); a concurrent
/// change is a precondition; the rest is the database failing.
impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Taken(Unique::Identifier) => Self::invalid(
                "identifier",
                "Cet identifiant est déjà utilisé : choisissez-en un autre.",
            ),
            StoreError::Taken(Unique::Email) => Self::invalid(
                "email",
                "Cette adresse e-mail est déjà utilisée par un autre compte.",
            ),
            StoreError::Stale => Self::Precondition(
                "Ce compte a été modifié entre-temps : rechargez la page et recommencez."
                    .to_owned(),
            ),
            other => Self::Store(other),
        }
    }
}

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error {
            Error::Invalid(violations) => invalid_argument(&violations),
            Error::LoginFailed => Status::unauthenticated(LOGIN_FAILED),
            Error::InvalidLink => Status::failed_precondition(
                "Ce lien n'est plus valable : il a déjà servi, il a expiré ou il est incomplet. \
                 Demandez-en un nouveau.",
            ),
            Error::SessionEnded => {
                Status::unauthenticated("Votre session a pris fin : reconnectez-vous.")
            }
            Error::Access(status) => status,
            Error::AccountInactive => Status::unauthenticated(
                "Votre compte n'est plus actif : reconnectez-vous ou contactez ID77.",
            ),
            Error::NoOrganisation => {
                Status::failed_precondition("Votre compte n'est rattaché à aucune collectivité.")
            }
            Error::NotFound(message) => Status::not_found(message),
            Error::Precondition(message) => Status::failed_precondition(message),
            Error::Store(error) => {
                tracing::error!(%error, "identity store failed");
                Status::unavailable(
                    "Le service des comptes est momentanément indisponible : réessayez dans un \
                     instant.",
                )
            }
            Error::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "identity service failed");
                Status::internal("Une erreur interne est survenue : réessayez plus tard.")
            }
        }
    }
}
