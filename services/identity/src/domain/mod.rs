//! The identity domain: values parsed at the edge and the rules on accounts.
//!
//! Every input type has `parse(&str) -> Result<Self, FieldViolation>`: the violation names the
//! field as in the registration JSON and says in plain French what is expected, so that the
//! gateway can show it next to the field. A value of one of these types is valid by
//! construction; the gRPC, store and HTTP layers pass them around instead of strings. The
//! entities the store keeps ([`Account`], [`Organisation`] and its [`Logo`], [`Contact`]) are
//! made of these values.

mod account;
mod canton;
mod contact;
mod email;
mod identifier;
mod organisation;
mod person;
mod phone;
mod registration;
mod siret;

use unicode_normalization::{UnicodeNormalization as _, char::is_combining_mark};

pub use account::{
    Account, AccountStatus, MAX_REJECTION_REASON_CHARS, RejectionReason, Role, TransitionError,
    UnknownValue,
};
pub use canton::Canton;
pub use contact::Contact;
pub use email::{Email, MAX_EMAIL_CHARS};
pub use identifier::{Identifier, MAX_IDENTIFIER_CHARS, MIN_IDENTIFIER_CHARS};
pub use organisation::{
    Category, Logo, MAX_ORGANISATION_NAME_CHARS, MAX_POPULATION, MAX_WEBSITE_CHARS,
    MIN_ORGANISATION_NAME_CHARS, Organisation, OrganisationName, Population, Website,
};
pub use person::{Civility, MAX_NAME_CHARS, PersonName, RepresentativeTitle};
pub use phone::Phone;
pub use registration::{
    Referent, ReferentInput, Registration, RegistrationInput, Representative, RepresentativeInput,
    parse_categories,
};
pub use siret::Siret;

/// A comparison key for choices typed or picked in a list: lower case, accents dropped, and any
/// run of other characters than letters and digits made one space (`La Ferté-sous-Jouarre` →
/// `la ferte sous jouarre`, `M.` → `m`).
fn fold(input: &str) -> String {
    let mut key = String::with_capacity(input.len());
    let mut pending_space = false;
    for c in input.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            if pending_space && !key.is_empty() {
                key.push(' ');
            }
            pending_space = false;
            key.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn fold_drops_case_accents_and_punctuation() {
        assert_eq!(fold("  La Ferté-sous-Jouarre "), "la ferte sous jouarre");
        assert_eq!(fold("Président(e)"), "president e");
        assert_eq!(fold("M."), "m");
        assert_eq!(fold("ÉCOLE  d’Été"), "ecole d ete");
        assert_eq!(fold("--"), "");
    }
}
