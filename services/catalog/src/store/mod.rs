//! Persistence of the catalogue behind one `Store` trait, with a PostgreSQL and a SQLite
//! implementation sharing their SQL (both accept `$1` placeholders and `ON CONFLICT`).

use std::future::Future;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::{Domain, Offer, OfferCode, Thematic, Typology};

mod sql;

pub use sql::{PgStore, SqliteStore};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

/// A whole catalogue as written at once (the demo seed, an import).
#[derive(Debug, Clone, Default)]
pub struct CatalogData {
    pub domains: Vec<Domain>,
    pub typologies: Vec<Typology>,
    pub offers: Vec<Offer>,
}

/// What the catalog service needs from its database.
pub trait Store: Send + Sync + 'static {
    /// Brings the schema up to date.
    fn migrate(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Number of offers, published or not.
    fn count_offers(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Inserts or updates reference lists and offers in one transaction.
    fn upsert(&self, data: &CatalogData) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Domains in display order, each with its thematics in order.
    fn domains(&self) -> impl Future<Output = Result<Vec<Domain>, StoreError>> + Send;
    fn typologies(&self) -> impl Future<Output = Result<Vec<Typology>, StoreError>> + Send;
    /// Every offer, published or not, with its thematic slugs in order.
    fn offers(&self) -> impl Future<Output = Result<Vec<Offer>, StoreError>> + Send;
    fn offer(
        &self,
        code: &OfferCode,
    ) -> impl Future<Output = Result<Option<Offer>, StoreError>> + Send;
    /// Whether the database answers.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Marks an offer as a favourite of an account; false when it already was (the first date
    /// is kept).
    fn add_favorite(
        &self,
        account: Uuid,
        code: &OfferCode,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// False when the offer was not a favourite.
    fn remove_favorite(
        &self,
        account: Uuid,
        code: &OfferCode,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// An account's favourites, most recently added first.
    fn favorites(
        &self,
        account: Uuid,
    ) -> impl Future<Output = Result<Vec<Favorite>, StoreError>> + Send;
}

/// An offer kept as a favourite, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Favorite {
    pub code: OfferCode,
    pub added_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct FavoriteRow {
    offer_code: String,
    added_at: DateTime<Utc>,
}

impl TryFrom<FavoriteRow> for Favorite {
    type Error = StoreError;

    fn try_from(row: FavoriteRow) -> Result<Self, StoreError> {
        let code = OfferCode::parse(&row.offer_code).map_err(|_| {
            StoreError::Corrupt(format!("favourite offer code {:?}", row.offer_code))
        })?;
        Ok(Self {
            code,
            added_at: row.added_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct DomainRow {
    slug: String,
    label: String,
    icon: String,
    position: i64,
}

#[derive(sqlx::FromRow)]
struct ThematicRow {
    slug: String,
    domain_slug: String,
    label: String,
}

#[derive(sqlx::FromRow)]
struct TypologyRow {
    slug: String,
    label: String,
}

#[derive(sqlx::FromRow)]
struct OfferRow {
    code: String,
    title: String,
    summary: String,
    description: String,
    domain_slug: String,
    typology_slug: String,
    is_unique: bool,
    lead_service: String,
    lead_contact: String,
    practical_info: String,
    published: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct OfferThematicRow {
    offer_code: String,
    thematic_slug: String,
}

fn assemble_domains(domains: Vec<DomainRow>, thematics: Vec<ThematicRow>) -> Vec<Domain> {
    domains
        .into_iter()
        .map(|d| Domain {
            thematics: thematics
                .iter()
                .filter(|t| t.domain_slug == d.slug)
                .map(|t| Thematic {
                    slug: t.slug.clone(),
                    label: t.label.clone(),
                    domain_slug: t.domain_slug.clone(),
                })
                .collect(),
            slug: d.slug,
            label: d.label,
            icon: d.icon,
            position: u32::try_from(d.position).unwrap_or(u32::MAX),
        })
        .collect()
}

fn assemble_offer(row: OfferRow, links: &[OfferThematicRow]) -> Result<Offer, StoreError> {
    let code = OfferCode::parse(&row.code)
        .map_err(|_| StoreError::Corrupt(format!("offer code {:?}", row.code)))?;
    Ok(Offer {
        thematic_slugs: links
            .iter()
            .filter(|l| l.offer_code == row.code)
            .map(|l| l.thematic_slug.clone())
            .collect(),
        code,
        title: row.title,
        summary: row.summary,
        description: row.description,
        domain_slug: row.domain_slug,
        typology_slug: row.typology_slug,
        unique: row.is_unique,
        lead_service: row.lead_service,
        lead_contact: row.lead_contact,
        practical_info: row.practical_info,
        published: row.published,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}
