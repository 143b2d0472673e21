//! The one error type of the catalog service, and its single mapping to `tonic::Status`.

use id77_kit::violations::{FieldViolation, invalid_argument};
use tonic::Status;

use crate::{domain::OfferCode, store::StoreError};

/// What a request to the catalog service can end with, other than success.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a rule, with a French message per field: `INVALID_ARGUMENT`.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldViolation>),
    /// No published offer has this code: `NOT_FOUND`.
    #[error("no published offer {0}")]
    NotFound(OfferCode),
    /// A per-account RPC on a service started without a `Verifier`: `UNAUTHENTICATED`.
    #[error("this service accepts no accounts")]
    Unauthenticated,
    /// The caller's access token was refused, or its role has no favourites: the status from
    /// `id77_kit::auth`, whose French messages are shared by every service.
    #[error("access refused: {}", .0.message())]
    Access(Status),
    /// The database failed: `INTERNAL` (logged here, once).
    #[error(transparent)]
    Store(#[from] StoreError),
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

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error {
            Error::Invalid(violations) => invalid_argument(&violations),
            Error::NotFound(code) => Status::not_found(format!(
                "Aucune offre publiée ne porte l'identifiant {code}."
            )),
            Error::Unauthenticated => Status::unauthenticated(
                "Ce service n'accepte pas encore de comptes : connectez-vous plus tard.",
            ),
            Error::Access(status) => status,
            Error::Store(error) => {
                tracing::error!(%error, "catalog store failed");
                Status::internal("Le catalogue est momentanément indisponible.")
            }
        }
    }
}
