//! What every handler shares: gRPC clients of the services (cheap to clone, one HTTP/2
//! connection each) and the embedded assets.

use std::{sync::Arc, time::Duration};

use id77_proto::catalog::v1::catalog_service_client::CatalogServiceClient;
use tonic::transport::{Channel, Endpoint};

use crate::assets::Assets;

#[derive(Clone)]
pub struct AppState {
    catalog: CatalogServiceClient<Channel>,
    catalog_channel: Channel,
    pub assets: Arc<Assets>,
}

impl AppState {
    /// Connects lazily: the gateway starts even when a service is not up yet, and `/readyz` says so.
    pub fn new(catalog_addr: &str) -> anyhow::Result<Self> {
        let channel = Endpoint::from_shared(catalog_addr.to_owned())?
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(10))
            .tcp_nodelay(true)
            .http2_keep_alive_interval(Duration::from_secs(30))
            .connect_lazy();
        Ok(Self {
            catalog: CatalogServiceClient::new(channel.clone()),
            catalog_channel: channel,
            assets: Arc::new(Assets::load()),
        })
    }

    pub fn catalog(&self) -> CatalogServiceClient<Channel> {
        self.catalog.clone()
    }

    pub fn catalog_channel(&self) -> Channel {
        self.catalog_channel.clone()
    }
}
