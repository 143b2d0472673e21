//! The login identifier chosen at registration.

use std::fmt;

use id77_kit::violations::FieldViolation;

const FIELD: &str = "identifier";
/// Shortest identifier accepted, in characters.
pub const MIN_IDENTIFIER_CHARS: usize = 3;
/// Longest identifier accepted, in characters.
pub const MAX_IDENTIFIER_CHARS: usize = 32;

/// A login identifier: 3 to 32 ASCII letters and digits, kept in the case typed.
///
/// Two identifiers that differ only by case name the same account: compare and index
/// [`Identifier::normalized`], show [`Identifier::as_str`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identifier(String);

impl Identifier {
    /// Surrounding spaces are dropped (a paste often brings some); anything but ASCII letters and
    /// digits inside is refused, because the identifier travels in URLs, e-mails and logs.
    pub fn parse(input: &str) -> Result<Self, FieldViolation> {
        let identifier = input.trim();
        if !identifier.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(FieldViolation::new(
                FIELD,
                "L'identifiant ne peut contenir que des lettres sans accent et des chiffres \
                 (ni espace, ni accent, ni ponctuation), par exemple mairiemelun77.",
            ));
        }
        // ASCII only from here, so bytes and characters count the same.
        if !(MIN_IDENTIFIER_CHARS..=MAX_IDENTIFIER_CHARS).contains(&identifier.len()) {
            return Err(FieldViolation::new(
                FIELD,
                format!(
                    "L'identifiant doit comporter de {MIN_IDENTIFIER_CHARS} à \
                     {MAX_IDENTIFIER_CHARS} lettres ou chiffres."
                ),
            ));
        }
        Ok(Self(identifier.to_owned()))
    }

    /// The identifier as typed at registration.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Lower-case form, the key for uniqueness and for logging in whatever the case typed.
    pub fn normalized(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_digits_are_kept_in_the_case_typed() {
        let id = Identifier::parse("  MairieMelun77 ").unwrap();
        assert_eq!(id.as_str(), "MairieMelun77");
        assert_eq!(id.normalized(), "mairiemelun77");
        assert_eq!(
            Identifier::parse("MAIRIEMELUN77").unwrap().normalized(),
            id.normalized()
        );
    }

    #[test]
    fn length_bounds_are_inclusive() {
        assert!(Identifier::parse("abc").is_ok());
        assert!(Identifier::parse(&"a".repeat(32)).is_ok());
        for input in ["", "ab", &"a".repeat(33)] {
            let violation = Identifier::parse(input).unwrap_err();
            assert_eq!(violation.field, "identifier");
            assert!(violation.message.contains("de 3 à 32"), "{input:?}");
        }
    }

    #[test]
    fn accents_spaces_and_punctuation_are_refused() {
        for input in [
            "mairie melun",
            "mairié",
            "mairie-melun",
            "mairie_melun",
            "mairie.melun",
            "mairie@melun",
            "ｍａｉｒｉｅ",
            "mairie\u{0}",
        ] {
            let violation = Identifier::parse(input).unwrap_err();
            assert!(violation.message.contains("sans accent"), "{input:?}");
        }
    }
}
