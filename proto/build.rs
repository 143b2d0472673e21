//! Compiles the .proto files with protox (pure Rust, no system `protoc`) and writes the
//! descriptor set that the servers register for reflection.

use std::path::PathBuf;

use prost::Message;

const PROTOS: &[&str] = &[
    "id77/catalog/v1/catalog.proto",
    "id77/identity/v1/identity.proto",
    "id77/requests/v1/requests.proto",
    "id77/events/v1/events.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let fds = protox::compile(PROTOS, ["proto"])?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("id77_descriptor.bin"), fds.encode_to_vec())?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .codec_path("crate::codec::SliceCodec")
        .compile_fds(fds)?;
    Ok(())
}
