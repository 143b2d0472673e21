//! The pages a French public body's site must have, linked from every page's footer:
//! "Mentions légales", "Données personnelles" (RGPD: what is kept, why, how long, whom to
//! ask), "Accessibilité" (the RGAA compliance statement) and "Contact". Their text lives in
//! the templates; what they state of durations is what the services do.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::Layout;
use crate::{session::CurrentUser, state::AppState};

#[derive(Template, WebTemplate)]
#[template(path = "legal_notice.html")]
pub struct LegalNotice {
    layout: Layout,
}

#[derive(Template, WebTemplate)]
#[template(path = "legal_privacy.html")]
pub struct Privacy {
    layout: Layout,
}

#[derive(Template, WebTemplate)]
#[template(path = "legal_accessibility.html")]
pub struct Accessibility {
    layout: Layout,
}

#[derive(Template, WebTemplate)]
#[template(path = "legal_contact.html")]
pub struct Contact {
    layout: Layout,
}

pub async fn legal_notice(State(state): State<AppState>, user: CurrentUser) -> LegalNotice {
    LegalNotice {
        layout: Layout::new(&state, &user),
    }
}

pub async fn privacy(State(state): State<AppState>, user: CurrentUser) -> Privacy {
    Privacy {
        layout: Layout::new(&state, &user),
    }
}

pub async fn accessibility(State(state): State<AppState>, user: CurrentUser) -> Accessibility {
    Accessibility {
        layout: Layout::new(&state, &user),
    }
}

pub async fn contact(State(state): State<AppState>, user: CurrentUser) -> Contact {
    Contact {
        layout: Layout::new(&state, &user),
    }
}
