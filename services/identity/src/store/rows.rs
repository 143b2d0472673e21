//! The rows the store reads, and their conversion to the domain types. A value that does not
//! parse any more is reported as corrupt rather than served.

use chrono::{DateTime, Utc};
use id77_kit::bus::Event;
use uuid::Uuid;

use super::{StoreError, StoredRefreshToken, StoredToken};
use crate::{
    domain::{
        Account, Canton, Category, Civility, Contact, Email, Identifier, Logo, Organisation,
        OrganisationName, PersonName, Phone, Population, Referent, Representative,
        RepresentativeTitle, Siret, Website,
    },
    token::TokenPurpose,
};

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

fn uuid(what: &str, value: &str) -> Result<Uuid, StoreError> {
    Uuid::try_parse(value).map_err(|_| corrupt(what, value))
}

fn parsed<T, E>(
    what: &str,
    value: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    parse(value).map_err(|_| corrupt(what, value))
}

/// The comma-separated storage of categories.
pub(super) fn categories_to_storage(categories: &[Category]) -> String {
    categories
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[derive(sqlx::FromRow)]
pub(super) struct OrganisationRow {
    id: String,
    name: String,
    categories: String,
    siret: String,
    population: i64,
    canton: String,
    representative_title: String,
    representative_civility: String,
    representative_first_name: String,
    representative_last_name: String,
    referent_civility: String,
    referent_first_name: String,
    referent_last_name: String,
    website: Option<String>,
    logo_version: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<OrganisationRow> for Organisation {
    type Error = StoreError;

    fn try_from(row: OrganisationRow) -> Result<Self, StoreError> {
        let categories = row
            .categories
            .split(',')
            .map(|c| parsed("category", c, Category::parse))
            .collect::<Result<Vec<_>, _>>()?;
        let website = match row.website.as_deref() {
            Some(site) => parsed("website", site, Website::parse)?,
            None => None,
        };
        Ok(Self {
            id: uuid("organisation id", &row.id)?,
            name: parsed("organisation name", &row.name, OrganisationName::parse)?,
            categories,
            siret: parsed("siret", &row.siret, Siret::parse)?,
            population: parsed("population", &row.population.to_string(), Population::parse)?,
            canton: parsed("canton", &row.canton, Canton::parse)?,
            representative: Representative {
                title: parsed(
                    "representative title",
                    &row.representative_title,
                    RepresentativeTitle::parse,
                )?,
                civility: parsed("civility", &row.representative_civility, Civility::parse)?,
                first_name: parsed("name", &row.representative_first_name, PersonName::parse)?,
                last_name: parsed("name", &row.representative_last_name, PersonName::parse)?,
            },
            admin_referent: Referent {
                civility: parsed("civility", &row.referent_civility, Civility::parse)?,
                first_name: parsed("name", &row.referent_first_name, PersonName::parse)?,
                last_name: parsed("name", &row.referent_last_name, PersonName::parse)?,
            },
            website,
            logo_version: row.logo_version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct AccountRow {
    id: String,
    organisation_id: Option<String>,
    identifier: String,
    email: String,
    pending_email: Option<String>,
    first_name: String,
    last_name: String,
    phone: Option<String>,
    role: String,
    status: String,
    password_hash: Option<String>,
    rejection_reason: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<AccountRow> for Account {
    type Error = StoreError;

    fn try_from(row: AccountRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: uuid("account id", &row.id)?,
            organisation_id: row
                .organisation_id
                .as_deref()
                .map(|id| uuid("organisation id", id))
                .transpose()?,
            identifier: parsed("identifier", &row.identifier, Identifier::parse)?,
            email: parsed("e-mail", &row.email, Email::parse)?,
            pending_email: row
                .pending_email
                .as_deref()
                .map(|email| parsed("e-mail", email, Email::parse))
                .transpose()?,
            first_name: row.first_name,
            last_name: row.last_name,
            phone: row
                .phone
                .as_deref()
                .map(|phone| parsed("phone", phone, Phone::parse))
                .transpose()?,
            role: parsed("role", &row.role, str::parse)?,
            status: parsed("status", &row.status, str::parse)?,
            password_hash: row.password_hash,
            rejection_reason: row.rejection_reason,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ContactRow {
    id: String,
    organisation_id: String,
    title: String,
    full_name: String,
    service: String,
    email: String,
    phone: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<ContactRow> for Contact {
    type Error = StoreError;

    fn try_from(row: ContactRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: uuid("contact id", &row.id)?,
            organisation_id: uuid("organisation id", &row.organisation_id)?,
            title: row.title,
            full_name: row.full_name,
            service: row.service,
            email: parsed("e-mail", &row.email, Email::parse)?,
            phone: parsed("phone", &row.phone, Phone::parse)?,
            created_at: row.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct LogoRow {
    logo: Option<Vec<u8>>,
    logo_content_type: Option<String>,
    logo_version: Option<String>,
}

impl LogoRow {
    pub(super) fn into_logo(self) -> Option<Logo> {
        match (self.logo, self.logo_content_type, self.logo_version) {
            (Some(image), Some(content_type), Some(version)) => Some(Logo {
                image,
                content_type,
                version,
            }),
            _ => None,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct TokenRow {
    token_hash: String,
    account_id: String,
    purpose: String,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    payload: Option<String>,
}

impl TryFrom<TokenRow> for StoredToken {
    type Error = StoreError;

    fn try_from(row: TokenRow) -> Result<Self, StoreError> {
        Ok(Self {
            account_id: uuid("account id", &row.account_id)?,
            purpose: TokenPurpose::from_storage(&row.purpose)
                .ok_or_else(|| corrupt("token purpose", &row.purpose))?,
            hash: row.token_hash,
            expires_at: row.expires_at,
            used_at: row.used_at,
            payload: row.payload,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct RefreshRow {
    token_hash: String,
    account_id: String,
    family_id: String,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    replaced_by: Option<String>,
}

impl TryFrom<RefreshRow> for StoredRefreshToken {
    type Error = StoreError;

    fn try_from(row: RefreshRow) -> Result<Self, StoreError> {
        Ok(Self {
            account_id: uuid("account id", &row.account_id)?,
            family_id: uuid("session id", &row.family_id)?,
            hash: row.token_hash,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            replaced_by: row.replaced_by,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct OutboxRow {
    id: String,
    kind: String,
    source: String,
    time: DateTime<Utc>,
    actor: Option<String>,
    traceparent: Option<String>,
    payload: Vec<u8>,
}

impl TryFrom<OutboxRow> for Event {
    type Error = StoreError;

    fn try_from(row: OutboxRow) -> Result<Self, StoreError> {
        Ok(Event {
            id: uuid("event id", &row.id)?,
            kind: row.kind,
            source: row.source,
            time: row.time,
            actor: row.actor,
            traceparent: row.traceparent,
            payload: row.payload,
        })
    }
}
