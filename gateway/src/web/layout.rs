//! The base layout every page is drawn in.

use std::sync::Arc;

use id77_kit::auth::Role;

use super::{Flash, query_value};
use crate::{assets::Assets, session::CurrentUser, state::AppState};

/// The header's user menu.
pub struct UserMenu {
    /// "Bonjour Anne Martin" (the account's display name).
    pub name: String,
    pub admin: bool,
}

/// What the base layout needs: the hashed asset URLs, who is logged in, the page's place in
/// the navigation and the message of the action just done.
pub struct Layout {
    pub css_url: String,
    pub js_url: String,
    pub ui_js_url: String,
    pub logo_url: String,
    pub icons_url: String,
    pub user: Option<UserMenu>,
    /// The main navigation's entry for this page (`/`, `/favoris`), for `aria-current`.
    pub current: &'static str,
    pub flash: Option<&'static str>,
    assets: Arc<Assets>,
}

impl Layout {
    pub fn new(state: &AppState, user: &CurrentUser) -> Self {
        Self {
            css_url: state.assets.url("app.css"),
            js_url: state.assets.url("app.js"),
            ui_js_url: state.assets.url("ui.js"),
            logo_url: state.assets.url("logo.svg"),
            icons_url: state.assets.url("icons.svg"),
            user: user.0.as_ref().map(|session| UserMenu {
                name: session.claims.name.clone(),
                admin: session.claims.role == Role::Admin,
            }),
            current: "",
            flash: None,
            assets: state.assets.clone(),
        }
    }

    /// Another asset's hashed URL (a page's own script).
    pub fn url(&self, name: &str) -> String {
        self.assets.url(name)
    }

    #[must_use]
    pub fn current(mut self, path: &'static str) -> Self {
        self.current = path;
        self
    }

    /// The success message named by the query's `ok` code, if any.
    #[must_use]
    pub fn flash(mut self, raw_query: Option<&str>) -> Self {
        self.flash = query_value(raw_query, "ok")
            .and_then(|code| Flash::parse(&code))
            .map(Flash::message);
        self
    }
}
