//! `id77.catalog.v1.CatalogService`: the wire format. Errors become `Status` in one place
//! (`From<Error> for Status`).

use std::sync::{Arc, RwLock};

use id77_kit::violations::FieldViolation;
use id77_proto::catalog::v1 as pb;
use tonic::{Request, Response, Status};

use id77_kit::auth::{Role, Verifier, require_role};
use uuid::Uuid;

use crate::{
    domain::{self, OfferCode, SearchInput, SearchParams, SortOrder},
    error::Error,
    search::{CatalogIndex, SearchResult},
    store::{Store, StoreError},
};

/// The catalogue as served: the store is the truth, the index the read model.
pub struct Catalog<S> {
    store: S,
    index: RwLock<Arc<CatalogIndex>>,
}

impl<S: Store> Catalog<S> {
    /// Loads the index from the store.
    pub async fn load(store: S) -> Result<Self, StoreError> {
        let index = Self::build_index(&store).await?;
        Ok(Self {
            store,
            index: RwLock::new(Arc::new(index)),
        })
    }

    async fn build_index(store: &S) -> Result<CatalogIndex, StoreError> {
        Ok(CatalogIndex::build(
            store.domains().await?,
            store.typologies().await?,
            store.offers().await?,
        ))
    }

    /// Rebuilds the index after the catalogue changed.
    pub async fn reload(&self) -> Result<(), StoreError> {
        let index = Arc::new(Self::build_index(&self.store).await?);
        match self.index.write() {
            Ok(mut guard) => *guard = index,
            Err(poisoned) => *poisoned.into_inner() = index,
        }
        Ok(())
    }

    pub fn index(&self) -> Arc<CatalogIndex> {
        match self.index.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub fn store(&self) -> &S {
        &self.store
    }
}

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
fn search_reply(
    index: &CatalogIndex,
    result: &SearchResult<'_>,
    params: &SearchParams,
) -> pb::SearchOffersResponse {
    let facets = |counts: &[(&str, u32)]| {
        counts
            .iter()
            .map(|&(slug, count)| pb::FacetCount {
                slug: slug.to_owned(),
                count,
            })
            .collect()
    };
    let mut references = References::new(index);
    pb::SearchOffersResponse {
        offers: result
            .offers
            .iter()
            .map(|o| references.summary(o))
            .collect(),
        total: u32::try_from(result.total).unwrap_or(u32::MAX),
        page: params.page,
        per_page: params.per_page,
        domain_counts: facets(&result.domain_counts),
        typology_counts: facets(&result.typology_counts),
        references: references.finish(),
    }
}

fn sort_from_pb(sort: i32) -> Result<Option<SortOrder>, FieldViolation> {
    match pb::SortOrder::try_from(sort) {
        Ok(pb::SortOrder::Unspecified) => Ok(None),
        Ok(pb::SortOrder::Code) => Ok(Some(SortOrder::Code)),
        Ok(pb::SortOrder::Title) => Ok(Some(SortOrder::Title)),
        Ok(pb::SortOrder::Relevance) => Ok(Some(SortOrder::Relevance)),
        Err(_) => Err(FieldViolation::new("sort", "Ordre de tri inconnu.")),
    }
}

#[tonic::async_trait]
impl<S: Store> pb::catalog_service_server::CatalogService for CatalogGrpc<S> {
    async fn list_domains(
        &self,
        _request: Request<pb::ListDomainsRequest>,
    ) -> Result<Response<pb::ListDomainsResponse>, Status> {
        let index = self.catalog.index();
        Ok(Response::new(pb::ListDomainsResponse {
            domains: index.domains.iter().map(domain_to_pb).collect(),
        }))
    }

    async fn list_typologies(
        &self,
        _request: Request<pb::ListTypologiesRequest>,
    ) -> Result<Response<pb::ListTypologiesResponse>, Status> {
        let index = self.catalog.index();
        Ok(Response::new(pb::ListTypologiesResponse {
            typologies: index.typologies.iter().map(typology_to_pb).collect(),
        }))
    }

    async fn search_offers(
        &self,
        request: Request<pb::SearchOffersRequest>,
    ) -> Result<Response<pb::SearchOffersResponse>, Status> {
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
        .map_err(Error::from)?;
        let index = self.catalog.index();
        let unknown: Vec<FieldViolation> = index
            .unknown_slugs(&params)
            .into_iter()
            .map(|(field, slug)| {
                let what = match field {
                    "domains" => "Domaine",
                    "thematics" => "Thématique",
                    _ => "Typologie",
                };
                FieldViolation::new(field, format!("{what} inconnu(e) : « {slug} »."))
            })
            .collect();
        if !unknown.is_empty() {
            return Err(Error::Invalid(unknown).into());
        }
        let result = index.search(&params);
        Ok(Response::new(search_reply(&index, &result, &params)))
    }

    async fn get_offer(
        &self,
        request: Request<pb::GetOfferRequest>,
    ) -> Result<Response<pb::GetOfferResponse>, Status> {
        let code = OfferCode::parse(&request.into_inner().code).map_err(Error::from)?;
        let index = self.catalog.index();
        match index.get(code.as_str()) {
            Some(offer) => Ok(Response::new(pb::GetOfferResponse {
                offer: Some(offer_to_pb(&index, offer)),
            })),
            None => Err(Error::NotFound(code).into()),
        }
    }

    async fn add_favorite(
        &self,
        request: Request<pb::AddFavoriteRequest>,
    ) -> Result<Response<pb::AddFavoriteResponse>, Status> {
        let account = self.caller(&request)?;
        let code = OfferCode::parse(&request.into_inner().code).map_err(Error::from)?;
        let index = self.catalog.index();
        let Some(offer) = index.get(code.as_str()) else {
            return Err(Error::NotFound(code).into());
        };
        let store = self.catalog.store();
        let added = store
            .add_favorite(account, &offer.code, chrono::Utc::now())
            .await
            .map_err(Error::from)?;
        let favorites = store.favorites(account).await.map_err(Error::from)?;
        let added_at = favorites
            .iter()
            .find(|f| f.code == offer.code)
            .map_or_else(chrono::Utc::now, |f| f.added_at);
        let mut references = References::new(&index);
        Ok(Response::new(pb::AddFavoriteResponse {
            favorite: Some(favorite_to_pb(&mut references, offer, added_at)),
            added,
            references: references.finish(),
        }))
    }

    async fn remove_favorite(
        &self,
        request: Request<pb::RemoveFavoriteRequest>,
    ) -> Result<Response<pb::RemoveFavoriteResponse>, Status> {
        let account = self.caller(&request)?;
        let code = OfferCode::parse(&request.into_inner().code).map_err(Error::from)?;
        let removed = self
            .catalog
            .store()
            .remove_favorite(account, &code)
            .await
            .map_err(Error::from)?;
        Ok(Response::new(pb::RemoveFavoriteResponse { removed }))
    }

    async fn list_favorites(
        &self,
        request: Request<pb::ListFavoritesRequest>,
    ) -> Result<Response<pb::ListFavoritesResponse>, Status> {
        let account = self.caller(&request)?;
        let favorites = self
            .catalog
            .store()
            .favorites(account)
            .await
            .map_err(Error::from)?;
        let index = self.catalog.index();
        let mut references = References::new(&index);
        Ok(Response::new(pb::ListFavoritesResponse {
            // An offer unpublished since it was added is left out, and comes back if republished.
            favorites: favorites
                .iter()
                .filter_map(|f| {
                    index
                        .get(f.code.as_str())
                        .map(|offer| favorite_to_pb(&mut references, offer, f.added_at))
                })
                .collect(),
            references: references.finish(),
        }))
    }

    async fn favorite_status(
        &self,
        request: Request<pb::FavoriteStatusRequest>,
    ) -> Result<Response<pb::FavoriteStatusResponse>, Status> {
        let account = self.caller(&request)?;
        let asked = request.into_inner().codes;
        if asked.len() > 100 {
            return Err(Error::from(FieldViolation::new(
                "codes",
                "Au plus 100 offres à la fois.",
            ))
            .into());
        }
        let favorites = self
            .catalog
            .store()
            .favorites(account)
            .await
            .map_err(Error::from)?;
        let favorite_codes = asked
            .into_iter()
            .filter(|code| {
                favorites
                    .iter()
                    .any(|f| f.code.as_str().eq_ignore_ascii_case(code.trim()))
            })
            .collect();
        Ok(Response::new(pb::FavoriteStatusResponse { favorite_codes }))
    }
}
