//! The catalog service: the public catalogue (anonymous) and the caller's favourites.

use id77_proto::catalog::v1::{self as pb, catalog_service_client::CatalogServiceClient};

use crate::{error::AppError, session::Session, state::GrpcChannel};

/// The catalog service's RPCs, as the gateway calls them. Cheap to clone (one channel handle);
/// a handler that runs calls side by side takes one client per call.
#[derive(Clone)]
pub struct CatalogClient(CatalogServiceClient<GrpcChannel>);

impl CatalogClient {
    pub fn new(channel: GrpcChannel) -> Self {
        Self(CatalogServiceClient::new(channel))
    }

    rpcs! {
        anonymous list_domains(ListDomainsRequest) -> ListDomainsResponse;
        anonymous list_typologies(ListTypologiesRequest) -> ListTypologiesResponse;
        anonymous search_offers(SearchOffersRequest) -> SearchOffersResponse;
        anonymous get_offer(GetOfferRequest) -> GetOfferResponse;
        signed add_favorite(AddFavoriteRequest) -> AddFavoriteResponse;
        signed remove_favorite(RemoveFavoriteRequest) -> RemoveFavoriteResponse;
        signed list_favorites(ListFavoritesRequest) -> ListFavoritesResponse;
        signed favorite_status(FavoriteStatusRequest) -> FavoriteStatusResponse;
    }
}
