//! Catalogue endpoints: thin translations of HTTP into `CatalogService` calls.

use axum::{
    Json,
    extract::{Path, RawQuery, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use id77_proto::catalog::v1 as pb;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    error::{ApiError, AppError, Problem},
    params::CatalogQuery,
    state::AppState,
    time::timestamp,
};

// The JSON bodies borrow their strings from the gRPC reply they are written from.

#[derive(Debug, Serialize, ToSchema)]
pub struct Thematic<'a> {
    pub slug: &'a str,
    pub label: &'a str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Domain<'a> {
    pub slug: &'a str,
    pub label: &'a str,
    /// Name of the icon drawn for the domain.
    pub icon: &'a str,
    pub thematics: Vec<Thematic<'a>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DomainRef<'a> {
    pub slug: &'a str,
    pub label: &'a str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Typology<'a> {
    pub slug: &'a str,
    pub label: &'a str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfferSummary<'a> {
    /// Offer identifier, e.g. `O01`.
    pub code: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub domain: Option<DomainRef<'a>>,
    pub thematics: Vec<Thematic<'a>>,
    pub typology: Option<Typology<'a>>,
    /// Delivered once per member organisation.
    pub unique: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Offer<'a> {
    pub code: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub description: &'a str,
    pub domain: Option<DomainRef<'a>>,
    pub thematics: Vec<Thematic<'a>>,
    pub typology: Option<Typology<'a>>,
    pub unique: bool,
    /// Department service leading the offer, e.g. `ID77-DADT-PROTER`.
    pub lead_service: &'a str,
    pub lead_contact: &'a str,
    pub practical_info: &'a str,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetCount<'a> {
    pub slug: &'a str,
    pub count: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OffersPage<'a> {
    /// Offers matching the filters, all pages together.
    pub total: u32,
    pub page: u32,
    pub per_page: u32,
    pub offers: Vec<OfferSummary<'a>>,
    /// Offers per domain for the other filters (what choosing each domain would give).
    pub domain_counts: Vec<FacetCount<'a>>,
    /// Offers per typology for the other filters.
    pub typology_counts: Vec<FacetCount<'a>>,
}

impl<'a> OffersPage<'a> {
    /// A search page as the JSON API shows it: each offer labelled from the page's references
    /// (taken out of the reply by the caller, as the favourites list does).
    pub fn new(page: &'a pb::SearchOffersResponse, references: &'a pb::References) -> Self {
        let facets = |counts: &'a [pb::FacetCount]| {
            counts
                .iter()
                .map(|c| FacetCount {
                    slug: &c.slug,
                    count: c.count,
                })
                .collect()
        };
        Self {
            total: page.total,
            page: page.page,
            per_page: page.per_page,
            offers: page
                .offers
                .iter()
                .map(|o| OfferSummary::new(o, references))
                .collect(),
            domain_counts: facets(&page.domain_counts),
            typology_counts: facets(&page.typology_counts),
        }
    }
}

fn thematic(t: &pb::Thematic) -> Thematic<'_> {
    Thematic {
        slug: &t.slug,
        label: &t.label,
    }
}

fn typology(t: &pb::Typology) -> Typology<'_> {
    Typology {
        slug: &t.slug,
        label: &t.label,
    }
}

fn domain_ref(d: &pb::Domain) -> DomainRef<'_> {
    DomainRef {
        slug: &d.slug,
        label: &d.label,
    }
}

impl<'a> OfferSummary<'a> {
    /// An offer of a list, its domain, thematics and typology labelled from the list's
    /// references (a slug the references lack is left out rather than shown unlabelled).
    pub fn new(o: &'a pb::OfferSummary, references: &'a pb::References) -> Self {
        Self {
            code: &o.code,
            title: &o.title,
            summary: &o.summary,
            domain: references.domain(&o.domain_slug).map(domain_ref),
            thematics: o
                .thematic_slugs
                .iter()
                .filter_map(|slug| references.thematic(slug))
                .map(thematic)
                .collect(),
            typology: references.typology(&o.typology_slug).map(typology),
            unique: o.unique,
        }
    }
}

impl<'a> From<&'a pb::Offer> for Offer<'a> {
    fn from(o: &'a pb::Offer) -> Self {
        Self {
            code: &o.code,
            title: &o.title,
            summary: &o.summary,
            description: &o.description,
            domain: o.domain.as_ref().map(domain_ref),
            thematics: o.thematics.iter().map(thematic).collect(),
            typology: o.typology.as_ref().map(typology),
            unique: o.unique,
            lead_service: &o.lead_service,
            lead_contact: &o.lead_contact,
            practical_info: &o.practical_info,
            created_at: timestamp(o.created_at.as_ref()),
            updated_at: timestamp(o.updated_at.as_ref()),
        }
    }
}

/// The ten domains, in display order, with their thematics.
#[utoipa::path(get, path = "/domains", tag = "catalogue",
    responses((status = 200, body = [Domain<'_>]), (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn list_domains(State(state): State<AppState>) -> Result<Response, ApiError> {
    let domains = state
        .catalog()
        .list_domains(pb::ListDomainsRequest {})
        .await?
        .domains;
    let body: Vec<Domain<'_>> = domains
        .iter()
        .map(|d| Domain {
            slug: &d.slug,
            label: &d.label,
            icon: &d.icon,
            thematics: d.thematics.iter().map(thematic).collect(),
        })
        .collect();
    Ok(Json(body).into_response())
}

/// The typologies of offers.
#[utoipa::path(get, path = "/typologies", tag = "catalogue",
    responses((status = 200, body = [Typology<'_>]), (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn list_typologies(State(state): State<AppState>) -> Result<Response, ApiError> {
    let typologies = state
        .catalog()
        .list_typologies(pb::ListTypologiesRequest {})
        .await?
        .typologies;
    let body: Vec<Typology<'_>> = typologies.iter().map(typology).collect();
    Ok(Json(body).into_response())
}

/// Searches the published offers.
///
/// Free text ignores case, accents and plurals, and forgives one typo in words of five letters
/// or more; results are ranked by relevance (title matches first) unless another sort is asked.
#[utoipa::path(get, path = "/offers", tag = "catalogue",
    params(
        ("q" = Option<String>, Query, description = "Titre / mots-clés (200 caractères au plus)"),
        ("code" = Option<String>, Query, description = "Identifiant exact de l'offre, par exemple O37"),
        ("domain" = Option<Vec<String>>, Query, explode, description = "Domaine (slug), répétable"),
        ("thematic" = Option<Vec<String>>, Query, explode, description = "Thématique (slug), répétable"),
        ("typology" = Option<Vec<String>>, Query, explode, description = "Typologie (slug), répétable"),
        ("sort" = Option<String>, Query, description = "relevance, code ou title"),
        ("page" = Option<u32>, Query, description = "Page, à partir de 1"),
        ("per_page" = Option<u32>, Query, description = "Offres par page, de 1 à 100 (20 par défaut)"),
    ),
    responses(
        (status = 200, body = OffersPage<'_>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn search_offers(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (query, errors) = CatalogQuery::parse(raw.as_deref());
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    let mut page = state.catalog().search_offers(query.to_request()).await?;
    let references = page.references.take().unwrap_or_default();
    // The busiest body: written through serde by sonic-rs, whose SIMD escaping costs a fraction
    // of serde_json's for the page's 200-odd strings (same bytes; docs/performance.md).
    let json = sonic_rs::to_vec(&OffersPage::new(&page, &references))
        .map_err(|error| AppError::Internal(format!("JSON of a search page: {error}")))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response())
}

/// One published offer by its identifier (any case).
#[utoipa::path(get, path = "/offers/{code}", tag = "catalogue",
    params(("code" = String, Path, description = "Identifiant de l'offre, par exemple O01")),
    responses(
        (status = 200, body = Offer<'_>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_offer(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let response = state
        .catalog()
        .get_offer(pb::GetOfferRequest { code })
        .await?;
    let offer = response
        .offer
        .ok_or_else(|| AppError::Internal("catalog returned no offer".to_owned()))?;
    Ok(Json(Offer::from(&offer)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// sonic-rs writes the search page as serde_json would: the same bytes, escapes included.
    #[test]
    fn the_search_page_is_written_as_serde_json_writes_it() {
        let tricky = "« Guillemets » \"quotes\" \\ back\tslash\n\u{1} é ü 🌳 </script>";
        let references = pb::References {
            domains: vec![pb::Domain {
                slug: "eau".into(),
                label: tricky.into(),
                ..pb::Domain::default()
            }],
            thematics: vec![pb::Thematic {
                slug: "t".into(),
                label: "Eau\u{7f} potable".into(),
                domain_slug: "eau".into(),
            }],
            typologies: vec![],
        };
        let page = pb::SearchOffersResponse {
            offers: vec![pb::OfferSummary {
                code: "O07".into(),
                title: tricky.into(),
                summary: String::new(),
                domain_slug: "eau".into(),
                thematic_slugs: vec!["t".into()],
                typology_slug: "absente".into(),
                unique: true,
            }],
            total: u32::MAX,
            page: 1,
            per_page: 20,
            domain_counts: vec![pb::FacetCount {
                slug: "eau".into(),
                count: 3,
            }],
            typology_counts: vec![],
            references: None,
        };
        let body = OffersPage::new(&page, &references);
        assert_eq!(
            String::from_utf8(sonic_rs::to_vec(&body).unwrap()).unwrap(),
            serde_json::to_string(&body).unwrap()
        );
    }

    /// An offer of a list gets its labels from the list's references, and a slug missing from
    /// them is left out instead of written without a label.
    #[test]
    fn a_summary_is_labelled_from_the_references() {
        let references = pb::References {
            domains: vec![pb::Domain {
                slug: "eau-assainissement".into(),
                label: "Eau / Assainissement".into(),
                ..pb::Domain::default()
            }],
            thematics: vec![pb::Thematic {
                slug: "eau-potable".into(),
                label: "Eau potable".into(),
                domain_slug: "eau-assainissement".into(),
            }],
            typologies: vec![pb::Typology {
                slug: "conseil".into(),
                label: "Conseil".into(),
            }],
        };
        let offer = pb::OfferSummary {
            code: "O07".into(),
            title: "Eau".into(),
            domain_slug: "eau-assainissement".into(),
            thematic_slugs: vec!["eau-potable".into(), "inconnue".into()],
            typology_slug: "conseil".into(),
            ..pb::OfferSummary::default()
        };
        let summary = OfferSummary::new(&offer, &references);
        assert_eq!(
            summary.domain.map(|d| d.label),
            Some("Eau / Assainissement")
        );
        assert_eq!(
            summary
                .thematics
                .iter()
                .map(|t| t.label)
                .collect::<Vec<_>>(),
            ["Eau potable"]
        );
        assert_eq!(summary.typology.map(|t| t.label), Some("Conseil"));
    }
}
