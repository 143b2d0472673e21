//! Helpers shared by the end-to-end tests: starting the platform on random ports, a small HTTP
//! client, and the external services a test needs (PostgreSQL, chromedriver).

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use http_body_util::{BodyExt as _, Full};
use hyper::{HeaderMap, Method, Request, StatusCode, body::Bytes};
use hyper_util::{client::legacy::Client, rt::TokioExecutor};

/// The all-in-one platform on a random port with a fresh data directory.
pub struct TestApp {
    pub address: SocketAddr,
    pub data_dir: PathBuf,
    pub platform: Option<id77::Platform>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        get(&self.url(path)).await
    }

    pub async fn stop(mut self) {
        if let Some(platform) = self.platform.take() {
            platform
                .shutdown()
                .await
                .expect("the platform stops cleanly");
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

pub fn install_crypto() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

pub fn temp_dir(prefix: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::now_v7().simple()))
}

pub async fn spawn_app() -> TestApp {
    install_crypto();
    let data_dir = temp_dir("id77-e2e");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let config = id77::Config {
        http_addr: listener.local_addr().expect("local address"),
        data_dir: data_dir.clone(),
        seed_demo: true,
        public_url: String::new(),
        admin_password: Some(crate::accounts::ADMIN_PASSWORD.into()),
    };
    let platform = id77::Platform::start(config, listener)
        .await
        .expect("platform starts");
    let app = TestApp {
        address: platform.http_addr,
        data_dir,
        platform: Some(platform),
    };
    wait_ready(&app.url("/readyz")).await;
    app
}

/// Polls `/readyz` until it answers 200, for at most 30 s.
pub async fn wait_ready(url: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(response) = try_request(Method::GET, url, &[]).await
            && response.status == StatusCode::OK
        {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{url} did not become ready within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

pub async fn try_request(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
) -> Result<Response, Box<dyn std::error::Error + Send + Sync>> {
    try_send(method, url, headers, Bytes::new()).await
}

pub async fn try_send(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Result<Response, Box<dyn std::error::Error + Send + Sync>> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = client.request(request.body(Full::new(body))?).await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await?.to_bytes();
    Ok(Response {
        status,
        headers,
        body,
    })
}

pub async fn get(url: &str) -> Response {
    try_request(Method::GET, url, &[])
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

pub async fn get_with(url: &str, headers: &[(&str, &str)]) -> Response {
    try_request(Method::GET, url, headers)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

/// A fresh, empty PostgreSQL database on the server named by `ID77_TEST_DATABASE_URL` (the
/// services' suites' own helper, which also drops the databases old runs left).
pub async fn fresh_postgres_database() -> String {
    id77_kit::testing::fresh_postgres_url("id77_e2e_").await
}

/// Path of a program on `PATH`; a test that needs one fails without it.
pub fn program(name: &str, hint: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|path| path.is_file())
        })
        .unwrap_or_else(|| panic!("{name} was not found on PATH: {hint}"))
}

/// A port free at the time of the call, for processes that must be told their port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Where tests leave their screenshots (kept after the run for people to look at).
pub fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("screenshots");
    std::fs::create_dir_all(&dir).expect("create screenshot dir");
    dir
}

/// Sends `body` (JSON when it is a JSON value) with the given headers.
pub async fn send(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Response {
    let method_name = method.to_string();
    try_send(method, url, headers, body.into())
        .await
        .unwrap_or_else(|e| panic!("{method_name} {url}: {e}"))
}

/// Sends a JSON body, with a bearer token when given.
pub async fn json(
    method: Method,
    url: &str,
    token: Option<&str>,
    body: &serde_json::Value,
) -> Response {
    let authorization = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("content-type", "application/json")];
    if let Some(value) = authorization.as_deref() {
        headers.push(("authorization", value));
    }
    send(
        method,
        url,
        &headers,
        serde_json::to_vec(body).expect("JSON"),
    )
    .await
}

/// The mails written by the all-in-one platform, oldest first.
pub fn mails(data_dir: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(data_dir.join("mail")) else {
        return Vec::new();
    };
    let mut files: Vec<(std::time::SystemTime, String)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .map(|e| {
            let modified = e
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(std::time::UNIX_EPOCH);
            (
                modified,
                std::fs::read_to_string(e.path()).expect("read mail"),
            )
        })
        .collect();
    files.sort_by_key(|file| file.0);
    files
        .into_iter()
        .map(|(_, mail)| decode_quoted_printable(&mail))
        .collect()
}

/// Decodes quoted-printable (soft line breaks and `=XX` bytes) so that tests read mails as text.
pub fn decode_quoted_printable(mail: &str) -> String {
    let joined = mail.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(u8::try_from(high * 16 + low).expect("a byte"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Waits for a mail to `to` whose text contains `needle`; returns it.
pub async fn wait_for_mail(mails: impl Fn() -> Vec<String>, to: &str, needle: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(mail) = mails()
            .into_iter()
            .rev()
            .find(|m| m.contains(to) && m.contains(needle))
        {
            return mail;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no mail to {to} containing {needle:?} within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The token of the first link to `path` in a mail.
pub fn token_in(mail: &str, path: &str) -> String {
    let start = mail
        .find(&format!("{path}?token="))
        .unwrap_or_else(|| panic!("no link to {path} in {mail}"));
    mail[start + path.len() + 7..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}
