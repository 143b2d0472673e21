//! People named on a registration or a profile: civility, representative's title, names, and
//! the representative and administrative referent they make up.

use std::fmt;

use id77_kit::violations::FieldViolation;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization as _;

use super::{Violations, fold};

/// Longest first or last name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Civility, as the forms ask it ("Femme" / "Homme"), used to address letters and e-mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Civility {
    /// `femme`, addressed as "Mme".
    Femme,
    /// `homme`, addressed as "M.".
    Homme,
}

impl Civility {
    /// Both values, in the order of the form.
    pub const ALL: [Civility; 2] = [Civility::Femme, Civility::Homme];

    /// Accepts the JSON values (`femme`, `homme`), the form's words and the usual abbreviations
    /// (`Mme`, `Madame`, `M.`, `Monsieur`), in any case. The violation's field is `civility`: a
    /// caller parsing one of several civilities renames it (`admin_referent.civility`).
    pub fn parse(input: &str) -> Result<Self, FieldViolation> {
        match fold(input).as_str() {
            "femme" | "mme" | "madame" => Ok(Civility::Femme),
            "homme" | "m" | "monsieur" => Ok(Civility::Homme),
            _ => Err(FieldViolation::new(
                "civility",
                "Choisissez la civilité : Femme ou Homme.",
            )),
        }
    }

    /// The JSON and storage value: `femme` or `homme`.
    pub fn as_str(self) -> &'static str {
        match self {
            Civility::Femme => "femme",
            Civility::Homme => "homme",
        }
    }

    /// The abbreviation used in front of a name: `Mme` or `M.`.
    pub fn label(self) -> &'static str {
        match self {
            Civility::Femme => "Mme",
            Civility::Homme => "M.",
        }
    }
}

impl fmt::Display for Civility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The title of the person who represents the organisation: the mayor of a commune, the
/// president of an EPCI or a syndicat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RepresentativeTitle {
    /// `maire`, shown "Maire".
    Maire,
    /// `president`, shown "Président(e)".
    President,
}

impl RepresentativeTitle {
    /// Both values, in the order of the form.
    pub const ALL: [RepresentativeTitle; 2] =
        [RepresentativeTitle::Maire, RepresentativeTitle::President];

    /// Accepts `maire` and `president`, and the labels as written (`Président(e)`,
    /// `Présidente`), in any case and with or without accents.
    pub fn parse(input: &str) -> Result<Self, FieldViolation> {
        match fold(input).as_str() {
            "maire" => Ok(RepresentativeTitle::Maire),
            "president" | "presidente" | "president e" => Ok(RepresentativeTitle::President),
            _ => Err(FieldViolation::new(
                "representative.title",
                "Choisissez le titre du représentant : Maire ou Président(e).",
            )),
        }
    }

    /// The JSON and storage value: `maire` or `president`.
    pub fn as_str(self) -> &'static str {
        match self {
            RepresentativeTitle::Maire => "maire",
            RepresentativeTitle::President => "president",
        }
    }

    /// The label of the form: `Maire` or `Président(e)`.
    pub fn label(self) -> &'static str {
        match self {
            RepresentativeTitle::Maire => "Maire",
            RepresentativeTitle::President => "Président(e)",
        }
    }
}

impl fmt::Display for RepresentativeTitle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A first or last name: 1 to 100 characters, letters (accented ones too), spaces, hyphens and
/// apostrophes (`Jean-Pierre`, `N'Diaye`, `de La Tour d’Auvergne`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

impl PersonName {
    /// Parses a name for the field `name`; see [`PersonName::parse_field`] to name the field.
    pub fn parse(input: &str) -> Result<Self, FieldViolation> {
        Self::parse_field("name", input)
    }

    /// Parses a name for `field` (`representative.first_name`, `admin_referent.last_name`…): the
    /// message speaks of a "prénom" when the field is a first name, of a "nom" otherwise.
    ///
    /// The name is put in NFC form, so that an "é" typed as "e" plus a combining accent (as some
    /// keyboards and PDFs produce) counts as one letter, and inner runs of spaces become one.
    pub fn parse_field(field: &str, input: &str) -> Result<Self, FieldViolation> {
        let what = if field.ends_with("first_name") {
            "le prénom"
        } else {
            "le nom"
        };
        let name = input
            .nfc()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let length = name.chars().count();
        if length == 0 || length > MAX_NAME_CHARS {
            return Err(FieldViolation::new(
                field,
                format!("Indiquez {what} (de 1 à {MAX_NAME_CHARS} caractères)."),
            ));
        }
        let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’');
        if !name.chars().all(allowed) || !name.chars().any(char::is_alphabetic) {
            return Err(FieldViolation::new(
                field,
                format!(
                    "Écrivez {what} avec des lettres (accents compris), des espaces, des traits \
                     d'union et des apostrophes seulement, sans chiffres ni autres signes."
                ),
            ));
        }
        Ok(Self(name))
    }

    /// The name as cleaned up.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The representative's part of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct RepresentativeInput {
    /// `maire` or `president`.
    pub title: String,
    /// `femme` or `homme`.
    pub civility: String,
    /// "Prénom".
    pub first_name: String,
    /// "Nom".
    pub last_name: String,
}

/// The administrative referent's part of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ReferentInput {
    /// `femme` or `homme`.
    pub civility: String,
    /// "Prénom du référent".
    pub first_name: String,
    /// "Nom du référent".
    pub last_name: String,
}

/// The mayor or president of the organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Representative {
    /// Maire or Président(e).
    pub title: RepresentativeTitle,
    /// Mme or M.
    pub civility: Civility,
    /// First name.
    pub first_name: PersonName,
    /// Last name.
    pub last_name: PersonName,
}

/// A named person with a civility: the administrative referent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referent {
    /// Mme or M.
    pub civility: Civility,
    /// First name.
    pub first_name: PersonName,
    /// Last name.
    pub last_name: PersonName,
}

impl Representative {
    /// The four fields of the registration and profile forms, each violation recorded under
    /// `representative.<field>`; `None` when any is refused.
    pub(super) fn parse_fields(input: &RepresentativeInput, v: &mut Violations) -> Option<Self> {
        let title = v.keep(
            "representative.title",
            RepresentativeTitle::parse(&input.title),
        );
        let person = civil_person(
            v,
            "representative",
            [&input.civility, &input.first_name, &input.last_name],
        );
        let (civility, first_name, last_name) = person?;
        Some(Self {
            title: title?,
            civility,
            first_name,
            last_name,
        })
    }
}

impl Referent {
    /// The three fields of the registration and profile forms, each violation recorded under
    /// `admin_referent.<field>`; `None` when any is refused.
    pub(super) fn parse_fields(input: &ReferentInput, v: &mut Violations) -> Option<Self> {
        let (civility, first_name, last_name) = civil_person(
            v,
            "admin_referent",
            [&input.civility, &input.first_name, &input.last_name],
        )?;
        Some(Self {
            civility,
            first_name,
            last_name,
        })
    }
}

/// The civility, first and last name of the person the form names `prefix`, each violation
/// recorded under `<prefix>.civility`, `<prefix>.first_name`, `<prefix>.last_name`.
fn civil_person(
    v: &mut Violations,
    prefix: &str,
    [civility, first_name, last_name]: [&str; 3],
) -> Option<(Civility, PersonName, PersonName)> {
    let civility = v.keep(&format!("{prefix}.civility"), Civility::parse(civility));
    let first_name = name(v, &format!("{prefix}.first_name"), first_name);
    let last_name = name(v, &format!("{prefix}.last_name"), last_name);
    Some((civility?, first_name?, last_name?))
}

/// A name of the form's `field`, whose message says "prénom" or "nom" after that field.
fn name(v: &mut Violations, field: &str, input: &str) -> Option<PersonName> {
    v.keep(field, PersonName::parse_field(field, input))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civility_values_labels_and_synonyms() {
        for (input, expected) in [
            ("femme", Civility::Femme),
            ("Femme", Civility::Femme),
            ("Mme", Civility::Femme),
            ("madame", Civility::Femme),
            ("homme", Civility::Homme),
            ("M.", Civility::Homme),
            ("Monsieur", Civility::Homme),
        ] {
            assert_eq!(Civility::parse(input).unwrap(), expected, "{input:?}");
        }
        assert_eq!(Civility::Femme.label(), "Mme");
        assert_eq!(Civility::Homme.label(), "M.");
        assert_eq!(Civility::Femme.as_str(), "femme");
        for input in ["", "mlle", "autre", "f"] {
            let violation = Civility::parse(input).unwrap_err();
            assert_eq!(violation.field, "civility");
            assert!(violation.message.contains("Femme ou Homme"));
        }
    }

    #[test]
    fn civility_serialises_as_its_json_value() {
        assert_eq!(
            serde_json::to_string(&Civility::Homme).unwrap(),
            "\"homme\""
        );
        assert_eq!(
            serde_json::from_str::<Civility>("\"femme\"").unwrap(),
            Civility::Femme
        );
    }

    #[test]
    fn representative_title_values_and_labels() {
        for (input, expected) in [
            ("maire", RepresentativeTitle::Maire),
            ("MAIRE", RepresentativeTitle::Maire),
            ("president", RepresentativeTitle::President),
            ("Président(e)", RepresentativeTitle::President),
            ("présidente", RepresentativeTitle::President),
        ] {
            assert_eq!(
                RepresentativeTitle::parse(input).unwrap(),
                expected,
                "{input:?}"
            );
        }
        assert_eq!(RepresentativeTitle::Maire.label(), "Maire");
        assert_eq!(RepresentativeTitle::President.label(), "Président(e)");
        assert_eq!(RepresentativeTitle::President.as_str(), "president");
        for input in ["", "adjoint", "maire adjoint"] {
            let violation = RepresentativeTitle::parse(input).unwrap_err();
            assert_eq!(violation.field, "representative.title");
            assert!(violation.message.contains("Maire ou Président(e)"));
        }
    }

    #[test]
    fn names_with_accents_hyphens_and_apostrophes() {
        for (input, expected) in [
            ("  Jean-Pierre ", "Jean-Pierre"),
            ("N'Diaye", "N'Diaye"),
            ("de La Tour  d’Auvergne", "de La Tour d’Auvergne"),
            ("Éloïse", "Éloïse"),
            ("Ø", "Ø"),
        ] {
            assert_eq!(PersonName::parse(input).unwrap().as_str(), expected);
        }
        // "e" followed by a combining acute accent becomes the single letter "é".
        let decomposed = PersonName::parse("Ame\u{301}lie").unwrap();
        assert_eq!(decomposed.as_str(), "Amélie");
        assert_eq!(decomposed.as_str().chars().count(), 6);
    }

    #[test]
    fn name_length_is_counted_in_characters() {
        assert!(PersonName::parse(&"é".repeat(100)).is_ok());
        let violation = PersonName::parse(&"é".repeat(101)).unwrap_err();
        assert!(violation.message.contains("de 1 à 100"));
        let violation = PersonName::parse_field("admin_referent.first_name", "   ").unwrap_err();
        assert_eq!(violation.field, "admin_referent.first_name");
        assert!(
            violation.message.contains("le prénom"),
            "{}",
            violation.message
        );
    }

    #[test]
    fn names_with_digits_or_signs_are_refused() {
        for input in ["Jean2", "Jean_Pierre", "Dupont.", "J@n", "-", "' -"] {
            let violation = PersonName::parse_field("representative.last_name", input).unwrap_err();
            assert_eq!(violation.field, "representative.last_name");
            assert!(
                violation.message.contains("le nom avec des lettres"),
                "{input:?}"
            );
        }
    }
}
