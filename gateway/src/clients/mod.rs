//! One typed client per service the gateway calls: a method per RPC it uses, named like the
//! RPC, that takes the caller's [`Session`] when the RPC acts for someone and answers the reply
//! or an [`AppError`].
//!
//! Handlers never build a gRPC request nor read a `tonic::Status`: the metadata are attached in
//! [`outgoing`] and a failure is mapped in [`reply`], so every call of both faces fails the same
//! way. Those that want another answer (a body's 422, a page's form) reshape the `AppError`.

use std::future::Future;

use crate::{error::AppError, session::Session};

/// Writes a client's methods, one per RPC and named like it: an `anonymous` one sends the
/// message alone, a `signed` one takes the caller's session first. One definition for all, so
/// that no method can attach the metadata or map a failure its own way.
macro_rules! rpcs {
    ($($(#[$doc:meta])* $kind:ident $name:ident($request:ident) -> $reply:ident;)*) => {
        $(rpcs!(@method $kind $(#[$doc])* $name($request) -> $reply);)*
    };
    (@method anonymous $(#[$doc:meta])* $name:ident($request:ident) -> $reply:ident) => {
        $(#[$doc])*
        pub async fn $name(&mut self, request: pb::$request) -> Result<pb::$reply, AppError> {
            $crate::clients::reply(self.0.$name($crate::clients::outgoing(None, request))).await
        }
    };
    (@method signed $(#[$doc:meta])* $name:ident($request:ident) -> $reply:ident) => {
        $(#[$doc])*
        pub async fn $name(
            &mut self,
            session: &Session,
            request: pb::$request,
        ) -> Result<pb::$reply, AppError> {
            $crate::clients::reply(
                self.0.$name($crate::clients::outgoing(Some(session), request)),
            )
            .await
        }
    };
}

mod catalog;
mod identity;

pub use catalog::CatalogClient;
pub use identity::IdentityClient;

/// The request of a call: the caller's bearer token when there is one. The trace context is
/// not set here but by the channel itself (`state::connect`), which sees every call.
fn outgoing<T>(caller: Option<&Session>, message: T) -> tonic::Request<T> {
    match caller {
        Some(session) => session.request(message),
        None => tonic::Request::new(message),
    }
}

/// The reply of a call, its failure mapped into the gateway's error.
async fn reply<R>(
    call: impl Future<Output = Result<tonic::Response<R>, tonic::Status>>,
) -> Result<R, AppError> {
    call.await
        .map(tonic::Response::into_inner)
        .map_err(AppError::from)
}
