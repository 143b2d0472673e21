//! The catalog's gRPC server: the generated `CatalogServiceServer`, except that `SearchOffers`
//! sends the bytes [`crate::wire`] writes rather than encoding prost's structs.
//!
//! tonic sets one codec per generated service, so the one method whose reply is written by hand
//! is routed here, before the generated router, with the same request decoding, status codes
//! and framing.

use std::sync::Arc;

use id77_proto::{
    catalog::v1::{
        SEARCH_OFFERS_PATH, SearchOffersRequest,
        catalog_service_server::{CatalogServiceServer, SERVICE_NAME},
    },
    codec::EncodedReplyCodec,
};
use tonic::{
    Request, Response, Status,
    codegen::{BoxFuture, Context, Poll, Service, StdError, http},
    server::{NamedService, UnaryService},
};

use crate::{CatalogGrpc, store::Store};

/// `id77.catalog.v1.CatalogService`, ready to be added to a gRPC host.
pub struct CatalogServer<S> {
    grpc: Arc<CatalogGrpc<S>>,
    generated: CatalogServiceServer<CatalogGrpc<S>>,
}

impl<S> Clone for CatalogServer<S> {
    fn clone(&self) -> Self {
        Self {
            grpc: Arc::clone(&self.grpc),
            generated: self.generated.clone(),
        }
    }
}

impl<S: Store> CatalogServer<S> {
    pub fn new(grpc: CatalogGrpc<S>) -> Self {
        let grpc = Arc::new(grpc);
        Self {
            generated: CatalogServiceServer::from_arc(Arc::clone(&grpc)),
            grpc,
        }
    }
}

impl<S> NamedService for CatalogServer<S> {
    const NAME: &'static str = SERVICE_NAME;
}

impl<S, B> Service<http::Request<B>> for CatalogServer<S>
where
    S: Store,
    B: tonic::codegen::Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = std::convert::Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if request.uri().path() != SEARCH_OFFERS_PATH {
            return self.generated.call(request);
        }
        let method = SearchOffers(Arc::clone(&self.grpc));
        Box::pin(async move {
            let mut grpc = tonic::server::Grpc::new(EncodedReplyCodec::default());
            Ok(grpc.unary(method, request).await)
        })
    }
}

/// `SearchOffers`, answered with the reply's bytes.
struct SearchOffers<S>(Arc<CatalogGrpc<S>>);

impl<S: Store> UnaryService<SearchOffersRequest> for SearchOffers<S> {
    type Response = Vec<u8>;
    type Future = std::future::Ready<Result<Response<Vec<u8>>, Status>>;

    fn call(&mut self, request: Request<SearchOffersRequest>) -> Self::Future {
        std::future::ready(self.0.search_reply(request.into_inner()).map(Response::new))
    }
}
