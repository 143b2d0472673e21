// ID77 – progressive enhancement of the catalogue. The server renders every state of the page
// (links and GET forms work without this file); here we only fetch the next state and swap
// <main> in place, so that filtering feels instant and keeps the keyboard focus where it was.

document.documentElement.classList.add('js');

let controller = null; // the fetch in flight, aborted when a newer navigation starts
let timer = 0; // debounce of the instant search
let lastQ = valueOfQ(); // text the displayed results were computed for
let typingEntry = false; // the current history entry came from instant search
let shownUrl = withoutHash(location.href);

function valueOfQ() {
  return (document.getElementById('q')?.value ?? '').trim();
}

function withoutHash(url) {
  const u = new URL(url, location.href);
  u.hash = '';
  return u.href;
}

const inCatalogue = (el) => el instanceof Element && el.closest('main[data-catalogue]');

// A GET form as a URL, leaving out empty fields so that shared links stay short.
function formUrl(form) {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (typeof value === 'string' && value.trim() !== '') params.append(name, value);
  }
  const url = new URL(form.getAttribute('action') || location.pathname, location.href);
  url.search = params.toString();
  return url.href;
}

// Where focus should land once the new <main> is in: remembered before the swap. Links and
// history moves always go to the results; forms keep the field the user is working in.
function focusPlan(fromForm) {
  const active = document.activeElement;
  if (!fromForm || !inCatalogue(active)) return { kind: 'results' };
  if (active.id === 'q') {
    return { kind: 'q', start: active.selectionStart, end: active.selectionEnd };
  }
  // A checkbox or select that submitted itself: stay on it, the user may tick several.
  if (active.matches('[data-autosubmit]')) {
    const selector = active.id
      ? `#${CSS.escape(active.id)}`
      : `[name="${CSS.escape(active.name)}"][value="${CSS.escape(active.value)}"]`;
    return { kind: 'control', selector };
  }
  return { kind: 'results' };
}

function restoreFocus(plan, liveQ) {
  const q = document.getElementById('q');
  if (plan.kind === 'q' && q) {
    // Keystrokes typed while the request was in flight must not be lost.
    q.value = liveQ;
    q.focus();
    q.setSelectionRange(plan.start, plan.end);
    return;
  }
  const control = plan.kind === 'control' && document.querySelector(`main#contenu ${plan.selector}`);
  if (control) {
    control.focus();
    return;
  }
  const target = document.getElementById('results-title') || document.querySelector('main#contenu');
  if (!target) return;
  target.setAttribute('tabindex', '-1');
  target.focus();
}

async function navigate(url, { push = true, typing = false, fromForm = false, keepFilters = false } = {}) {
  controller?.abort();
  controller = new AbortController();
  const { signal } = controller;
  clearTimeout(timer);
  document.querySelector('main#contenu')?.setAttribute('aria-busy', 'true');
  try {
    const response = await fetch(url, { headers: { Accept: 'text/html' }, signal });
    // 400 (invalid search) still carries a full page with the error messages: show it.
    if (!(response.headers.get('content-type') || '').includes('text/html')) throw new Error('not html');
    const html = await response.text();
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const next = doc.querySelector('main#contenu');
    const current = document.querySelector('main#contenu');
    if (!next || !current) throw new Error('no main');
    if (signal.aborted) return;

    const plan = focusPlan(fromForm);
    const liveQ = document.getElementById('q')?.value ?? '';
    // Typing or ticking in the open panel keeps it open; "Rechercher" folds it on the results.
    const filtersOpen = keepFilters && current.querySelector('.catalogue.filters-open') !== null;
    current.replaceWith(document.adoptNode(next));
    if (filtersOpen) {
      next.querySelector('.catalogue')?.classList.add('filters-open');
      next.querySelector('[data-filters-toggle]')?.setAttribute('aria-expanded', 'true');
    }
    document.title = doc.title;
    lastQ = valueOfQ();

    const finalUrl = response.redirected ? response.url : url;
    if (push && withoutHash(finalUrl) !== shownUrl) {
      // One history entry per typing session, not one per pause.
      if (typing && typingEntry) history.replaceState({ id77: true }, '', finalUrl);
      else history.pushState({ id77: true }, '', finalUrl);
    }
    typingEntry = typing;
    shownUrl = withoutHash(finalUrl);
    restoreFocus(plan, liveQ);
  } catch (error) {
    if (error.name === 'AbortError') return; // superseded by a newer navigation
    location.href = url; // let the server render it the classic way
  }
}

// Links: domain tiles, chips ×, thematic pills, pagination, "Réinitialiser".
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element && event.target.closest('a[data-nav]');
  if (!link || !inCatalogue(link) || event.defaultPrevented) return;
  // Leave new-tab / new-window clicks to the browser.
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (link.origin !== location.origin || link.target) return;
  event.preventDefault();
  navigate(link.href);
});

// Small screens: "Filtres" opens the folded search panel above the results (a search replaces
// <main>, which folds it again so that the new results are what the visitor sees).
document.addEventListener('click', (event) => {
  const toggle = event.target instanceof Element && event.target.closest('[data-filters-toggle]');
  if (!toggle || !inCatalogue(toggle)) return;
  event.preventDefault();
  const catalogue = toggle.closest('.catalogue');
  const open = catalogue.classList.toggle('filters-open');
  toggle.setAttribute('aria-expanded', String(open));
  if (open) document.getElementById('code')?.focus();
});

// The search panel and the sort form.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !inCatalogue(form)) return;
  if (form.id !== 'search-form' && !form.classList.contains('sort-form')) return;
  event.preventDefault();
  navigate(formUrl(form), { fromForm: true });
});

// Checkboxes and selects apply at once.
document.addEventListener('change', (event) => {
  const field = event.target;
  if (!inCatalogue(field) || !field.matches('[data-autosubmit]') || !field.form) return;
  navigate(formUrl(field.form), { fromForm: true, keepFilters: true });
});

// Instant search: 300 ms after the last keystroke in #q.
document.addEventListener('input', (event) => {
  if (!inCatalogue(event.target) || !event.target.matches('#q[data-instant]')) return;
  clearTimeout(timer);
  timer = setTimeout(() => {
    const q = document.getElementById('q');
    // Look the form up now: <main> may have been replaced since the keystroke.
    if (!q?.form || q.value.trim() === lastQ) return;
    navigate(formUrl(q.form), { typing: true, fromForm: true, keepFilters: true });
  }, 300);
});

// Back / forward between states we pushed. A bare #hash change (skip link) is not one.
window.addEventListener('popstate', () => {
  if (withoutHash(location.href) === shownUrl) return;
  shownUrl = withoutHash(location.href);
  typingEntry = false;
  navigate(location.href, { push: false });
});
