//! French telephone numbers.

use std::fmt;

use id77_kit::violations::FieldViolation;

const FIELD: &str = "phone";

/// A French telephone number, stored in E.164 form: `+33` then 9 digits (`+33164147356`).
///
/// Accepted as typed in France: 10 digits starting with 0 (`01 64 14 73 56`, `01.64.14.73.56`,
/// `01-64-14-73-56`), or in international form (`+33 1 64 14 73 56`, also `+33 0 1 64 …` where
/// the trunk 0 is kept by habit and dropped here).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Spaces, dots and dashes between digits are separators; anything else is refused.
    pub fn parse(input: &str) -> Result<Self, FieldViolation> {
        let compact: String = input
            .trim()
            .chars()
            .filter(|c| !(c.is_whitespace() || *c == '.' || *c == '-'))
            .collect();
        let national = if let Some(rest) = compact.strip_prefix("+33") {
            // "+33 0 1 64 …": the trunk prefix written after the country code.
            if rest.len() == 10 && rest.starts_with('0') {
                rest.get(1..)
            } else if rest.len() == 9 {
                Some(rest)
            } else {
                None
            }
        } else if compact.len() == 10 {
            compact.strip_prefix('0')
        } else {
            None
        };
        match national {
            // After the trunk 0 comes 1–9: "00" opens an international number, not a French one.
            Some(digits)
                if digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0') =>
            {
                Ok(Self(format!("+33{digits}")))
            }
            _ => Err(FieldViolation::new(
                FIELD,
                "Indiquez un numéro de téléphone français à 10 chiffres commençant par 0, \
                 par exemple 01 64 14 73 56, ou au format +33 1 64 14 73 56.",
            )),
        }
    }

    /// The E.164 form, `+33164147356`: what is stored and what `tel:` links use.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The national form in pairs, as French people read it: `01 64 14 73 56`.
    pub fn display(&self) -> String {
        let national = format!("0{}", self.0.strip_prefix("+33").unwrap_or(&self.0));
        let mut out = String::with_capacity(14);
        for (i, c) in national.chars().enumerate() {
            if i > 0 && i % 2 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        out
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_forms_are_stored_in_e164() {
        for input in [
            "01 64 14 73 56",
            "01.64.14.73.56",
            "01-64-14-73-56",
            "0164147356",
            " 01 64 14 73 56 ",
            "01\u{a0}64\u{a0}14\u{a0}73\u{a0}56",
        ] {
            let phone = Phone::parse(input).unwrap();
            assert_eq!(phone.as_str(), "+33164147356", "{input:?}");
            assert_eq!(phone.display(), "01 64 14 73 56");
            assert_eq!(phone.to_string(), "01 64 14 73 56");
        }
    }

    #[test]
    fn international_forms_are_accepted() {
        for input in ["+33164147356", "+33 1 64 14 73 56", "+33 6.12.34.56.78"] {
            assert!(Phone::parse(input).is_ok(), "{input:?}");
        }
        assert!(Phone::parse("+33").is_err());
        let mobile = Phone::parse("+33 0 6 12 34 56 78").unwrap();
        assert_eq!(mobile.as_str(), "+33612345678");
        assert_eq!(mobile.display(), "06 12 34 56 78");
    }

    #[test]
    fn wrong_numbers_are_refused() {
        for input in [
            "",
            "01 64 14 73 5",
            "01 64 14 73 567",
            "11 64 14 73 56",
            "00 64 14 73 56",
            "+33 01 64 14 73 5",
            "+33 0 64 14 73 56",
            "+32 2 123 45 67",
            "0033164147356",
            "01 64 14 73 5a",
            "(01) 64 14 73 56",
            "+33 1 64 14 73 56 ext 2",
            "٠١٦٤١٤٧٣٥٦",
        ] {
            let violation = Phone::parse(input).unwrap_err();
            assert_eq!(violation.field, "phone");
            assert!(violation.message.contains("01 64 14 73 56"), "{input:?}");
        }
    }
}
