//! What the forms of the web UI share: the posted body, the fields the templates render (label,
//! hint, value, error) and the services' field violations put next to their field.
//!
//! Field names are those of the JSON API and of the services' violations
//! (`representative.first_name`); the HTML id is the name with `.` made `-`
//! (`representative-first_name`), so that tests and scripts find a field by its name.

use std::borrow::Cow;

use crate::error::{AppError, FieldError};

/// A posted `application/x-www-form-urlencoded` body, repeated names kept in order.
#[derive(Debug, Default, Clone)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> Self {
        Self(form_urlencoded::parse(body).into_owned().collect())
    }

    /// Values already known (a form filled from what the service holds).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> Self {
        Self(
            pairs
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect(),
        )
    }

    /// The first value of `name`, or `""`.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }

    /// Every non-empty value of `name` (ticked checkboxes).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, value)| key == name && !value.trim().is_empty())
            .map(|(_, value)| value.clone())
            .collect()
    }
}

/// One option of a select, a radio group or a checkbox group: the form's own constants, or
/// reference data from a service (the cantons).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: Cow<'static, str>,
    pub label: Cow<'static, str>,
}

const fn choice(value: &'static str, label: &'static str) -> Choice {
    Choice {
        value: Cow::Borrowed(value),
        label: Cow::Borrowed(label),
    }
}

pub const CIVILITIES: [Choice; 2] = [choice("femme", "Femme"), choice("homme", "Homme")];
pub const TITLES: [Choice; 2] = [
    choice("maire", "Maire"),
    choice("president", "Président(e)"),
];
pub const CATEGORIES: [Choice; 3] = [
    choice("communes", "Communes"),
    choice("epci", "EPCI"),
    choice("syndicats", "Syndicats"),
];
pub const STAFF_ROLES: [Choice; 2] = [
    choice("lead", "Chef de file"),
    choice("admin", "Administrateur"),
];

/// The canton select of the registration and profile forms, filled with `data`; `cantons` are
/// the names the identity service lists (`ListCantons`), the ones it accepts.
pub fn canton_field(data: &FormData, cantons: &[String]) -> Field {
    let mut canton = Field::new(Kind::Select, "canton", "Canton")
        .value(data.get("canton"))
        .placeholder("Choisir…")
        .rule("canton");
    canton.options = cantons
        .iter()
        .map(|name| Choice {
            value: Cow::Owned(name.clone()),
            label: Cow::Owned(name.clone()),
        })
        .collect();
    canton
}

fn label_of(choices: &[Choice], value: &str) -> String {
    choices
        .iter()
        .find(|c| c.value == value)
        .map_or_else(|| value.to_owned(), |c| c.label.to_string())
}

/// `Mme` or `M.` in front of a name.
pub fn civility_prefix(value: &str) -> &'static str {
    match value {
        "femme" => "Mme",
        "homme" => "M.",
        _ => "",
    }
}

pub fn title_label(value: &str) -> String {
    label_of(&TITLES, value)
}

pub fn categories_label(values: &[String]) -> String {
    values
        .iter()
        .map(|v| label_of(&CATEGORIES, v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Mme Anne Martin`.
pub fn person_label(civility: &str, first_name: &str, last_name: &str) -> String {
    [civility_prefix(civility), first_name, last_name]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A population typed as people write it (`12 500`) as the number the services take; anything
/// that is not a whole number becomes 0, which the service refuses with its own message.
pub fn population_number(input: &str) -> u32 {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    // Too large for u32 is far above the service's maximum: it says so.
    digits.parse().unwrap_or(u32::MAX)
}

/// `+33164147356` as French people read it: `01 64 14 73 56` (other forms as they are).
pub fn phone_display(e164: &str) -> String {
    let Some(rest) = e164.strip_prefix("+33") else {
        return e164.to_owned();
    };
    let national = format!("0{rest}");
    let mut out = String::with_capacity(14);
    for (i, c) in national.chars().enumerate() {
        if i > 0 && i % 2 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// `22770001000019` grouped as on official documents: `227 700 010 00019`.
pub fn siret_display(siret: &str) -> String {
    if siret.len() != 14 || !siret.bytes().all(|b| b.is_ascii_digit()) {
        return siret.to_owned();
    }
    format!(
        "{} {} {} {}",
        &siret[..3],
        &siret[3..6],
        &siret[6..9],
        &siret[9..]
    )
}

/// `12500` as `12 500` (narrow no-break space, as French typography writes thousands).
pub fn thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Email,
    Tel,
    Url,
    Password,
    Textarea,
    Select,
    Radio,
    Checkboxes,
}

/// One field of a form, as its template draws it.
#[derive(Debug, Clone)]
pub struct Field {
    /// The posted name, also the service's field name.
    pub name: &'static str,
    pub id: String,
    pub label: &'static str,
    pub kind: Kind,
    pub value: String,
    /// Ticked values of a checkbox group.
    pub checked: Vec<String>,
    pub options: Vec<Choice>,
    pub hint: &'static str,
    /// The hint is a warning (the identifier's "ATTENTION").
    pub warning: bool,
    pub error: Option<String>,
    pub required: bool,
    pub autocomplete: &'static str,
    pub inputmode: &'static str,
    pub maxlength: u32,
    /// The rule `validate.js` checks as the user types (same rules and messages as the
    /// service); empty for none.
    pub rule: &'static str,
    /// For a confirmation: the id of the field it must equal.
    pub matches: &'static str,
    /// Empty select's first option.
    pub placeholder: &'static str,
}

impl Field {
    pub fn new(kind: Kind, name: &'static str, label: &'static str) -> Self {
        Self {
            name,
            id: name.replace('.', "-"),
            label,
            kind,
            value: String::new(),
            checked: Vec::new(),
            options: Vec::new(),
            hint: "",
            warning: false,
            error: None,
            required: true,
            autocomplete: "",
            inputmode: "",
            maxlength: 0,
            rule: "",
            matches: "",
            placeholder: "",
        }
    }

    pub fn text(name: &'static str, label: &'static str) -> Self {
        Self::new(Kind::Text, name, label)
    }

    #[must_use]
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = value.into();
        self
    }

    #[must_use]
    pub fn checked(mut self, values: Vec<String>) -> Self {
        self.checked = values;
        self
    }

    #[must_use]
    pub fn options(mut self, options: &[Choice]) -> Self {
        self.options = options.to_vec();
        self
    }

    #[must_use]
    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = hint;
        self
    }

    #[must_use]
    pub fn warning(mut self, hint: &'static str) -> Self {
        self.hint = hint;
        self.warning = true;
        self
    }

    #[must_use]
    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    #[must_use]
    pub fn autocomplete(mut self, autocomplete: &'static str) -> Self {
        self.autocomplete = autocomplete;
        self
    }

    #[must_use]
    pub fn inputmode(mut self, inputmode: &'static str) -> Self {
        self.inputmode = inputmode;
        self
    }

    #[must_use]
    pub fn maxlength(mut self, maxlength: u32) -> Self {
        self.maxlength = maxlength;
        self
    }

    #[must_use]
    pub fn rule(mut self, rule: &'static str) -> Self {
        self.rule = rule;
        self
    }

    #[must_use]
    pub fn matches(mut self, id: &'static str) -> Self {
        self.matches = id;
        self
    }

    #[must_use]
    pub fn placeholder(mut self, placeholder: &'static str) -> Self {
        self.placeholder = placeholder;
        self
    }

    /// Another id (two forms of a page with the same field names).
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// The `type` of an `<input>`.
    pub fn input_type(&self) -> &'static str {
        match self.kind {
            Kind::Email => "email",
            Kind::Tel => "tel",
            Kind::Url => "url",
            Kind::Password => "password",
            _ => "text",
        }
    }

    /// For templates: `text`, `email`, `tel`, `url`, `password`, `textarea`, `select`,
    /// `radio` or `checkboxes`.
    pub fn kind_is(&self, kind: &str) -> bool {
        let name = match self.kind {
            Kind::Text => "text",
            Kind::Email => "email",
            Kind::Tel => "tel",
            Kind::Url => "url",
            Kind::Password => "password",
            Kind::Textarea => "textarea",
            Kind::Select => "select",
            Kind::Radio => "radio",
            Kind::Checkboxes => "checkboxes",
        };
        name == kind
    }

    pub fn is_group(&self) -> bool {
        matches!(self.kind, Kind::Radio | Kind::Checkboxes)
    }

    pub fn is_checked(&self, value: &str) -> bool {
        match self.kind {
            Kind::Checkboxes => self.checked.iter().any(|v| v == value),
            _ => self.value == value,
        }
    }

    pub fn hint_id(&self) -> String {
        format!("{}-hint", self.id)
    }

    pub fn error_id(&self) -> String {
        format!("{}-error", self.id)
    }

    /// The ids of the hint and error, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(self.hint_id());
        }
        if self.error.is_some() {
            ids.push(self.error_id());
        }
        ids.join(" ")
    }

    /// Where the error summary links to: the control itself, or a group's first option.
    pub fn anchor(&self) -> String {
        match (self.kind, self.options.first()) {
            (Kind::Radio | Kind::Checkboxes, Some(first)) => format!("{}-{}", self.id, first.value),
            _ => self.id.clone(),
        }
    }
}

/// A form: its fields, and what went wrong outside any field.
#[derive(Debug, Clone)]
pub struct Form {
    pub id: &'static str,
    pub fields: Vec<Field>,
    /// Errors that belong to no field (a dead link, the service unavailable…).
    pub general: Vec<String>,
}

impl Form {
    pub fn new(id: &'static str, fields: Vec<Field>) -> Self {
        Self {
            id,
            fields,
            general: Vec::new(),
        }
    }

    #[cfg(test)]
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The fields in error, in the form's order (the error summary).
    pub fn invalid(&self) -> Vec<&Field> {
        self.fields.iter().filter(|f| f.error.is_some()).collect()
    }

    pub fn has_errors(&self) -> bool {
        !self.general.is_empty() || self.fields.iter().any(|f| f.error.is_some())
    }

    /// Puts each violation next to its field (`rename` maps a service's name to the form's
    /// when they differ); those of no field of this form become general errors.
    pub fn set_errors(
        &mut self,
        errors: &[FieldError],
        rename: impl Fn(&str) -> Option<&'static str>,
    ) {
        for error in errors {
            let name = rename(&error.field);
            let field = self
                .fields
                .iter_mut()
                .find(|f| f.name == name.unwrap_or(error.field.as_str()));
            match field {
                // One message per field: the first is the one to fix first.
                Some(field) if field.error.is_none() => field.error = Some(error.message.clone()),
                Some(_) => {}
                None => self.general.push(error.message.clone()),
            }
        }
    }

    /// A failed call: field violations next to their fields, anything else as one general
    /// message.
    pub fn set_failure(&mut self, error: &AppError, rename: impl Fn(&str) -> Option<&'static str>) {
        match error {
            AppError::Invalid(errors) | AppError::Unprocessable(errors) => {
                self.set_errors(errors, rename)
            }
            other => self.general.push(other.detail()),
        }
    }

    /// An error found by the gateway itself (a confirmation that differs).
    pub fn set_error(&mut self, name: &str, message: &str) {
        self.set_errors(&[FieldError::new(name, message)], |_| None);
    }
}

/// Service names that are the form's as they are.
pub fn same_name(_: &str) -> Option<&'static str> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_and_empty_values() {
        let form = FormData::parse(b"categories=communes&categories=&categories=epci&siret=+227%20700&representative.first_name=Ana%C3%AFs");
        assert_eq!(form.all("categories"), ["communes", "epci"]);
        assert_eq!(form.get("siret"), " 227 700");
        assert_eq!(form.get("representative.first_name"), "Anaïs");
        assert_eq!(form.get("missing"), "");
    }

    #[test]
    fn violations_go_next_to_their_field_or_to_the_top() {
        let mut form = Form::new(
            "register-form",
            vec![
                Field::text("organisation_name", "Collectivité ou organisme"),
                Field::text("representative.first_name", "Prénom").hint("h"),
            ],
        );
        form.set_errors(
            &[
                FieldError::new("representative.first_name", "Indiquez le prénom"),
                FieldError::new("representative.first_name", "second"),
                FieldError::new("name", "Nom trop court"),
                FieldError::new("", "Autre chose"),
            ],
            |field| (field == "name").then_some("organisation_name"),
        );
        let first = form.field("representative.first_name").unwrap();
        assert_eq!(first.id, "representative-first_name");
        assert_eq!(first.error.as_deref(), Some("Indiquez le prénom"));
        assert_eq!(
            first.described_by(),
            "representative-first_name-hint representative-first_name-error"
        );
        assert_eq!(
            form.field("organisation_name").unwrap().error.as_deref(),
            Some("Nom trop court")
        );
        assert_eq!(form.general, ["Autre chose"]);
        assert_eq!(form.invalid().len(), 2);
    }

    #[test]
    fn display_helpers() {
        assert_eq!(phone_display("+33164147356"), "01 64 14 73 56");
        assert_eq!(phone_display(""), "");
        assert_eq!(siret_display("22770001000019"), "227 700 010 00019");
        assert_eq!(thousands(41_000), "41\u{202f}000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(person_label("femme", "Anne", "Martin"), "Mme Anne Martin");
        assert_eq!(
            categories_label(&["communes".into(), "epci".into()]),
            "Communes, EPCI"
        );
    }

    #[test]
    fn population_as_typed() {
        assert_eq!(population_number("12 500"), 12_500);
        assert_eq!(population_number("1\u{a0}234"), 1234);
        assert_eq!(population_number(""), 0);
        assert_eq!(population_number("12,5"), 0);
        assert_eq!(population_number("-3"), 0);
        assert_eq!(population_number("99999999999"), u32::MAX);
    }
}
