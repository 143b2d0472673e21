//! Static files compiled into the binary (no CDN, nothing to deploy beside it). Each is served at
//! `/assets/<name>?v=<hash>`: pages link the hashed URL, so browsers may cache it for a year.

use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::state::AppState;

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/app.js"),
    ),
    (
        "ui.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/ui.js"),
    ),
    (
        "validate.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/validate.js"),
    ),
    (
        "icons.svg",
        "image/svg+xml",
        include_bytes!("../assets/icons.svg"),
    ),
    (
        "logo.svg",
        "image/svg+xml",
        include_bytes!("../assets/logo.svg"),
    ),
];

pub struct Asset {
    pub name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
    hash: String,
}

pub struct Assets {
    files: Vec<Asset>,
}

impl Assets {
    pub fn load() -> Self {
        let files = FILES
            .iter()
            .map(|&(name, content_type, bytes)| Asset {
                name,
                content_type,
                bytes,
                hash: hex::encode(&Sha256::digest(bytes)[..6]),
            })
            .collect();
        Self { files }
    }

    /// The cache-busting URL of an asset, for templates.
    pub fn url(&self, name: &str) -> String {
        match self.files.iter().find(|a| a.name == name) {
            Some(asset) => format!("/assets/{}?v={}", asset.name, asset.hash),
            None => format!("/assets/{name}"),
        }
    }
}

#[derive(Deserialize)]
pub struct Version {
    v: Option<String>,
}

pub async fn serve(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(version): Query<Version>,
) -> Response {
    let Some(asset) = state.assets.files.iter().find(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache = if version.v.as_deref() == Some(asset.hash.as_str()) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        asset.bytes,
    )
        .into_response()
}
