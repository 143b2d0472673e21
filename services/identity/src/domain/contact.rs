//! A member organisation's technical contacts.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Email, Phone};

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
