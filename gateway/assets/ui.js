// ID77 – enhancements shared by every page. Each works on markup that already works without
// this file: the user menu is a <details>, confirmations guard forms that post anyway, the
// favourite star is a form, the login dialog shows the /connexion page's own form.

// ----- User menu: close it on Escape and on a click or focus elsewhere --------------------------

function closeMenus(except) {
  for (const menu of document.querySelectorAll('details.user-menu[open]')) {
    if (menu !== except) menu.open = false;
  }
}

document.addEventListener('click', (event) => {
  const inside = event.target instanceof Element && event.target.closest('details.user-menu');
  closeMenus(inside);
});

document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  const menu = document.querySelector('details.user-menu[open]');
  if (!menu) return;
  menu.open = false;
  menu.querySelector('summary')?.focus();
});

document.addEventListener('focusin', (event) => {
  const inside = event.target instanceof Element && event.target.closest('details.user-menu');
  closeMenus(inside);
});

// ----- After a POST: the message is shown once, the errors get the focus ------------------------

function forgetFlash() {
  const url = new URL(location.href);
  if (!url.searchParams.has('ok')) return;
  url.searchParams.delete('ok');
  history.replaceState(history.state, '', url.pathname + (url.search || '') + url.hash);
}

function focusErrors() {
  const summary = document.querySelector('[data-error-summary]');
  if (summary instanceof HTMLElement) summary.focus();
}

forgetFlash();
focusErrors();

// ----- Confirmation before a destructive form (data-confirm) ------------------------------------

let confirmDialog = null;

function makeConfirmDialog() {
  const dialog = document.createElement('dialog');
  dialog.className = 'modal confirm-dialog';
  dialog.setAttribute('aria-labelledby', 'confirm-dialog-title');
  dialog.innerHTML = `
    <form method="dialog" class="modal-body">
      <h2 id="confirm-dialog-title">Confirmation</h2>
      <p class="confirm-message"></p>
      <div class="form-actions">
        <button type="submit" value="cancel" class="button button-secondary">Annuler</button>
        <button type="submit" value="confirm" class="button button-danger confirm-ok">Confirmer</button>
      </div>
    </form>`;
  document.body.append(dialog);
  return dialog;
}

function confirmAction(message, okLabel) {
  if (typeof HTMLDialogElement !== 'function') return Promise.resolve(window.confirm(message));
  confirmDialog ??= makeConfirmDialog();
  confirmDialog.querySelector('.confirm-message').textContent = message;
  confirmDialog.querySelector('.confirm-ok').textContent = okLabel || 'Confirmer';
  confirmDialog.returnValue = '';
  return new Promise((resolve) => {
    confirmDialog.addEventListener('close', () => resolve(confirmDialog.returnValue === 'confirm'), { once: true });
    confirmDialog.showModal();
    // The safe choice has the focus.
    confirmDialog.querySelector('button[value="cancel"]').focus();
  });
}

document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
  if (form.dataset.confirmed === 'true') return;
  event.preventDefault();
  const opener = document.activeElement;
  if (await confirmAction(form.dataset.confirm, form.dataset.confirmButton)) {
    form.dataset.confirmed = 'true';
    form.requestSubmit();
  } else if (opener instanceof HTMLElement) {
    opener.focus();
  }
});

// ----- Favourite star: toggled in place --------------------------------------------------------

let announcer = null;

function announce(text) {
  if (!announcer) {
    announcer = document.createElement('p');
    announcer.className = 'visually-hidden';
    announcer.setAttribute('role', 'status');
    document.body.append(announcer);
  }
  announcer.textContent = '';
  // A new node content after a tick is announced even when the text repeats.
  setTimeout(() => {
    announcer.textContent = text;
  }, 50);
}

function renderStar(form, favorite) {
  const button = form.querySelector('.favorite-toggle');
  const code = button.dataset.code;
  form.action = `/favoris/${encodeURIComponent(code)}${favorite ? '/supprimer' : ''}`;
  button.setAttribute('aria-pressed', favorite ? 'true' : 'false');
  const use = button.querySelector('use');
  const href = use.getAttribute('href').replace(/#.*$/, favorite ? '#star-filled' : '#star');
  use.setAttribute('href', href);
  button.querySelector('.favorite-label').textContent = favorite ? 'Retirer des favoris' : 'Favoris';
}

document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains('favorite-form')) return;
  event.preventDefault();
  const button = form.querySelector('.favorite-toggle');
  if (button.getAttribute('aria-busy') === 'true') return;
  button.setAttribute('aria-busy', 'true');
  try {
    const response = await fetch(form.action, {
      method: 'POST',
      headers: { Accept: 'application/json' },
      body: new URLSearchParams(new FormData(form)),
    });
    if (response.status === 401) {
      location.href = `/connexion?next=${encodeURIComponent(location.pathname + location.search)}`;
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { favorite, code } = await response.json();
    renderStar(form, favorite);
    announce(favorite ? `Offre ${code} ajoutée aux favoris.` : `Offre ${code} retirée des favoris.`);
  } catch {
    form.submit(); // the server answers with its own page
  } finally {
    button.removeAttribute('aria-busy');
  }
});

// ----- Login dialog: the /connexion form over the catalogue -------------------------------------

let loginDialog = null;

async function openLogin(href) {
  const response = await fetch(href, { headers: { Accept: 'text/html' } });
  if (!response.ok || response.redirected) throw new Error('no login page');
  const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
  const card = doc.querySelector('[data-login-card]');
  if (!card) throw new Error('no login form');
  loginDialog?.remove();
  loginDialog = document.createElement('dialog');
  loginDialog.className = 'modal login-dialog';
  loginDialog.setAttribute('aria-labelledby', 'login-title');
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'modal-close';
  close.setAttribute('aria-label', 'Fermer');
  close.textContent = '×';
  close.addEventListener('click', () => loginDialog.close());
  const body = document.adoptNode(card);
  body.classList.add('modal-body');
  loginDialog.append(close, body);
  document.body.append(loginDialog);
  loginDialog.addEventListener('close', () => loginDialog.remove(), { once: true });
  loginDialog.showModal();
  loginDialog.querySelector('#identifier')?.focus();
}

document.addEventListener('click', (event) => {
  const link = event.target instanceof Element && event.target.closest('a[href^="/connexion"]');
  if (!link || event.defaultPrevented || typeof HTMLDialogElement !== 'function') return;
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  // Only over the catalogue (elsewhere the page may hold fields with the same ids).
  if (!document.querySelector('main[data-catalogue], main.offer-page')) return;
  event.preventDefault();
  const url = new URL(link.href, location.href);
  if (!url.searchParams.has('next') && link.hasAttribute('data-login-dialog')) {
    url.searchParams.set('next', location.pathname + location.search);
  }
  openLogin(url.pathname + url.search).catch(() => {
    location.href = url.href;
  });
});

// ----- Logo: preview before upload, size checked at once ----------------------------------------

const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

function logoError(input, message) {
  const wrapper = input.closest('.field');
  let error = document.getElementById('logo-error');
  if (message) {
    if (!error) {
      error = document.createElement('p');
      error.id = 'logo-error';
      error.className = 'field-error';
      wrapper.append(error);
    }
    error.textContent = message;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', 'logo-hint logo-error');
  } else {
    error?.remove();
    input.removeAttribute('aria-invalid');
    input.setAttribute('aria-describedby', 'logo-hint');
  }
  wrapper.classList.toggle('has-error', Boolean(message));
}

document.addEventListener('change', (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.matches('[data-logo-input]')) return;
  const preview = document.getElementById('logo-preview');
  const file = input.files?.[0];
  preview.hidden = true;
  if (!file) return logoError(input, null);
  if (!LOGO_TYPES.includes(file.type)) {
    input.value = '';
    return logoError(input, 'Choisissez une image PNG, JPEG ou WebP de 2 Mo au plus.');
  }
  if (file.size > Number(input.dataset.maxBytes || 2097152)) {
    input.value = '';
    return logoError(input, 'Cette image dépasse 2 Mo : choisissez une image plus légère (PNG, JPEG ou WebP).');
  }
  logoError(input, null);
  // A data: URL, which the page's CSP allows for images (blob: is not).
  const reader = new FileReader();
  reader.addEventListener('load', () => {
    preview.src = String(reader.result);
    preview.hidden = false;
  });
  reader.readAsDataURL(file);
});

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.id !== 'logo-form') return;
  const input = form.querySelector('[data-logo-input]');
  if (input && !input.files?.length) {
    event.preventDefault();
    logoError(input, 'Choisissez une image PNG, JPEG ou WebP de 2 Mo au plus.');
    input.focus();
  }
});
