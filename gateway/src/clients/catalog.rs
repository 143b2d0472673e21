//! The catalog service: the public catalogue (anonymous) and the caller's favourites.

use id77_proto::catalog::v1::{self as pb, catalog_service_client::CatalogServiceClient};

use super::{outgoing, reply};
use crate::{error::AppError, session::Session, state::GrpcChannel};

/// The catalog service's RPCs, as the gateway calls them. Cheap to clone (one channel handle);
/// a handler that runs calls side by side takes one client per call.
#[derive(Clone)]
pub struct CatalogClient(CatalogServiceClient<GrpcChannel>);

impl CatalogClient {
    pub fn new(channel: GrpcChannel) -> Self {
        Self(CatalogServiceClient::new(channel))
    }

    pub async fn list_domains(
        &mut self,
        request: pb::ListDomainsRequest,
    ) -> Result<pb::ListDomainsResponse, AppError> {
        reply(self.0.list_domains(outgoing(None, request))).await
    }

    pub async fn list_typologies(
        &mut self,
        request: pb::ListTypologiesRequest,
    ) -> Result<pb::ListTypologiesResponse, AppError> {
        reply(self.0.list_typologies(outgoing(None, request))).await
    }

    pub async fn search_offers(
        &mut self,
        request: pb::SearchOffersRequest,
    ) -> Result<pb::SearchOffersResponse, AppError> {
        reply(self.0.search_offers(outgoing(None, request))).await
    }

    pub async fn get_offer(
        &mut self,
        request: pb::GetOfferRequest,
    ) -> Result<pb::GetOfferResponse, AppError> {
        reply(self.0.get_offer(outgoing(None, request))).await
    }

    pub async fn add_favorite(
        &mut self,
        session: &Session,
        request: pb::AddFavoriteRequest,
    ) -> Result<pb::AddFavoriteResponse, AppError> {
        reply(self.0.add_favorite(outgoing(Some(session), request))).await
    }

    pub async fn remove_favorite(
        &mut self,
        session: &Session,
        request: pb::RemoveFavoriteRequest,
    ) -> Result<pb::RemoveFavoriteResponse, AppError> {
        reply(self.0.remove_favorite(outgoing(Some(session), request))).await
    }

    pub async fn list_favorites(
        &mut self,
        session: &Session,
        request: pb::ListFavoritesRequest,
    ) -> Result<pb::ListFavoritesResponse, AppError> {
        reply(self.0.list_favorites(outgoing(Some(session), request))).await
    }

    pub async fn favorite_status(
        &mut self,
        session: &Session,
        request: pb::FavoriteStatusRequest,
    ) -> Result<pb::FavoriteStatusResponse, AppError> {
        reply(self.0.favorite_status(outgoing(Some(session), request))).await
    }
}
