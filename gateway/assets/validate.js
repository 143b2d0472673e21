// ID77 – live validation of the forms marked `data-validate`. Each control names its rule in
// `data-rule`; the rules and their French messages are those of the identity service
// (services/identity/src/domain/), which checks everything again on submit: this file only
// tells sooner. A field turns valid (green, ✓) or invalid (red, ⚠ and the reason) when the user
// leaves it, then as they type; the state is also given by aria-invalid and the message is
// linked by aria-describedby.

const LETTER_OR_DIGIT = /[\p{Alphabetic}\p{N}]/u;
const CONTROL = /\p{Cc}/u;
const encoder = new TextEncoder();

const chars = (text) => [...text];
const bytes = (text) => encoder.encode(text).length;
const isAlphanumeric = (c) => LETTER_OR_DIGIT.test(c);
const isAlphabetic = (c) => /\p{Alphabetic}/u.test(c);
// Rust's split_whitespace then join(' ').
const collapse = (text) => text.split(/\s+/u).filter(Boolean).join(' ');

// ----- Rules (mirrors of the service's parsers) -------------------------------------------------

const MESSAGES = {
  organisationLength:
    "Indiquez le nom de la collectivité ou de l'organisme (de 2 à 200 caractères), par exemple Commune de Melun.",
  organisationControl: 'Le nom de la collectivité contient un caractère invisible : retapez-le.',
  categories: 'Cochez au moins une catégorie : Communes, EPCI ou Syndicats.',
  siretLength:
    'Le numéro SIRET doit comporter exactement 14 chiffres (les espaces sont acceptés), par exemple 227 700 010 00019.',
  siretCheck:
    "Ce numéro SIRET n'existe pas : sa clé de contrôle est fausse. Vérifiez les 14 chiffres sur l'avis de situation au répertoire SIRENE de votre collectivité.",
  population: "Indiquez la population en nombre entier d'habitants, de 1 à 10 000 000, par exemple 12 500.",
  canton: "Choisissez l'un des 23 cantons de Seine-et-Marne dans la liste, par exemple Melun ou La Ferté-sous-Jouarre.",
  title: 'Choisissez le titre du représentant : Maire ou Président(e).',
  civility: 'Choisissez la civilité : Femme ou Homme.',
  identifierChars:
    "L'identifiant ne peut contenir que des lettres sans accent et des chiffres (ni espace, ni accent, ni ponctuation), par exemple mairiemelun77.",
  identifierLength: "L'identifiant doit comporter de 3 à 32 lettres ou chiffres.",
  emailLength: "L'adresse e-mail ne doit pas dépasser 254 caractères.",
  email: 'Indiquez une adresse e-mail valide, de la forme nom@domaine.fr (par exemple secretariat@mairie-melun.fr).',
  phone:
    'Indiquez un numéro de téléphone français à 10 chiffres commençant par 0, par exemple 01 64 14 73 56, ou au format +33 1 64 14 73 56.',
  website:
    "Indiquez l'adresse complète du site (au plus 300 caractères), par exemple https://www.mairie-melun.fr, ou laissez le champ vide.",
  passwordShort:
    'Le mot de passe doit comporter au moins 12 caractères : une phrase de quelques mots est facile à retenir.',
  passwordLong: 'Le mot de passe doit comporter au plus 128 caractères.',
  passwordIdentifier: 'Le mot de passe ne doit pas contenir votre identifiant.',
  confirmation: 'Les deux mots de passe ne sont pas identiques : saisissez-les à nouveau.',
  reason: 'Indiquez le motif du refus (de 1 à 1000 caractères) : il est envoyé au demandeur.',
  role: 'Choisissez le rôle : chef de file ou administrateur.',
};

// PersonName::parse_field: 1 to 100 characters, letters, spaces, hyphens, apostrophes.
function nameError(value, what) {
  const name = collapse(value.normalize('NFC'));
  const length = chars(name).length;
  if (length === 0 || length > 100) return `Indiquez ${what} (de 1 à 100 caractères).`;
  const allowed = (c) => isAlphabetic(c) || c === ' ' || c === '-' || c === "'" || c === '’';
  if (!chars(name).every(allowed) || !chars(name).some(isAlphabetic)) {
    return `Écrivez ${what} avec des lettres (accents compris), des espaces, des traits d'union et des apostrophes seulement, sans chiffres ni autres signes.`;
  }
  return null;
}

// A technical contact's free text: 1 to 100 characters, no control characters.
function contactTextError(value, what) {
  const text = collapse(value);
  const length = chars(text).length;
  if (length === 0 || length > 100 || CONTROL.test(text)) return `Indiquez ${what} (de 1 à 100 caractères).`;
  return null;
}

function luhn(digits) {
  let total = 0;
  [...digits].reverse().forEach((c, i) => {
    let d = Number(c);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    total += d;
  });
  return total % 10 === 0;
}

export function siretError(value) {
  const digits = value.replace(/\s/gu, '');
  if (!/^[0-9]{14}$/.test(digits)) return MESSAGES.siretLength;
  // La Poste numbers its establishments outside Luhn: the sum of the digits is a multiple of 5.
  const sum = [...digits].reduce((total, c) => total + Number(c), 0);
  const valid = digits.startsWith('356000000') ? sum % 5 === 0 || luhn(digits) : luhn(digits);
  return valid ? null : MESSAGES.siretCheck;
}

export function identifierError(value) {
  const identifier = value.trim();
  if (!/^[A-Za-z0-9]*$/.test(identifier)) return MESSAGES.identifierChars;
  if (identifier.length < 3 || identifier.length > 32) return MESSAGES.identifierLength;
  return null;
}

export function populationError(value) {
  const digits = value.replace(/\s/gu, '');
  if (!/^[0-9]+$/.test(digits)) return MESSAGES.population;
  const n = Number(digits);
  return n >= 1 && n <= 10_000_000 ? null : MESSAGES.population;
}

export function phoneError(value) {
  const compact = value.trim().replace(/[\s.-]/gu, '');
  let national = null;
  if (compact.startsWith('+33')) {
    const rest = compact.slice(3);
    if (rest.length === 10 && rest.startsWith('0')) national = rest.slice(1);
    else if (rest.length === 9) national = rest;
  } else if (compact.length === 10 && compact.startsWith('0')) {
    national = compact.slice(1);
  }
  const valid = national !== null && /^[0-9]+$/.test(national) && !national.startsWith('0');
  return valid ? null : MESSAGES.phone;
}

// The email_address crate with a required dot in the domain, no display name and no IP literal.
const ATEXT_SIGNS = "!#$%&'*+-/=?^_`{|}~";
const isAtext = (c) => isAlphanumeric(c) || ATEXT_SIGNS.includes(c) || c.codePointAt(0) > 127;
const isAtom = (s) => s !== '' && chars(s).every(isAtext);
const isVchar = (c) => c >= '\x21' && c <= '\x7e';
const isQtext = (c) =>
  c === '\x21' || (c >= '\x23' && c <= '\x5b') || (c >= '\x5d' && c <= '\x7e') || c.codePointAt(0) > 127;

function isQcontent(s) {
  const list = chars(s);
  for (let i = 0; i < list.length; i += 1) {
    const c = list[i];
    if (c === '\\') {
      i += 1;
      if (i >= list.length || !isVchar(list[i])) return false;
    } else if (!(c === ' ' || c === '\t' || isQtext(c))) {
      return false;
    }
  }
  return true;
}

// Where a display name would end (" <" outside quotes), or -1.
function displaySeparator(text) {
  let inQuote = false;
  let escaped = false;
  let separator = -1;
  for (let i = 0; i < text.length; i += 1) {
    if (!inQuote && text.startsWith(' <', i)) separator = i;
    const c = text[i];
    if (escaped) escaped = false;
    else if (inQuote && c === '\\') escaped = true;
    else if (c === '"') inQuote = !inQuote;
  }
  return separator;
}

function validAddress(address) {
  if (displaySeparator(address) !== -1) return false;
  const at = address.lastIndexOf('@');
  if (at < 0) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local === '' || local.startsWith('<') || bytes(local) > 64) return false;
  if (local.startsWith('"') && local.endsWith('"')) {
    if (local.length <= 2 || !isQcontent(local.slice(1, -1))) return false;
  } else if (!local.split('.').every(isAtom)) {
    return false;
  }
  if (domain === '' || bytes(domain) > 254) return false;
  if (domain.startsWith('[') && domain.endsWith(']')) return false;
  const labels = domain.split('.');
  for (const label of labels) {
    const list = chars(label);
    if (list.length === 0) return false;
    if (!isAlphanumeric(list[0]) || !isAlphanumeric(list[list.length - 1])) return false;
    if (bytes(label) > 63 || !isAtom(label)) return false;
  }
  return labels.length >= 2;
}

export function emailError(value) {
  const trimmed = value.trim();
  if (chars(trimmed).length > 254) return MESSAGES.emailLength;
  return validAddress(trimmed) ? null : MESSAGES.email;
}

export function websiteError(value) {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  const lower = trimmed.toLowerCase();
  let url;
  if (lower.startsWith('https://') || lower.startsWith('http://')) url = trimmed;
  else if (lower.includes('://')) return MESSAGES.website;
  else url = `https://${trimmed}`;
  if (chars(url).length > 300 || /\s/u.test(url)) return MESSAGES.website;
  const rest = url.slice(url.indexOf('://') + 3);
  const authority = rest.split(/[/?#]/)[0];
  let host = authority;
  const colon = authority.lastIndexOf(':');
  if (colon >= 0) {
    const port = authority.slice(colon + 1);
    if (!/^[0-9]+$/.test(port)) return MESSAGES.website;
    host = authority.slice(0, colon);
  }
  const labels = host.split('.');
  const hostOk =
    labels.length >= 2 &&
    labels.every(
      (label) =>
        label !== '' &&
        !label.startsWith('-') &&
        !label.endsWith('-') &&
        chars(label).every((c) => isAlphanumeric(c) || c === '-'),
    );
  return hostOk ? null : MESSAGES.website;
}

export function organisationNameError(value) {
  const name = collapse(value.normalize('NFC'));
  const length = chars(name).length;
  if (length < 2 || length > 200) return MESSAGES.organisationLength;
  if (CONTROL.test(name)) return MESSAGES.organisationControl;
  return null;
}

function passwordError(value, form) {
  const length = chars(value.normalize('NFC')).length;
  if (length < 12) return MESSAGES.passwordShort;
  if (length > 128) return MESSAGES.passwordLong;
  const identifier = form?.querySelector('[autocomplete="username"]')?.value.trim().toLowerCase();
  if (identifier && value.normalize('NFC').toLowerCase().includes(identifier)) return MESSAGES.passwordIdentifier;
  return null;
}

function reasonError(value) {
  const length = chars(value.trim()).length;
  return length === 0 || length > 1000 ? MESSAGES.reason : null;
}

const checkedIn = (group) => group.querySelectorAll('input:checked').length > 0;

// Each rule: (control, form) → message or null. A group's control is its <fieldset>.
const RULES = {
  organisation_name: (el) => organisationNameError(el.value),
  categories: (el) => (checkedIn(el) ? null : MESSAGES.categories),
  siret: (el) => siretError(el.value),
  population: (el) => populationError(el.value),
  canton: (el) => (el.value ? null : MESSAGES.canton),
  title: (el) => (checkedIn(el) ? null : MESSAGES.title),
  civility: (el) => (checkedIn(el) ? null : MESSAGES.civility),
  role: (el) => (checkedIn(el) ? null : MESSAGES.role),
  first_name: (el) => nameError(el.value, 'le prénom'),
  last_name: (el) => nameError(el.value, 'le nom'),
  identifier: (el) => identifierError(el.value),
  email: (el) => emailError(el.value),
  phone: (el) => (el.required || el.value.trim() !== '' ? phoneError(el.value) : null),
  website: (el) => websiteError(el.value),
  contact_title: (el) => contactTextError(el.value, "l'intitulé du poste"),
  contact_full_name: (el) => contactTextError(el.value, 'le prénom et le nom'),
  contact_service: (el) => contactTextError(el.value, 'le service'),
  password: (el, form) => passwordError(el.value, form),
  confirmation: (el, form) => {
    const original = form.querySelector(`[name="${CSS.escape(el.dataset.matches)}"]`);
    return original && el.value === original.value ? null : MESSAGES.confirmation;
  },
  reason: (el) => reasonError(el.value),
};

// ----- Showing the state ------------------------------------------------------------------------

function wrapperOf(control) {
  return control.matches('fieldset') ? control : control.closest('.field');
}

function controlsOf(control) {
  return control.matches('fieldset') ? [...control.querySelectorAll('input')] : [control];
}

function show(control, message) {
  const wrapper = wrapperOf(control);
  if (!wrapper) return;
  const id = control.id;
  const errorId = `${id}-error`;
  let error = document.getElementById(errorId);
  if (message) {
    if (!error) {
      error = document.createElement('p');
      error.className = 'field-error';
      error.id = errorId;
      wrapper.append(error);
    }
    error.textContent = message;
  } else {
    error?.remove();
  }
  const valid = !message;
  const empty = !control.matches('fieldset') && control.value.trim() === '' && !control.required;
  wrapper.classList.toggle('has-error', !valid);
  wrapper.classList.toggle('is-valid', valid && !empty);
  for (const input of controlsOf(control)) {
    if (valid) input.removeAttribute('aria-invalid');
    else input.setAttribute('aria-invalid', 'true');
  }
  // aria-describedby: keep the hint, add or drop the error.
  const target = control;
  const ids = (target.getAttribute('aria-describedby') || '').split(/\s+/).filter((x) => x && x !== errorId);
  if (message) ids.push(errorId);
  if (ids.length) target.setAttribute('aria-describedby', ids.join(' '));
  else target.removeAttribute('aria-describedby');
}

function check(control, form) {
  const rule = RULES[control.dataset.rule];
  if (!rule) return null;
  const message = rule(control, form);
  show(control, message);
  control.dataset.checked = 'true';
  return message;
}

const ruleControl = (el) => el instanceof Element && el.closest('[data-rule]');

function inValidatedForm(el) {
  const form = el instanceof Element && el.closest('form[data-validate]');
  return form || null;
}

// Leaving a field: check it.
document.addEventListener('focusout', (event) => {
  const form = inValidatedForm(event.target);
  const control = ruleControl(event.target);
  if (!form || !control) return;
  // Within a group, wait until focus leaves the whole group.
  if (control.matches('fieldset') && control.contains(event.relatedTarget)) return;
  // An untouched empty field is not an error yet.
  if (!control.dataset.checked && !control.matches('fieldset') && control.value === '') return;
  check(control, form);
});

// Typing or choosing: check again a field already checked (and a confirmation that depends
// on it); groups and selects are checked at once.
function onEdit(event) {
  const form = inValidatedForm(event.target);
  const control = ruleControl(event.target);
  if (!form || !control) return;
  if (control.dataset.checked || control.matches('fieldset, select')) check(control, form);
  if (control.name) {
    for (const dependent of form.querySelectorAll(`[data-matches="${CSS.escape(control.name)}"]`)) {
      if (dependent.dataset.checked) check(dependent, form);
    }
  }
}
document.addEventListener('input', onEdit);
document.addEventListener('change', onEdit);

// Submitting: check everything; stop on the first field in error, with a summary.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches('[data-validate]')) return;
  const invalid = [];
  for (const control of form.querySelectorAll('[data-rule]')) {
    const message = check(control, form);
    if (message) invalid.push({ control, message });
  }
  if (invalid.length === 0) return;
  event.preventDefault();
  summarise(form, invalid);
  const first = invalid[0].control;
  (first.matches('fieldset') ? first.querySelector('input') : first).focus();
});

function labelOf(control) {
  if (control.matches('fieldset')) return control.querySelector('legend')?.firstChild?.textContent.trim() ?? '';
  const label = control.id && document.querySelector(`label[for="${CSS.escape(control.id)}"]`);
  return label?.firstChild?.textContent.trim() ?? control.name;
}

function summarise(form, invalid) {
  const id = form.id ? `${form.id}-errors` : '';
  let summary = id && document.getElementById(id);
  if (!summary) {
    summary = document.createElement('div');
    summary.className = 'alert alert-error error-summary';
    summary.setAttribute('role', 'alert');
    if (id) summary.id = id;
    form.before(summary);
  }
  summary.replaceChildren();
  const intro = document.createElement('p');
  intro.textContent =
    invalid.length === 1 ? 'Un champ est à corriger :' : `${invalid.length} champs sont à corriger :`;
  const list = document.createElement('ul');
  for (const { control, message } of invalid) {
    const item = document.createElement('li');
    const link = document.createElement('a');
    const target = control.matches('fieldset') ? control.querySelector('input') : control;
    link.href = `#${target.id}`;
    link.textContent = labelOf(control);
    item.append(link, ` : ${message}`);
    list.append(item);
  }
  summary.append(intro, list);
}
