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
};

#[derive(Debug, Serialize, ToSchema)]
pub struct Thematic {
    pub slug: String,
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Domain {
    pub slug: String,
    pub label: String,
    /// Name of the icon drawn for the domain.
    pub icon: String,
    pub thematics: Vec<Thematic>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DomainRef {
    pub slug: String,
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Typology {
    pub slug: String,
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfferSummary {
    /// Offer identifier, e.g. `O01`.
    pub code: String,
    pub title: String,
    pub summary: String,
    pub domain: Option<DomainRef>,
    pub thematics: Vec<Thematic>,
    pub typology: Option<Typology>,
    /// Delivered once per member organisation.
    pub unique: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Offer {
    pub code: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub domain: Option<DomainRef>,
    pub thematics: Vec<Thematic>,
    pub typology: Option<Typology>,
    pub unique: bool,
    /// Department service leading the offer, e.g. `ID77-DADT-PROTER`.
    pub lead_service: String,
    pub lead_contact: String,
    pub practical_info: String,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetCount {
    pub slug: String,
    pub count: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OffersPage {
    /// Offers matching the filters, all pages together.
    pub total: u32,
    pub page: u32,
    pub per_page: u32,
    pub offers: Vec<OfferSummary>,
    /// Offers per domain for the other filters (what choosing each domain would give).
    pub domain_counts: Vec<FacetCount>,
    /// Offers per typology for the other filters.
    pub typology_counts: Vec<FacetCount>,
}

fn thematic(t: pb::Thematic) -> Thematic {
    Thematic {
        slug: t.slug,
        label: t.label,
    }
}

fn typology(t: pb::Typology) -> Typology {
    Typology {
        slug: t.slug,
        label: t.label,
    }
}

fn domain_ref(d: pb::Domain) -> DomainRef {
    DomainRef {
        slug: d.slug,
        label: d.label,
    }
}

fn time(t: Option<prost_types::Timestamp>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.seconds, u32::try_from(t.nanos).unwrap_or(0)))
}

impl From<pb::OfferSummary> for OfferSummary {
    fn from(o: pb::OfferSummary) -> Self {
        Self {
            code: o.code,
            title: o.title,
            summary: o.summary,
            domain: o.domain.map(domain_ref),
            thematics: o.thematics.into_iter().map(thematic).collect(),
            typology: o.typology.map(typology),
            unique: o.unique,
        }
    }
}

impl From<pb::Offer> for Offer {
    fn from(o: pb::Offer) -> Self {
        Self {
            code: o.code,
            title: o.title,
            summary: o.summary,
            description: o.description,
            domain: o.domain.map(domain_ref),
            thematics: o.thematics.into_iter().map(thematic).collect(),
            typology: o.typology.map(typology),
            unique: o.unique,
            lead_service: o.lead_service,
            lead_contact: o.lead_contact,
            practical_info: o.practical_info,
            created_at: time(o.created_at),
            updated_at: time(o.updated_at),
        }
    }
}

fn facets(counts: Vec<pb::FacetCount>) -> Vec<FacetCount> {
    counts
        .into_iter()
        .map(|c| FacetCount {
            slug: c.slug,
            count: c.count,
        })
        .collect()
}

/// The ten domains, in display order, with their thematics.
#[utoipa::path(get, path = "/domains", tag = "catalogue",
    responses((status = 200, body = [Domain]), (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn list_domains(State(state): State<AppState>) -> Result<Json<Vec<Domain>>, ApiError> {
    let domains = state
        .catalog()
        .list_domains(pb::ListDomainsRequest {})
        .await?
        .into_inner()
        .domains;
    Ok(Json(
        domains
            .into_iter()
            .map(|d| Domain {
                slug: d.slug,
                label: d.label,
                icon: d.icon,
                thematics: d.thematics.into_iter().map(thematic).collect(),
            })
            .collect(),
    ))
}

/// The typologies of offers.
#[utoipa::path(get, path = "/typologies", tag = "catalogue",
    responses((status = 200, body = [Typology]), (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn list_typologies(
    State(state): State<AppState>,
) -> Result<Json<Vec<Typology>>, ApiError> {
    let typologies = state
        .catalog()
        .list_typologies(pb::ListTypologiesRequest {})
        .await?
        .into_inner()
        .typologies;
    Ok(Json(typologies.into_iter().map(typology).collect()))
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
        (status = 200, body = OffersPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn search_offers(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<PageJson, ApiError> {
    let (query, errors) = CatalogQuery::parse(raw.as_deref());
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    let page = state
        .catalog()
        .search_offers(query.to_request())
        .await?
        .into_inner();
    Ok(PageJson(OffersPage {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        offers: page.offers.into_iter().map(OfferSummary::from).collect(),
        domain_counts: facets(page.domain_counts),
        typology_counts: facets(page.typology_counts),
    }))
}

/// A page of offers as JSON, written into a buffer sized for it up front (axum's `Json` starts at
/// 128 bytes and doubles: seven copies of the body) by sonic-rs, whose SIMD string escaping takes
/// half of serde_json's time on these accented French texts. Both write the same bytes.
pub struct PageJson(OffersPage);

/// Room for one offer summary in JSON (they are 400 to 600 bytes).
const OFFER_JSON_BYTES: usize = 640;

impl IntoResponse for PageJson {
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(512 + self.0.offers.len() * OFFER_JSON_BYTES);
        match sonic_rs::to_writer(&mut body, &self.0) {
            Ok(()) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                body,
            )
                .into_response(),
            Err(error) => ApiError::from(AppError::Internal(format!("JSON of a page: {error}")))
                .into_response(),
        }
    }
}

/// One published offer by its identifier (any case).
#[utoipa::path(get, path = "/offers/{code}", tag = "catalogue",
    params(("code" = String, Path, description = "Identifiant de l'offre, par exemple O01")),
    responses(
        (status = 200, body = Offer),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_offer(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Offer>, ApiError> {
    let response = state
        .catalog()
        .get_offer(pb::GetOfferRequest { code })
        .await?
        .into_inner();
    let offer = response
        .offer
        .ok_or_else(|| AppError::Internal("catalog returned no offer".to_owned()))?;
    Ok(Json(offer.into()))
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;

    use super::*;

    fn reference(slug: &str, label: &str) -> Thematic {
        Thematic {
            slug: slug.to_owned(),
            label: label.to_owned(),
        }
    }

    /// The page is written by sonic-rs and every other JSON body by serde_json: clients must not
    /// be able to tell, escapes included.
    #[tokio::test]
    async fn a_page_is_the_json_serde_json_would_write() {
        let tricky =
            "« Guillemets » \"doubles\", barre \\ oblique /, tab\t, retour\n, \u{1}, \u{7f}, é, 🌳";
        let page = OffersPage {
            total: 2,
            page: 1,
            per_page: 20,
            offers: vec![OfferSummary {
                code: "O01".to_owned(),
                title: tricky.to_owned(),
                summary: String::new(),
                domain: Some(DomainRef {
                    slug: "eau-assainissement".to_owned(),
                    label: "Eau / Assainissement".to_owned(),
                }),
                thematics: vec![
                    reference("eau-potable", "Eau potable"),
                    reference("x", tricky),
                ],
                typology: None,
                unique: true,
            }],
            domain_counts: vec![FacetCount {
                slug: "eau-assainissement".to_owned(),
                count: 2,
            }],
            typology_counts: Vec::new(),
        };
        let expected = serde_json::to_vec(&page).expect("serde_json writes the page");
        let response = PageJson(page).into_response();
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body = to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("the body is in memory");
        assert_eq!(
            String::from_utf8_lossy(&body),
            String::from_utf8_lossy(&expected)
        );
    }
}
