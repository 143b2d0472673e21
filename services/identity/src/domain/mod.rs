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

use id77_kit::violations::FieldViolation;
use unicode_normalization::{UnicodeNormalization as _, char::is_combining_mark};

pub use account::{
    Account, AccountPatch, AccountStatus, AccountUpdate, MAX_REJECTION_REASON_CHARS,
    RejectionReason, Role, TransitionError, UnknownValue,
};
pub use canton::Canton;
pub use contact::{Contact, ContactInput, MAX_CONTACT_FIELD_CHARS};
pub use email::{Email, MAX_EMAIL_CHARS};
pub use identifier::{Identifier, MAX_IDENTIFIER_CHARS, MIN_IDENTIFIER_CHARS};
pub use organisation::{
    Category, Logo, MAX_ORGANISATION_NAME_CHARS, MAX_POPULATION, MAX_WEBSITE_CHARS,
    MIN_ORGANISATION_NAME_CHARS, Organisation, OrganisationName, OrganisationPatch,
    OrganisationUpdate, Population, Website, parse_categories,
};
pub use person::{
    Civility, MAX_NAME_CHARS, PersonName, Referent, ReferentInput, Representative,
    RepresentativeInput, RepresentativeTitle,
};
pub use phone::Phone;
pub use registration::{Registration, RegistrationInput};
pub use siret::Siret;

/// A form's violations, gathered field by field so that the form comes back with every message
/// next to its field rather than one at a time. Every form of the domain collects them this way.
#[derive(Debug, Default)]
pub(crate) struct Violations(Vec<FieldViolation>);

impl Violations {
    /// The value, or `None` with its violation recorded under the form's `field` name (shared
    /// types such as civility and names report a generic field).
    pub(crate) fn keep<T>(&mut self, field: &str, result: Result<T, FieldViolation>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(mut violation) => {
                field.clone_into(&mut violation.field);
                self.0.push(violation);
                None
            }
        }
    }

    /// Records a violation that no parser of the domain reports.
    pub(crate) fn push(&mut self, violation: FieldViolation) {
        self.0.push(violation);
    }

    /// `value` when no field was refused, every violation otherwise.
    pub(crate) fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldViolation>> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(self.0),
        }
    }

    pub(crate) fn into_vec(self) -> Vec<FieldViolation> {
        self.0
    }
}

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
