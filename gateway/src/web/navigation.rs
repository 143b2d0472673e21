//! The paths a page reads from the request or sends the visitor to.

/// The first value of `name` in a raw query string.
pub fn query_value(raw: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// `candidate` if it is a path of this site, to redirect to after a login or an action:
/// starts with one `/`, and holds nothing a browser could read as another host (`//`, `/\`,
/// control characters or spaces, which browsers strip or fold).
pub fn local_path(candidate: &str) -> Option<&str> {
    let safe = candidate.starts_with('/')
        && !candidate.starts_with("//")
        && candidate.len() <= 2048
        && !candidate
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    safe.then_some(candidate)
}

/// The login page, then back to `next`.
pub fn login_url(next: &str) -> String {
    match local_path(next) {
        Some("/") | None => "/connexion".to_owned(),
        Some(next) => {
            let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
            format!("/connexion?next={next}")
        }
    }
}

/// Whether the caller asked for JSON (a script's `fetch`) rather than a page.
pub fn wants_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        for ok in [
            "/",
            "/favoris",
            "/offres/O01?x=1#offer-O01",
            "/?domain=eau&page=2",
        ] {
            assert_eq!(local_path(ok), Some(ok));
        }
        for bad in [
            "",
            "favoris",
            "//evil.example",
            "/\\evil.example",
            "/\tevil",
            "/ /x",
            "https://evil.example/",
            "javascript:alert(1)",
            "/\u{0}",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
        assert_eq!(login_url("/compte"), "/connexion?next=%2Fcompte");
        assert_eq!(login_url("/"), "/connexion");
        assert_eq!(login_url("//evil.example"), "/connexion");
    }
}
