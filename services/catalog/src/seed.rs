//! The demo catalogue written into an empty database (switched off with `ID77_SEED_DEMO=false`),
//! and synthetic catalogues for benchmarks.

use chrono::Utc;
use serde::Deserialize;

use crate::{
    domain::{Domain, Offer, OfferCode, Thematic, Typology},
    store::{CatalogData, Store, StoreError},
};

const DEMO: &str = include_str!("../seed/demo_catalog.json");

#[derive(Deserialize)]
struct SeedFile {
    domains: Vec<SeedDomain>,
    typologies: Vec<SeedTypology>,
    offers: Vec<SeedOffer>,
}

#[derive(Deserialize)]
struct SeedDomain {
    slug: String,
    label: String,
    icon: String,
    thematics: Vec<SeedTypology>,
}

#[derive(Deserialize)]
struct SeedTypology {
    slug: String,
    label: String,
}

#[derive(Deserialize)]
struct SeedOffer {
    code: String,
    title: String,
    summary: String,
    description: String,
    domain: String,
    thematics: Vec<String>,
    typology: String,
    unique: bool,
    lead_service: String,
    lead_contact: String,
    practical_info: String,
}

/// The demo catalogue shipped in the binary.
pub fn demo_catalog() -> Result<CatalogData, StoreError> {
    let file: SeedFile = serde_json::from_str(DEMO)
        .map_err(|e| StoreError::Corrupt(format!("demo catalogue: {e}")))?;
    let now = Utc::now();
    let domains = file
        .domains
        .into_iter()
        .enumerate()
        .map(|(position, d)| Domain {
            thematics: d
                .thematics
                .into_iter()
                .map(|t| Thematic {
                    slug: t.slug,
                    label: t.label,
                    domain_slug: d.slug.clone(),
                })
                .collect(),
            slug: d.slug,
            label: d.label,
            icon: d.icon,
            position: u32::try_from(position + 1).unwrap_or(u32::MAX),
        })
        .collect();
    let offers = file
        .offers
        .into_iter()
        .map(|o| {
            Ok(Offer {
                code: OfferCode::parse(&o.code)
                    .map_err(|_| StoreError::Corrupt(format!("demo offer code {:?}", o.code)))?,
                title: o.title,
                summary: o.summary,
                description: o.description,
                domain_slug: o.domain,
                thematic_slugs: o.thematics,
                typology_slug: o.typology,
                unique: o.unique,
                lead_service: o.lead_service,
                lead_contact: o.lead_contact,
                practical_info: o.practical_info,
                published: true,
                created_at: now,
                updated_at: now,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(CatalogData {
        domains,
        typologies: file
            .typologies
            .into_iter()
            .map(|t| Typology {
                slug: t.slug,
                label: t.label,
            })
            .collect(),
        offers,
    })
}

/// Writes the demo catalogue when the database has no offer yet. Returns whether it did.
pub async fn seed_if_empty(store: &impl Store) -> Result<bool, StoreError> {
    if store.count_offers().await? > 0 {
        return Ok(false);
    }
    store.upsert(&demo_catalog()?).await?;
    Ok(true)
}

/// The demo catalogue grown to `count` offers by variations of its own offers (new codes,
/// recombined words), for load and scale tests.
pub fn synthetic_catalog(count: usize) -> Result<CatalogData, StoreError> {
    let mut data = demo_catalog()?;
    let base = data.offers.clone();
    const EXTRA: &[&str] = &[
        "rural",
        "intercommunal",
        "durable",
        "participatif",
        "numérique",
        "patrimonial",
        "scolaire",
        "sportif",
        "solidaire",
        "innovant",
    ];
    let mut n = 0usize;
    while data.offers.len() < count && !base.is_empty() {
        let template = &base[n % base.len()];
        let extra = EXTRA[(n / base.len()) % EXTRA.len()];
        let code = OfferCode::parse(&format!("S{}", 10_000 + n))
            .map_err(|_| StoreError::Corrupt("synthetic code".into()))?;
        data.offers.push(Offer {
            code,
            title: format!("{} ({extra} {})", template.title, n / base.len() + 1),
            summary: format!("{} Variante {extra}.", template.summary),
            ..template.clone()
        });
        n += 1;
    }
    data.offers.truncate(count);
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_catalogue_holds_together() {
        let data = demo_catalog().unwrap();
        assert_eq!(data.domains.len(), 10);
        assert_eq!(data.typologies.len(), 3);
        assert!(data.offers.len() >= 60);
        for domain in &data.domains {
            assert!(
                domain.thematics.len() >= 3,
                "{} has too few thematics",
                domain.slug
            );
            assert!(data.offers.iter().any(|o| o.domain_slug == domain.slug));
        }
        for offer in &data.offers {
            let domain = data
                .domains
                .iter()
                .find(|d| d.slug == offer.domain_slug)
                .unwrap();
            for thematic in &offer.thematic_slugs {
                assert!(
                    domain.thematics.iter().any(|t| &t.slug == thematic),
                    "{}: {thematic}",
                    offer.code
                );
            }
            assert!(
                data.typologies
                    .iter()
                    .any(|t| t.slug == offer.typology_slug)
            );
        }
    }

    #[test]
    fn synthetic_catalogues_have_the_size_asked_and_unique_codes() {
        let data = synthetic_catalog(1000).unwrap();
        assert_eq!(data.offers.len(), 1000);
        let mut codes: Vec<_> = data.offers.iter().map(|o| o.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 1000);
    }
}
