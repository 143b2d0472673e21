//! A member organisation's technical contacts.

use chrono::{DateTime, Utc};
use id77_kit::violations::FieldViolation;
use uuid::Uuid;

use super::{Email, Phone, Violations};

/// Longest free-text contact field (title, full name, service), in characters.
pub const MAX_CONTACT_FIELD_CHARS: usize = 100;

/// A technical contact as typed.
#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    /// Job title.
    pub title: String,
    /// First and last name.
    pub full_name: String,
    /// Department.
    pub service: String,
    /// Address.
    pub email: String,
    /// Phone number.
    pub phone: String,
}

/// A technical contact of an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Its id.
    pub id: Uuid,
    /// The organisation it belongs to.
    pub organisation_id: Uuid,
    /// Job title ("Directeur des services techniques").
    pub title: String,
    /// First and last name as one field.
    pub full_name: String,
    /// The department.
    pub service: String,
    /// Address.
    pub email: Email,
    /// Phone number.
    pub phone: Phone,
    /// When it was added (contacts are listed in that order).
    pub created_at: DateTime<Utc>,
}

impl Contact {
    /// The contact `id` of `organisation_id` from the form, added at `created_at`; every field is
    /// checked and every problem reported at once.
    pub fn parse(
        input: &ContactInput,
        id: Uuid,
        organisation_id: Uuid,
        created_at: DateTime<Utc>,
    ) -> Result<Self, Vec<FieldViolation>> {
        let mut v = Violations::default();
        let fields = ContactFields::parse(input, &mut v);
        let ContactFields {
            title,
            full_name,
            service,
            email,
            phone,
        } = v.finish(fields)?;
        Ok(Self {
            id,
            organisation_id,
            title,
            full_name,
            service,
            email,
            phone,
            created_at,
        })
    }
}

/// What the contact form gives, valid.
struct ContactFields {
    title: String,
    full_name: String,
    service: String,
    email: Email,
    phone: Phone,
}

impl ContactFields {
    fn parse(input: &ContactInput, v: &mut Violations) -> Option<Self> {
        let title = v.keep(
            "title",
            contact_text("title", "l'intitulé du poste", &input.title),
        );
        let full_name = v.keep(
            "full_name",
            contact_text("full_name", "le prénom et le nom", &input.full_name),
        );
        let service = v.keep(
            "service",
            contact_text("service", "le service", &input.service),
        );
        let email = v.keep("email", Email::parse(&input.email));
        let phone = v.keep("phone", Phone::parse(&input.phone));
        Some(Self {
            title: title?,
            full_name: full_name?,
            service: service?,
            email: email?,
            phone: phone?,
        })
    }
}

/// A contact's free-text field: trimmed, 1 to 100 characters, no control characters.
fn contact_text(field: &str, what: &str, input: &str) -> Result<String, FieldViolation> {
    let text = input.split_whitespace().collect::<Vec<_>>().join(" ");
    let length = text.chars().count();
    if length == 0 || length > MAX_CONTACT_FIELD_CHARS || text.chars().any(char::is_control) {
        return Err(FieldViolation::new(
            field,
            format!("Indiquez {what} (de 1 à {MAX_CONTACT_FIELD_CHARS} caractères)."),
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_reports_every_refused_field() {
        let input = ContactInput {
            title: "  Directeur   des services techniques ".into(),
            full_name: "Paul Martin".into(),
            service: "Voirie".into(),
            email: "p.martin@melun.fr".into(),
            phone: "01 64 52 33 33".into(),
        };
        let contact = Contact::parse(&input, Uuid::nil(), Uuid::nil(), Utc::now()).unwrap();
        assert_eq!(contact.title, "Directeur des services techniques");
        let violations = Contact::parse(
            &ContactInput {
                title: "x".repeat(MAX_CONTACT_FIELD_CHARS + 1),
                service: "Voirie\u{7}".into(),
                ..ContactInput::default()
            },
            Uuid::nil(),
            Uuid::nil(),
            Utc::now(),
        )
        .unwrap_err();
        let fields: Vec<&str> = violations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["title", "full_name", "service", "email", "phone"]);
        assert!(violations[0].message.contains("de 1 à 100"));
    }
}
