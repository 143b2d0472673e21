//! Pages of visitors without a session: login and logout, registration, and the pages the
//! e-mailed links open (confirm the address, accept the invitation, reset the password,
//! confirm a new address).
//!
//! A link's token is never used by the GET that opens it: the page shows a button that posts
//! it, so that mail scanners that follow links do not spend it.
//!
//! One file per resource; this one keeps what the link pages share, and re-exports every
//! page so that the router names `auth::<handler>` wherever it lives.

use super::query_value;

mod confirmation;
mod login;
mod password;
mod registration;

pub use confirmation::*;
pub use login::*;
pub use password::*;
pub use registration::*;

const INCOMPLETE_LINK: &str = "Ce lien est incomplet : ouvrez-le directement depuis l'e-mail reçu, ou copiez son adresse en entier.";

fn token_of(raw: Option<&str>) -> String {
    query_value(raw, "token")
        .map(|t| t.trim().to_owned())
        .unwrap_or_default()
}
