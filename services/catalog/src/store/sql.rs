//! The SQL of the catalog store, written once and instantiated for each backend.

use sqlx::{PgPool, SqlitePool};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    CatalogData, DomainRow, Favorite, FavoriteRow, OfferRow, OfferThematicRow, Store, StoreError,
    ThematicRow, TypologyRow, assemble_domains, assemble_offer,
};
use crate::domain::{Domain, Offer, OfferCode, Typology};

/// The catalogue in PostgreSQL (distributed mode).
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

/// The catalogue in a SQLite file (all-in-one mode).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

const OFFER_COLUMNS: &str = "SELECT code, title, summary, description, domain_slug, typology_slug, \
    is_unique, lead_service, lead_contact, practical_info, published, created_at, updated_at FROM offers";

/// Same body for both backends: the SQL is portable, only the pool type differs.
macro_rules! impl_store {
    ($store:ty, $migrations:literal) => {
        impl Store for $store {
            async fn migrate(&self) -> Result<(), StoreError> {
                sqlx::migrate!($migrations).run(&self.pool).await?;
                Ok(())
            }

            async fn count_offers(&self) -> Result<u64, StoreError> {
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM offers")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(u64::try_from(count).unwrap_or(0))
            }

            async fn upsert(&self, data: &CatalogData) -> Result<(), StoreError> {
                let mut tx = self.pool.begin().await?;
                for domain in &data.domains {
                    sqlx::query(
                        "INSERT INTO domains (slug, label, icon, position) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (slug) DO UPDATE SET label = excluded.label, \
                         icon = excluded.icon, position = excluded.position",
                    )
                    .bind(&domain.slug)
                    .bind(&domain.label)
                    .bind(&domain.icon)
                    .bind(i64::from(domain.position))
                    .execute(&mut *tx)
                    .await?;
                    for (position, thematic) in domain.thematics.iter().enumerate() {
                        sqlx::query(
                            "INSERT INTO thematics (slug, domain_slug, label, position) \
                             VALUES ($1, $2, $3, $4) ON CONFLICT (slug) DO UPDATE SET \
                             domain_slug = excluded.domain_slug, label = excluded.label, \
                             position = excluded.position",
                        )
                        .bind(&thematic.slug)
                        .bind(&domain.slug)
                        .bind(&thematic.label)
                        .bind(i64::try_from(position).unwrap_or(i64::MAX))
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                for (position, typology) in data.typologies.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO typologies (slug, label, position) VALUES ($1, $2, $3) \
                         ON CONFLICT (slug) DO UPDATE SET label = excluded.label, \
                         position = excluded.position",
                    )
                    .bind(&typology.slug)
                    .bind(&typology.label)
                    .bind(i64::try_from(position).unwrap_or(i64::MAX))
                    .execute(&mut *tx)
                    .await?;
                }
                for offer in &data.offers {
                    sqlx::query(
                        "INSERT INTO offers (code, title, summary, description, domain_slug, \
                         typology_slug, is_unique, lead_service, lead_contact, practical_info, \
                         published, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                         ON CONFLICT (code) DO UPDATE SET title = excluded.title, \
                         summary = excluded.summary, description = excluded.description, \
                         domain_slug = excluded.domain_slug, typology_slug = excluded.typology_slug, \
                         is_unique = excluded.is_unique, lead_service = excluded.lead_service, \
                         lead_contact = excluded.lead_contact, practical_info = excluded.practical_info, \
                         published = excluded.published, updated_at = excluded.updated_at",
                    )
                    .bind(offer.code.as_str())
                    .bind(&offer.title)
                    .bind(&offer.summary)
                    .bind(&offer.description)
                    .bind(&offer.domain_slug)
                    .bind(&offer.typology_slug)
                    .bind(offer.unique)
                    .bind(&offer.lead_service)
                    .bind(&offer.lead_contact)
                    .bind(&offer.practical_info)
                    .bind(offer.published)
                    .bind(offer.created_at)
                    .bind(offer.updated_at)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("DELETE FROM offer_thematics WHERE offer_code = $1")
                        .bind(offer.code.as_str())
                        .execute(&mut *tx)
                        .await?;
                    for (position, slug) in offer.thematic_slugs.iter().enumerate() {
                        sqlx::query(
                            "INSERT INTO offer_thematics (offer_code, thematic_slug, position) \
                             VALUES ($1, $2, $3)",
                        )
                        .bind(offer.code.as_str())
                        .bind(slug)
                        .bind(i64::try_from(position).unwrap_or(i64::MAX))
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
                Ok(())
            }

            async fn domains(&self) -> Result<Vec<Domain>, StoreError> {
                let domains: Vec<DomainRow> = sqlx::query_as(
                    "SELECT slug, label, icon, CAST(position AS BIGINT) AS position \
                     FROM domains ORDER BY position, slug",
                )
                .fetch_all(&self.pool)
                .await?;
                let thematics: Vec<ThematicRow> = sqlx::query_as(
                    "SELECT slug, domain_slug, label FROM thematics ORDER BY position, slug",
                )
                .fetch_all(&self.pool)
                .await?;
                Ok(assemble_domains(domains, thematics))
            }

            async fn typologies(&self) -> Result<Vec<Typology>, StoreError> {
                let rows: Vec<TypologyRow> =
                    sqlx::query_as("SELECT slug, label FROM typologies ORDER BY position, slug")
                        .fetch_all(&self.pool)
                        .await?;
                Ok(rows.into_iter().map(|r| Typology { slug: r.slug, label: r.label }).collect())
            }

            async fn offers(&self) -> Result<Vec<Offer>, StoreError> {
                let rows: Vec<OfferRow> = sqlx::query_as(OFFER_COLUMNS).fetch_all(&self.pool).await?;
                let links: Vec<OfferThematicRow> = sqlx::query_as(
                    "SELECT offer_code, thematic_slug FROM offer_thematics \
                     ORDER BY offer_code, position",
                )
                .fetch_all(&self.pool)
                .await?;
                let mut offers =
                    rows.into_iter().map(|row| assemble_offer(row, &links)).collect::<Result<Vec<_>, _>>()?;
                offers.sort_by(|a, b| a.code.natural_cmp(&b.code));
                Ok(offers)
            }

            async fn offer(&self, code: &OfferCode) -> Result<Option<Offer>, StoreError> {
                let query = sqlx::AssertSqlSafe(format!("{OFFER_COLUMNS} WHERE code = $1"));
                let Some(row) = sqlx::query_as::<_, OfferRow>(query)
                    .bind(code.as_str())
                    .fetch_optional(&self.pool)
                    .await?
                else {
                    return Ok(None);
                };
                let links: Vec<OfferThematicRow> = sqlx::query_as(
                    "SELECT offer_code, thematic_slug FROM offer_thematics \
                     WHERE offer_code = $1 ORDER BY position",
                )
                .bind(code.as_str())
                .fetch_all(&self.pool)
                .await?;
                assemble_offer(row, &links).map(Some)
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn add_favorite(
                &self,
                account: Uuid,
                code: &OfferCode,
                at: DateTime<Utc>,
            ) -> Result<bool, StoreError> {
                let inserted = sqlx::query(
                    "INSERT INTO favorites (account_id, offer_code, added_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (account_id, offer_code) DO NOTHING",
                )
                .bind(account.to_string())
                .bind(code.as_str())
                .bind(at)
                .execute(&self.pool)
                .await?;
                Ok(inserted.rows_affected() == 1)
            }

            async fn remove_favorite(&self, account: Uuid, code: &OfferCode) -> Result<bool, StoreError> {
                let deleted = sqlx::query("DELETE FROM favorites WHERE account_id = $1 AND offer_code = $2")
                    .bind(account.to_string())
                    .bind(code.as_str())
                    .execute(&self.pool)
                    .await?;
                Ok(deleted.rows_affected() == 1)
            }

            async fn favorites(&self, account: Uuid) -> Result<Vec<Favorite>, StoreError> {
                let rows: Vec<FavoriteRow> = sqlx::query_as(
                    "SELECT offer_code, added_at FROM favorites WHERE account_id = $1 \
                     ORDER BY added_at DESC, offer_code",
                )
                .bind(account.to_string())
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(Favorite::try_from).collect()
            }
        }
    };
}

impl_store!(PgStore, "./migrations/postgres");
impl_store!(SqliteStore, "./migrations/sqlite");
