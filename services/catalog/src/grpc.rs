//! `id77.catalog.v1.CatalogService`: the wire format. Errors become `Status` in one place
//! (`From<Error> for Status`).

use std::sync::Arc;

use id77_kit::{
    auth::{Role, Verifier, require_role},
    violations::FieldViolation,
};
use id77_proto::catalog::v1 as pb;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::{
    domain::{self, OfferCode, SearchInput, SearchParams, SortOrder},
    error::Error,
    search::CatalogIndex,
    service::{Catalog, SearchPage},
    store::Store,
};

/// The tonic service over a shared [`Catalog`].
pub struct CatalogGrpc<S> {
    catalog: Arc<Catalog<S>>,
    /// Checks callers' access tokens for the per-account RPCs (favourites); without it those
    /// RPCs answer UNAUTHENTICATED and the public catalogue still works.
    verifier: Option<Verifier>,
}

impl<S> CatalogGrpc<S> {
    pub fn new(catalog: Arc<Catalog<S>>, verifier: Option<Verifier>) -> Self {
        Self { catalog, verifier }
    }

    /// The calling account: members and staff have favourites, service accounts do not.
    fn caller<T>(&self, request: &Request<T>) -> Result<Uuid, Error> {
        let verifier = self.verifier.as_ref().ok_or(Error::Unauthenticated)?;
        let claims = verifier.authenticate(request).map_err(Error::Access)?;
        require_role(&claims, &[Role::Member, Role::Lead, Role::Admin]).map_err(Error::Access)?;
        Ok(claims.sub)
    }
}

fn favorite_to_pb(
    references: &mut References<'_>,
    offer: &domain::Offer,
    added_at: chrono::DateTime<chrono::Utc>,
) -> pb::Favorite {
    pb::Favorite {
        offer: Some(references.summary(offer)),
        added_at: Some(timestamp(added_at)),
    }
}

fn domain_to_pb(domain: &domain::Domain) -> pb::Domain {
    pb::Domain {
        slug: domain.slug.clone(),
        label: domain.label.clone(),
        icon: domain.icon.clone(),
        position: domain.position,
        thematics: domain.thematics.iter().map(thematic_to_pb).collect(),
    }
}

fn thematic_to_pb(thematic: &domain::Thematic) -> pb::Thematic {
    pb::Thematic {
        slug: thematic.slug.clone(),
        label: thematic.label.clone(),
        domain_slug: thematic.domain_slug.clone(),
    }
}

fn typology_to_pb(typology: &domain::Typology) -> pb::Typology {
    pb::Typology {
        slug: typology.slug.clone(),
        label: typology.label.clone(),
    }
}

/// The domain of an offer without its thematics list (the offer carries its own; building the
/// list only to drop it was a tenth of a search's cost).
fn offer_domain(index: &CatalogIndex, offer: &domain::Offer) -> Option<pb::Domain> {
    index.domain(&offer.domain_slug).map(|d| pb::Domain {
        slug: d.slug.clone(),
        label: d.label.clone(),
        icon: d.icon.clone(),
        position: d.position,
        thematics: Vec::new(),
    })
}

/// The thematics of an offer as its page and its summaries show them.
fn thematics_of<'a>(
    index: &'a CatalogIndex,
    offer: &'a domain::Offer,
) -> impl Iterator<Item = &'a domain::Thematic> {
    offer.thematics_in(index.domain(&offer.domain_slug))
}

fn offer_thematics(index: &CatalogIndex, offer: &domain::Offer) -> Vec<pb::Thematic> {
    thematics_of(index, offer).map(thematic_to_pb).collect()
}

/// Builds the summaries of a list of offers and collects, once each, the domains, thematics
/// and typologies they name.
struct References<'a> {
    index: &'a CatalogIndex,
    collected: pb::References,
}

impl<'a> References<'a> {
    fn new(index: &'a CatalogIndex) -> Self {
        Self {
            index,
            collected: pb::References::default(),
        }
    }

    fn summary(&mut self, offer: &domain::Offer) -> pb::OfferSummary {
        let index = self.index;
        let collected = &mut self.collected;
        if collected.domain(&offer.domain_slug).is_none() {
            collected.domains.extend(offer_domain(index, offer));
        }
        let mut thematic_slugs = Vec::with_capacity(offer.thematic_slugs.len());
        for thematic in thematics_of(index, offer) {
            if collected.thematic(&thematic.slug).is_none() {
                collected.thematics.push(thematic_to_pb(thematic));
            }
            thematic_slugs.push(thematic.slug.clone());
        }
        if collected.typology(&offer.typology_slug).is_none() {
            collected
                .typologies
                .extend(index.typology(&offer.typology_slug).map(typology_to_pb));
        }
        pb::OfferSummary {
            code: offer.code.to_string(),
            title: offer.title.clone(),
            summary: offer.summary.clone(),
            domain_slug: offer.domain_slug.clone(),
            thematic_slugs,
            typology_slug: offer.typology_slug.clone(),
            unique: offer.unique,
        }
    }

    fn finish(self) -> Option<pb::References> {
        Some(self.collected)
    }
}

fn timestamp(at: chrono::DateTime<chrono::Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: at.timestamp(),
        nanos: i32::try_from(at.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

fn offer_to_pb(index: &CatalogIndex, offer: &domain::Offer) -> pb::Offer {
    pb::Offer {
        code: offer.code.to_string(),
        title: offer.title.clone(),
        summary: offer.summary.clone(),
        description: offer.description.clone(),
        domain: offer_domain(index, offer),
        thematics: offer_thematics(index, offer),
        typology: index.typology(&offer.typology_slug).map(typology_to_pb),
        unique: offer.unique,
        lead_service: offer.lead_service.clone(),
        lead_contact: offer.lead_contact.clone(),
        practical_info: offer.practical_info.clone(),
        created_at: Some(timestamp(offer.created_at)),
        updated_at: Some(timestamp(offer.updated_at)),
    }
}

/// A search page: its offers' summaries, the facet counts, and the labels the summaries name
/// (built by the same [`References`] as the favourites list).
fn search_reply(page: &SearchPage) -> pb::SearchOffersResponse {
    let mut references = References::new(page.index());
    pb::SearchOffersResponse {
        offers: page.offers().map(|o| references.summary(o)).collect(),
        total: u32::try_from(page.total()).unwrap_or(u32::MAX),
        page: page.page,
        per_page: page.per_page,
        domain_counts: facet_counts(page.domain_counts()),
        typology_counts: facet_counts(page.typology_counts()),
        references: references.finish(),
    }
}

fn facet_counts<'a>(counts: impl Iterator<Item = (&'a str, u32)>) -> Vec<pb::FacetCount> {
    counts
        .map(|(slug, count)| pb::FacetCount {
            slug: slug.to_owned(),
            count,
        })
        .collect()
}

/// The code of an offer-level request; a malformed one is refused before the service is called.
fn offer_code(code: &str) -> Result<OfferCode, Error> {
    Ok(OfferCode::parse(code)?)
}

/// Unset is `None` (the service picks by query); a number the proto does not know is refused.
fn sort_from_pb(sort: i32) -> Result<Option<SortOrder>, FieldViolation> {
    match pb::SortOrder::try_from(sort) {
        Ok(pb::SortOrder::Unspecified) => Ok(None),
        Ok(pb::SortOrder::Code) => Ok(Some(SortOrder::Code)),
        Ok(pb::SortOrder::Title) => Ok(Some(SortOrder::Title)),
        Ok(pb::SortOrder::Relevance) => Ok(Some(SortOrder::Relevance)),
        Err(_) => Err(FieldViolation::new("sort", "Ordre de tri inconnu.")),
    }
}

type Answer<T> = Result<Response<T>, Status>;

fn reply<T>(result: Result<T, Error>) -> Answer<T> {
    result.map(Response::new).map_err(Status::from)
}

#[tonic::async_trait]
impl<S: Store> pb::catalog_service_server::CatalogService for CatalogGrpc<S> {
    async fn list_domains(
        &self,
        _request: Request<pb::ListDomainsRequest>,
    ) -> Answer<pb::ListDomainsResponse> {
        let index = self.catalog.index();
        Ok(Response::new(pb::ListDomainsResponse {
            domains: index.domains.iter().map(domain_to_pb).collect(),
        }))
    }

    async fn list_typologies(
        &self,
        _request: Request<pb::ListTypologiesRequest>,
    ) -> Answer<pb::ListTypologiesResponse> {
        let index = self.catalog.index();
        Ok(Response::new(pb::ListTypologiesResponse {
            typologies: index.typologies.iter().map(typology_to_pb).collect(),
        }))
    }

    async fn search_offers(
        &self,
        request: Request<pb::SearchOffersRequest>,
    ) -> Answer<pb::SearchOffersResponse> {
        let request = request.into_inner();
        let sort = sort_from_pb(request.sort).map_err(Error::from)?;
        let params = SearchParams::parse(SearchInput {
            code: request.code,
            query: request.query,
            domains: request.domains,
            thematics: request.thematics,
            typologies: request.typologies,
            sort,
            page: request.page,
            per_page: request.per_page,
        })
        .map_err(Error::Invalid)?;
        reply(self.catalog.search(&params).map(|page| search_reply(&page)))
    }

    async fn get_offer(
        &self,
        request: Request<pb::GetOfferRequest>,
    ) -> Answer<pb::GetOfferResponse> {
        let code = offer_code(&request.into_inner().code)?;
        reply(self.catalog.offer(code).map(|found| pb::GetOfferResponse {
            offer: Some(offer_to_pb(found.index(), found.offer())),
        }))
    }

    async fn add_favorite(
        &self,
        request: Request<pb::AddFavoriteRequest>,
    ) -> Answer<pb::AddFavoriteResponse> {
        let account = self.caller(&request)?;
        let code = offer_code(&request.into_inner().code)?;
        reply(self.catalog.add_favorite(account, code).await.map(|new| {
            let mut references = References::new(new.index());
            pb::AddFavoriteResponse {
                favorite: Some(favorite_to_pb(&mut references, new.offer(), new.added_at)),
                added: new.added,
                references: references.finish(),
            }
        }))
    }

    async fn remove_favorite(
        &self,
        request: Request<pb::RemoveFavoriteRequest>,
    ) -> Answer<pb::RemoveFavoriteResponse> {
        let account = self.caller(&request)?;
        let code = offer_code(&request.into_inner().code)?;
        reply(
            self.catalog
                .remove_favorite(account, &code)
                .await
                .map(|removed| pb::RemoveFavoriteResponse { removed }),
        )
    }

    async fn list_favorites(
        &self,
        request: Request<pb::ListFavoritesRequest>,
    ) -> Answer<pb::ListFavoritesResponse> {
        let account = self.caller(&request)?;
        reply(self.catalog.favorites(account).await.map(|favorites| {
            let mut references = References::new(favorites.index());
            pb::ListFavoritesResponse {
                favorites: favorites
                    .iter()
                    .map(|(offer, added_at)| favorite_to_pb(&mut references, offer, added_at))
                    .collect(),
                references: references.finish(),
            }
        }))
    }

    async fn favorite_status(
        &self,
        request: Request<pb::FavoriteStatusRequest>,
    ) -> Answer<pb::FavoriteStatusResponse> {
        let account = self.caller(&request)?;
        let codes = request.into_inner().codes;
        reply(
            self.catalog
                .favorite_status(account, codes)
                .await
                .map(|favorite_codes| pb::FavoriteStatusResponse { favorite_codes }),
        )
    }
}
