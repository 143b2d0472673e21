//! E-mail addresses.

use std::fmt;

use email_address::{EmailAddress, Options};
use id77_kit::violations::FieldViolation;

const FIELD: &str = "email";
/// Longest address accepted, in characters (RFC 5321's limit on a forward path, less `<>`).
pub const MAX_EMAIL_CHARS: usize = 254;

/// An e-mail address: trimmed, syntax checked, domain in lower case.
///
/// The local part keeps its case: the RFC lets a mail server tell `Jean` from `jean`, even if
/// few do, and the mail must reach the mailbox typed. Use [`Email::normalized`] to find an
/// account by address whatever the case typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Refuses display names (`Jean <jean@ville.fr>`), IP-literal domains and domains without a
    /// dot: an address for a person at a town hall has none of them, and each is more likely a
    /// typing or pasting mistake than a real need.
    pub fn parse(input: &str) -> Result<Self, FieldViolation> {
        let trimmed = input.trim();
        if trimmed.chars().count() > MAX_EMAIL_CHARS {
            return Err(FieldViolation::new(
                FIELD,
                format!("L'adresse e-mail ne doit pas dépasser {MAX_EMAIL_CHARS} caractères."),
            ));
        }
        let options = Options::default()
            .with_required_tld()
            .without_domain_literal()
            .without_display_text();
        let address = EmailAddress::parse_with_options(trimmed, options).map_err(|_| {
            FieldViolation::new(
                FIELD,
                "Indiquez une adresse e-mail valide, de la forme nom@domaine.fr \
                 (par exemple secretariat@mairie-melun.fr).",
            )
        })?;
        Ok(Self(format!(
            "{}@{}",
            address.local_part(),
            address.domain().to_lowercase()
        )))
    }

    /// The address to send to.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What comes before the `@`.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or(&self.0, |(local, _)| local)
    }

    /// What comes after the `@`, in lower case.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }

    /// The whole address in lower case: the key to look an account up by address, since
    /// people do not remember the case they typed.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_lowercases_the_domain_only() {
        let email = Email::parse("  Jean.Dupont@Mairie-Melun.FR \n").unwrap();
        assert_eq!(email.as_str(), "Jean.Dupont@mairie-melun.fr");
        assert_eq!(email.local_part(), "Jean.Dupont");
        assert_eq!(email.domain(), "mairie-melun.fr");
        assert_eq!(email.normalized(), "jean.dupont@mairie-melun.fr");
    }

    #[test]
    fn accepts_common_real_addresses() {
        for input in [
            "id77@departement77.fr",
            "secretariat.mairie+id77@ville-fontainebleau.fr",
            "dgs@cc-brie-nangissienne.fr",
        ] {
            assert_eq!(Email::parse(input).unwrap().as_str(), input);
        }
    }

    #[test]
    fn refuses_malformed_addresses() {
        for input in [
            "",
            "jean",
            "jean@",
            "@mairie.fr",
            "jean@localhost",
            "jean dupont@mairie.fr",
            "jean@@mairie.fr",
            "Jean Dupont <jean@mairie.fr>",
            "jean@[127.0.0.1]",
        ] {
            let violation = Email::parse(input).unwrap_err();
            assert_eq!(violation.field, "email");
            assert!(violation.message.contains("nom@domaine.fr"), "{input:?}");
        }
    }

    #[test]
    fn length_limit_is_254_characters() {
        // 64 is the longest local part; labels of at most 63 characters.
        let local = "a".repeat(64);
        let label = "b".repeat(61);
        let domain_of = |len: usize| {
            let mut domain = String::new();
            while domain.len() + label.len() + 1 < len - 3 {
                domain.push_str(&label);
                domain.push('.');
            }
            let pad = len - 3 - domain.len();
            domain.push_str(&"c".repeat(pad));
            domain.push_str(".fr");
            domain
        };
        let at_limit = format!("{local}@{}", domain_of(254 - 65));
        assert_eq!(at_limit.len(), 254);
        assert!(Email::parse(&at_limit).is_ok(), "{at_limit}");
        let over = format!("{local}@{}", domain_of(255 - 65));
        assert_eq!(over.len(), 255);
        assert!(Email::parse(&over).unwrap_err().message.contains("254"));
    }
}
