//! The fields that several forms ask for (the organisation, its representative and referent,
//! a person's name, an e-mail, a phone), each defined once with its validation rule, length
//! and autocomplete, and the messages the service takes them into. A form only picks its
//! labels and order.

use id77_proto::identity::v1 as pb;

use super::forms::{CATEGORIES, CIVILITIES, Field, FormData, Kind, TITLES};

/// A field named `name`, filled with what `data` holds for it.
fn filled(kind: Kind, name: &'static str, label: &'static str, data: &FormData) -> Field {
    Field::new(kind, name, label).value(data.get(name))
}

pub fn organisation_name(label: &'static str, data: &FormData) -> Field {
    filled(Kind::Text, "organisation_name", label, data)
        .autocomplete("organization")
        .maxlength(200)
        .rule("organisation_name")
}

pub fn categories(data: &FormData) -> Field {
    Field::new(Kind::Checkboxes, "categories", "Catégories")
        .checked(data.all("categories"))
        .options(&CATEGORIES)
        .rule("categories")
}

pub fn siret(label: &'static str, data: &FormData) -> Field {
    filled(Kind::Text, "siret", label, data)
        .hint("14 chiffres")
        .inputmode("numeric")
        .autocomplete("off")
        .maxlength(20)
        .rule("siret")
}

pub fn population(data: &FormData) -> Field {
    filled(Kind::Text, "population", "Population", data)
        .hint("Nombre d'habitants")
        .inputmode("numeric")
        .autocomplete("off")
        .maxlength(12)
        .rule("population")
}

/// "Maire" or "Président(e)" of the representative.
pub fn title(label: &'static str, data: &FormData) -> Field {
    filled(Kind::Radio, "representative.title", label, data)
        .options(&TITLES)
        .rule("title")
}

pub fn civility(name: &'static str, label: &'static str, data: &FormData) -> Field {
    filled(Kind::Radio, name, label, data)
        .options(&CIVILITIES)
        .rule("civility")
}

/// A first name; `autocomplete` is `given-name` for the person filling the form, `off` for
/// someone else.
pub fn first_name(
    name: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    data: &FormData,
) -> Field {
    name_part(name, label, autocomplete, data).rule("first_name")
}

/// A last name; `autocomplete` as for [`first_name`].
pub fn last_name(
    name: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    data: &FormData,
) -> Field {
    name_part(name, label, autocomplete, data).rule("last_name")
}

fn name_part(
    name: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    data: &FormData,
) -> Field {
    filled(Kind::Text, name, label, data)
        .autocomplete(autocomplete)
        .maxlength(100)
}

pub fn email(name: &'static str, label: &'static str, data: &FormData) -> Field {
    filled(Kind::Email, name, label, data)
        .maxlength(254)
        .rule("email")
}

pub fn phone(name: &'static str, label: &'static str, data: &FormData) -> Field {
    filled(Kind::Tel, name, label, data)
        .maxlength(25)
        .rule("phone")
}

/// The login name, public: no accents, spaces or punctuation.
pub fn identifier(data: &FormData) -> Field {
    filled(Kind::Text, "identifier", "Identifiant", data)
        .maxlength(32)
        .rule("identifier")
}

/// The representative as the registration and profile forms send it.
pub fn representative(data: &FormData) -> pb::Representative {
    pb::Representative {
        title: data.get("representative.title").to_owned(),
        civility: data.get("representative.civility").to_owned(),
        first_name: data.get("representative.first_name").to_owned(),
        last_name: data.get("representative.last_name").to_owned(),
    }
}

/// The administrative referent as the registration and profile forms send it.
pub fn admin_referent(data: &FormData) -> pb::Person {
    pb::Person {
        civility: data.get("admin_referent.civility").to_owned(),
        first_name: data.get("admin_referent.first_name").to_owned(),
        last_name: data.get("admin_referent.last_name").to_owned(),
    }
}
