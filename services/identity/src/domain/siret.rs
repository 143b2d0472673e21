//! The SIRET number of a member organisation.

use std::fmt;

use id77_kit::violations::FieldViolation;

/// Field name of the SIRET in the registration and profile forms.
const FIELD: &str = "siret";

/// La Poste's SIREN: its establishments are numbered outside the Luhn scheme (see [`Siret`]).
const LA_POSTE_SIREN: &str = "356000000";

/// A French establishment number: 14 digits, the first 9 being the SIREN of the organisation.
///
/// A SIRET carries its own check: the Luhn formula over the 14 digits. La Poste (SIREN
/// 356 000 000) has more establishments than the Luhn scheme leaves room for under one SIREN, so
/// INSEE checks its numbers with another rule: the sum of the 14 digits is a multiple of 5. Its
/// head office (356 000 000 00048) still passes Luhn, so for La Poste either rule is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Siret(String);

impl Siret {
    /// Accepts the number as people write it, with spaces between the groups (also non-breaking
    /// spaces pasted from a document), and checks the length and the check digit.
    pub fn parse(input: &str) -> Result<Self, FieldViolation> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldViolation::new(
                FIELD,
                "Le numéro SIRET doit comporter exactement 14 chiffres (les espaces sont acceptés), \
                 par exemple 227 700 010 00019.",
            ));
        }
        let valid = if digits.starts_with(LA_POSTE_SIREN) {
            digit_sum(&digits).is_multiple_of(5) || luhn_valid(&digits)
        } else {
            luhn_valid(&digits)
        };
        if valid {
            Ok(Self(digits))
        } else {
            Err(FieldViolation::new(
                FIELD,
                "Ce numéro SIRET n'existe pas : sa clé de contrôle est fausse. Vérifiez les 14 \
                 chiffres sur l'avis de situation au répertoire SIRENE de votre collectivité.",
            ))
        }
    }

    /// The 14 digits, without spaces.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SIREN: the first 9 digits, which identify the organisation itself.
    pub fn siren(&self) -> &str {
        // Always 14 ASCII digits once parsed, so the slice is in bounds and on a char boundary.
        self.0.get(..9).unwrap_or(&self.0)
    }

    /// Grouped as printed on official documents: `227 700 010 00019`.
    pub fn display(&self) -> String {
        let (siren, nic) = self.0.split_at(9.min(self.0.len()));
        let mut out = String::with_capacity(17);
        for (i, c) in siren.chars().enumerate() {
            if i > 0 && i % 3 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        out.push(' ');
        out.push_str(nic);
        out
    }
}

impl fmt::Display for Siret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Luhn check over ASCII digits: from the right, every second digit is doubled (minus 9
/// when above 9), and the total must be a multiple of 10.
fn luhn_valid(digits: &str) -> bool {
    let total: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    total.is_multiple_of(10)
}

fn digit_sum(digits: &str) -> u32 {
    digits.bytes().map(|b| u32::from(b - b'0')).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOT_14_DIGITS: &str = "exactement 14 chiffres";
    const BAD_CHECK: &str = "clé de contrôle";

    fn message(input: &str) -> String {
        Siret::parse(input).unwrap_err().message
    }

    #[test]
    fn real_sirets_pass_the_luhn_check() {
        // Département de Seine-et-Marne (head office), Apple France and Google France.
        for siret in ["22770001000019", "73282932000074", "44306184100047"] {
            let parsed = Siret::parse(siret).unwrap();
            assert_eq!(parsed.as_str(), siret);
        }
    }

    #[test]
    fn spaces_are_removed_including_non_breaking_ones() {
        let siret = Siret::parse(" 227 700 010\u{a0}00019 ").unwrap();
        assert_eq!(siret.as_str(), "22770001000019");
        assert_eq!(siret.siren(), "227700010");
        assert_eq!(siret.display(), "227 700 010 00019");
    }

    #[test]
    fn the_guide_placeholder_is_refused_by_the_check() {
        let violation = Siret::parse("12345678911123").unwrap_err();
        assert_eq!(violation.field, "siret");
        assert!(
            violation.message.contains(BAD_CHECK),
            "{}",
            violation.message
        );
    }

    #[test]
    fn one_wrong_digit_or_two_swapped_digits_fail_the_check() {
        assert!(message("22770001000018").contains(BAD_CHECK));
        assert!(message("27270001000019").contains(BAD_CHECK));
    }

    #[test]
    fn wrong_length_and_non_digits_have_their_own_message() {
        for input in [
            "",
            "   ",
            "2277000100001",
            "227700010000190",
            "2277000100001A",
            "227-700-010-00019",
            "２２７７０００１０００１９",
        ] {
            assert!(message(input).contains(NOT_14_DIGITS), "{input:?}");
        }
    }

    #[test]
    fn la_poste_establishments_use_the_sum_of_digits() {
        // Sums 45 and 15: multiples of 5, although Luhn fails for both.
        for siret in ["35600000049837", "35600000000010"] {
            assert!(!luhn_valid(siret));
            assert!(Siret::parse(siret).is_ok(), "{siret}");
        }
        // The head office passes Luhn but not the sum rule: accepted all the same.
        assert!(Siret::parse("356 000 000 00048").is_ok());
        // Sum 14 and no Luhn: refused.
        assert!(message("35600000000000").contains(BAD_CHECK));
    }

    #[test]
    fn the_sum_rule_is_only_for_la_poste() {
        // Sum 45, a multiple of 5, but another SIREN and Luhn fails.
        assert!(!luhn_valid("35700000049836"));
        assert!(message("35700000049836").contains(BAD_CHECK));
    }
}
