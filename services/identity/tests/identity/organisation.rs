//! The organisation profile, its logo and its technical contacts, each member confined to its
//! own organisation.

use std::io::Cursor;

use id77_identity::events;
use id77_kit::{
    auth::{Claims, Role},
    violations::field_violations,
};
use id77_proto::identity::v1 as pb;
use image::{DynamicImage, ImageFormat, RgbaImage};
use tonic::Code;
use uuid::Uuid;

use crate::support::{assert_code, authed, refused, signer, spawn_identity};

fn contact(full_name: &str) -> pb::AddContactRequest {
    pb::AddContactRequest {
        title: "Directeur des services techniques".into(),
        full_name: full_name.into(),
        service: "Services techniques".into(),
        email: "dst@ville-melun.fr".into(),
        phone: "01 64 52 33 00".into(),
    }
}

#[tokio::test]
async fn a_member_reads_and_edits_its_own_profile() {
    let mut app = spawn_identity().await;
    let token = app
        .active_member("MairieMelun", "dgs@ville-melun.fr")
        .await
        .access_token;
    let profile = app
        .client
        .get_organisation(authed(pb::GetOrganisationRequest {}, &token))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(profile.organisation_name, "Commune de Melun");
    assert_eq!(profile.categories, ["communes"]);
    assert_eq!(profile.population, 41_000);
    assert_eq!(
        profile.admin_referent.as_ref().unwrap().first_name,
        "Anne-Sophie"
    );
    assert_eq!(profile.logo_version, "");

    let status = refused(
        app.client
            .update_organisation(authed(
                pb::UpdateOrganisationRequest {
                    organisation_name: Some("X".into()),
                    siret: Some("123".into()),
                    set_categories: true,
                    representative: Some(pb::Representative {
                        title: "maire".into(),
                        civility: "femme".into(),
                        first_name: "".into(),
                        last_name: "Durand".into(),
                    }),
                    website: Some("ftp://melun.fr".into()),
                    ..Default::default()
                },
                &token,
            ))
            .await,
    );
    assert_code(&status, Code::InvalidArgument);
    let fields: Vec<String> = field_violations(&status)
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(
        fields,
        [
            "organisation_name",
            "categories",
            "siret",
            "representative.first_name",
            "website"
        ]
    );

    let updated = app
        .client
        .update_organisation(authed(
            pb::UpdateOrganisationRequest {
                organisation_name: Some("Ville de Melun".into()),
                categories: vec!["communes".into(), "syndicats".into()],
                set_categories: true,
                population: Some(42_000),
                canton: Some("savigny le temple".into()),
                admin_referent: Some(pb::Person {
                    civility: "homme".into(),
                    first_name: "Paul".into(),
                    last_name: "Martin".into(),
                }),
                website: Some("www.melun.fr".into()),
                ..Default::default()
            },
            &token,
        ))
        .await
        .expect("updating the profile")
        .into_inner();
    assert_eq!(updated.organisation_name, "Ville de Melun");
    assert_eq!(updated.categories, ["communes", "syndicats"]);
    assert_eq!(updated.population, 42_000);
    assert_eq!(updated.canton, "Savigny-le-Temple");
    assert_eq!(updated.siret, "21770288500013");
    assert_eq!(updated.website, "https://www.melun.fr");
    assert_eq!(updated.representative.unwrap().last_name, "Vogel");
    assert_eq!(updated.admin_referent.unwrap().last_name, "Martin");
    assert_eq!(app.events(events::ORGANISATION_UPDATED).await.len(), 1);
}

#[tokio::test]
async fn members_never_reach_another_organisation() {
    let mut app = spawn_identity().await;
    let a = app.active_member("MairieMelun", "dgs@ville-melun.fr").await;
    let b = app.active_member("MairieMeaux", "dgs@meaux.fr").await;
    let b_org = b.account.as_ref().unwrap().organisation_id.clone();

    let b_contact = app
        .client
        .add_contact(authed(contact("Léa Petit"), &b.access_token))
        .await
        .expect("B adds a contact")
        .into_inner();
    let a_contact = app
        .client
        .add_contact(authed(contact("Paul Martin"), &a.access_token))
        .await
        .expect("A adds a contact")
        .into_inner();

    let a_profile = app
        .client
        .get_organisation(authed(pb::GetOrganisationRequest {}, &a.access_token))
        .await
        .unwrap()
        .into_inner();
    assert_ne!(a_profile.id, b_org);
    assert_eq!(a_profile.contacts, vec![a_contact.clone()]);

    // A removing B's contact: not found, and B's contact is still there.
    let status = refused(
        app.client
            .remove_contact(authed(
                pb::RemoveContactRequest {
                    contact_id: b_contact.id.clone(),
                },
                &a.access_token,
            ))
            .await,
    );
    assert_code(&status, Code::NotFound);
    let b_profile = app
        .client
        .get_organisation(authed(pb::GetOrganisationRequest {}, &b.access_token))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(b_profile.contacts, vec![b_contact]);

    // A token claiming B's organisation for A's account is refused, for reading and writing.
    let a_id: Uuid = a.account.as_ref().unwrap().id.parse().unwrap();
    let forged = Claims::new(a_id, Some(b_org.parse().unwrap()), Role::Member, "A");
    let forged = signer().sign(&forged).unwrap();
    assert_code(
        &refused(
            app.client
                .get_organisation(authed(pb::GetOrganisationRequest {}, &forged))
                .await,
        ),
        Code::Unauthenticated,
    );
    assert_code(
        &refused(
            app.client
                .update_organisation(authed(
                    pb::UpdateOrganisationRequest {
                        organisation_name: Some("Pris".into()),
                        ..Default::default()
                    },
                    &forged,
                ))
                .await,
        ),
        Code::Unauthenticated,
    );

    // A removes its own contact.
    app.client
        .remove_contact(authed(
            pb::RemoveContactRequest {
                contact_id: a_contact.id,
            },
            &a.access_token,
        ))
        .await
        .expect("removing its own contact");
    assert_eq!(app.events(events::CONTACT_CHANGED).await.len(), 3);
}

#[tokio::test]
async fn contacts_are_validated_field_by_field() {
    let mut app = spawn_identity().await;
    let token = app
        .active_member("MairieMelun", "dgs@ville-melun.fr")
        .await
        .access_token;
    let status = refused(
        app.client
            .add_contact(authed(
                pb::AddContactRequest {
                    title: " ".into(),
                    full_name: "x".repeat(101),
                    service: "".into(),
                    email: "dst".into(),
                    phone: "555".into(),
                },
                &token,
            ))
            .await,
    );
    assert_code(&status, Code::InvalidArgument);
    let fields: Vec<String> = field_violations(&status)
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(fields, ["title", "full_name", "service", "email", "phone"]);
    let status = refused(
        app.client
            .remove_contact(authed(
                pb::RemoveContactRequest {
                    contact_id: "pas-un-id".into(),
                },
                &token,
            ))
            .await,
    );
    assert_code(&status, Code::NotFound);
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = DynamicImage::ImageRgba8(RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([(x % 251) as u8, (y % 241) as u8, 90, 255])
    }));
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
        .unwrap();
    bytes
}

#[tokio::test]
async fn logos_are_checked_resized_and_served_publicly() {
    let mut app = spawn_identity().await;
    let session = app.active_member("MairieMelun", "dgs@ville-melun.fr").await;
    let token = session.access_token.clone();
    let organisation_id = session.account.unwrap().organisation_id;
    let get_logo = || pb::GetLogoRequest {
        organisation_id: organisation_id.clone(),
    };
    assert_code(
        &refused(app.client.get_logo(get_logo()).await),
        Code::NotFound,
    );

    let set = |image: Vec<u8>| authed(pb::SetLogoRequest { image }, &token);
    let profile = app
        .client
        .set_logo(set(png(800, 400)))
        .await
        .expect("a PNG logo")
        .into_inner();
    assert!(!profile.logo_version.is_empty());

    // Public: no token needed.
    let logo = app.client.get_logo(get_logo()).await.unwrap().into_inner();
    assert_eq!(logo.content_type, "image/png");
    assert_eq!(logo.version, profile.logo_version);
    let stored = image::load_from_memory_with_format(&logo.image, ImageFormat::Png).unwrap();
    assert_eq!((stored.width(), stored.height()), (256, 128));

    // A new upload, a new version.
    let again = app
        .client
        .set_logo(set(png(100, 100)))
        .await
        .unwrap()
        .into_inner();
    assert_ne!(again.logo_version, profile.logo_version);

    // Refused by content and by size, with the field named.
    let text = b"Ceci n'est pas une image, malgre son nom logo.png".to_vec();
    let mut big = png(10, 10);
    big.resize(2 * 1024 * 1024 + 1, 0);
    for upload in [text, big] {
        let status = refused(app.client.set_logo(set(upload)).await);
        assert_code(&status, Code::InvalidArgument);
        assert_eq!(field_violations(&status)[0].field, "logo");
    }
    assert_eq!(
        app.client
            .get_logo(get_logo())
            .await
            .unwrap()
            .into_inner()
            .version,
        again.logo_version
    );
    assert_code(
        &refused(
            app.client
                .get_logo(pb::GetLogoRequest {
                    organisation_id: "inconnu".into(),
                })
                .await,
        ),
        Code::NotFound,
    );
}
