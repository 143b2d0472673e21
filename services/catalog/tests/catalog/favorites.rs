//! Favourites over gRPC: per account, behind an access token.

use id77_kit::auth::Role;
use id77_proto::catalog::v1::{
    AddFavoriteRequest, FavoriteStatusRequest, ListFavoritesRequest, RemoveFavoriteRequest,
    catalog_service_client::CatalogServiceClient,
};
use tonic::{Code, Request, transport::Channel};
use uuid::Uuid;

use crate::support::{TestDb, as_account, spawn_catalog};

async fn catalog() -> CatalogServiceClient<Channel> {
    spawn_catalog(&TestDb::sqlite_url(), true).await.1
}

async fn listed(client: &mut CatalogServiceClient<Channel>, account: Uuid) -> Vec<String> {
    client
        .list_favorites(as_account(ListFavoritesRequest {}, account, Role::Member))
        .await
        .expect("list favourites")
        .into_inner()
        .favorites
        .into_iter()
        .map(|f| f.offer.expect("an offer").code)
        .collect()
}

#[tokio::test]
async fn favourites_need_an_access_token() {
    let mut client = catalog().await;
    let status = client
        .add_favorite(Request::new(AddFavoriteRequest { code: "O01".into() }))
        .await
        .expect_err("anonymous calls are refused");
    assert_eq!(status.code(), Code::Unauthenticated);
    let mut forged = Request::new(ListFavoritesRequest {});
    id77_kit::auth::set_bearer(&mut forged, "not.a.token").unwrap();
    assert_eq!(
        client.list_favorites(forged).await.unwrap_err().code(),
        Code::Unauthenticated
    );
    let service = client
        .list_favorites(as_account(
            ListFavoritesRequest {},
            Uuid::now_v7(),
            Role::Service,
        ))
        .await
        .expect_err("service accounts have no favourites");
    assert_eq!(service.code(), Code::PermissionDenied);
}

#[tokio::test]
async fn a_member_adds_lists_and_removes_favourites() {
    let mut client = catalog().await;
    let me = Uuid::now_v7();
    let added = client
        .add_favorite(as_account(
            AddFavoriteRequest { code: "o34".into() },
            me,
            Role::Member,
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(added.added);
    let favorite = added.favorite.unwrap();
    assert_eq!(favorite.offer.unwrap().code, "O34");
    assert!(favorite.added_at.is_some());
    let again = client
        .add_favorite(as_account(
            AddFavoriteRequest { code: "O34".into() },
            me,
            Role::Member,
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(
        !again.added,
        "adding twice is not an error and adds nothing"
    );
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    client
        .add_favorite(as_account(
            AddFavoriteRequest { code: "O01".into() },
            me,
            Role::Member,
        ))
        .await
        .unwrap();
    assert_eq!(
        listed(&mut client, me).await,
        ["O01", "O34"],
        "newest first"
    );

    let status = client
        .favorite_status(as_account(
            FavoriteStatusRequest {
                codes: vec!["O01".into(), "O02".into(), "o34".into()],
            },
            me,
            Role::Member,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.favorite_codes, ["O01", "o34"]);

    let removed = client
        .remove_favorite(as_account(
            RemoveFavoriteRequest { code: "O34".into() },
            me,
            Role::Member,
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(removed.removed);
    assert_eq!(listed(&mut client, me).await, ["O01"]);
}

#[tokio::test]
async fn favourites_are_private_to_their_account() {
    let mut client = catalog().await;
    let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
    client
        .add_favorite(as_account(
            AddFavoriteRequest { code: "O02".into() },
            alice,
            Role::Member,
        ))
        .await
        .unwrap();
    assert!(listed(&mut client, bob).await.is_empty());
    let removed = client
        .remove_favorite(as_account(
            RemoveFavoriteRequest { code: "O02".into() },
            bob,
            Role::Member,
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(!removed.removed, "bob cannot remove alice's favourite");
    assert_eq!(listed(&mut client, alice).await, ["O02"]);
}

#[tokio::test]
async fn unknown_or_malformed_offers_are_refused() {
    let mut client = catalog().await;
    let me = Uuid::now_v7();
    let unknown = client
        .add_favorite(as_account(
            AddFavoriteRequest {
                code: "Z999".into(),
            },
            me,
            Role::Member,
        ))
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);
    let malformed = client
        .add_favorite(as_account(
            AddFavoriteRequest {
                code: "pas un code".into(),
            },
            me,
            Role::Member,
        ))
        .await
        .unwrap_err();
    assert_eq!(malformed.code(), Code::InvalidArgument);
    assert_eq!(
        id77_kit::violations::field_violations(&malformed)[0].field,
        "code"
    );
    assert!(listed(&mut client, me).await.is_empty());
}
