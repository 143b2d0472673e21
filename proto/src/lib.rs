//! Generated gRPC code of the ID77 services, one module per package.

pub mod catalog {
    pub mod v1 {
        tonic::include_proto!("id77.catalog.v1");
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
