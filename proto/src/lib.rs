//! Generated gRPC code of the ID77 services, one module per package, their codec, and an
//! in-place reading of the search page.

pub mod codec;
pub mod view;

pub mod catalog {
    pub mod v1 {
        tonic::include_proto!("id77.catalog.v1");

        /// The HTTP/2 path of `SearchOffers`, for the catalog's server and the gateway's client
        /// that read and write its messages themselves (a `&'static str` for
        /// `PathAndQuery::from_static`; a test holds it to the generated service name).
        pub const SEARCH_OFFERS_PATH: &str = "/id77.catalog.v1.CatalogService/SearchOffers";

        impl References {
            /// The domain with this slug, if the list refers to it.
            pub fn domain(&self, slug: &str) -> Option<&Domain> {
                self.domains.iter().find(|d| d.slug == slug)
            }

            pub fn thematic(&self, slug: &str) -> Option<&Thematic> {
                self.thematics.iter().find(|t| t.slug == slug)
            }

            pub fn typology(&self, slug: &str) -> Option<&Typology> {
                self.typologies.iter().find(|t| t.slug == slug)
            }
        }
    }
}

pub mod identity {
    pub mod v1 {
        tonic::include_proto!("id77.identity.v1");
    }
}

pub mod events {
    pub mod v1 {
        tonic::include_proto!("id77.events.v1");
    }
}

/// The encoded `FileDescriptorSet` of every package, for gRPC server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("id77_descriptor");

#[cfg(test)]
mod tests {
    use super::catalog::v1::{SEARCH_OFFERS_PATH, catalog_service_server::SERVICE_NAME};

    #[test]
    fn the_search_path_is_the_generated_services() {
        assert_eq!(SEARCH_OFFERS_PATH, format!("/{SERVICE_NAME}/SearchOffers"));
    }
}
