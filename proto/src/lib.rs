//! Generated gRPC code of the ID77 services, one module per package, and their codec.

pub mod codec;

pub mod catalog {
    pub mod v1 {
        tonic::include_proto!("id77.catalog.v1");

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

pub mod requests {
    pub mod v1 {
        tonic::include_proto!("id77.requests.v1");
    }
}

pub mod events {
    pub mod v1 {
        tonic::include_proto!("id77.events.v1");
    }
}

/// The encoded `FileDescriptorSet` of every package, for gRPC server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("id77_descriptor");
