//! The French web UI, rendered on the server (askama) so that it works without JavaScript;
//! the scripts in `assets/` only make it quicker.
//!
//! Conventions of the pages: a GET shows; a POST acts, then redirects with 303 to a GET (the
//! success message travels as `?ok=<code>`, mapped to a fixed sentence by [`Flash`]) or renders
//! the form again with each error next to its field.
//!
//! One file per part: [`router`] lists every page, [`Layout`] is what every page is drawn in,
//! [`Flash`] the messages after an action, `time_fr` the dates as the pages show them,
//! `navigation` the paths a page reads or sends the visitor to; the pages themselves live in
//! one module per resource.

pub use error_page::{
    PageError, back_to_login, error_page, form_status, not_found, render_page_errors, shown_in_form,
};
pub use flash::Flash;
pub use layout::Layout;
pub use navigation::{local_path, login_url, query_value, wants_json};
pub use router::router;
pub use time_fr::{date_fr, datetime_fr, iso_date};

mod account;
mod admin;
mod auth;
mod catalogue;
mod error_page;
mod favorites;
mod fields;
mod flash;
mod forms;
mod layout;
mod legal;
mod navigation;
mod reference;
mod router;
#[cfg(test)]
mod tests;
mod time_fr;
