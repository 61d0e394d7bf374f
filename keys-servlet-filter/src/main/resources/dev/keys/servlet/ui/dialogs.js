import { h, field, problemText } from './dom.js';

/**
 * A modal form: resolves with what onSubmit returns, or null when cancelled. showModal() keeps focus inside and
 * Escape closes it; an error of onSubmit is shown in the dialog, which stays open.
 */
export function formDialog(title, fields, submitLabel, onSubmit, options = {}) {
  return new Promise((resolve) => {
    const error = h('p', { class: 'error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: options.danger ? 'danger' : '' }, submitLabel);
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const form = h('form', { class: 'dialog-form' },
      h('h2', { id: 'dialog-title' }, title), options.intro ? h('p', {}, options.intro) : null,
      fields, error, h('div', { class: 'buttons' }, submit, cancel));
    const dialog = h('dialog', { 'aria-labelledby': 'dialog-title' }, form);
    let result = null;
    cancel.addEventListener('click', () => dialog.close());
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      error.textContent = '';
      try {
        result = await onSubmit(form);
        dialog.close();
      } catch (e) {
        error.textContent = problemText(e);
      } finally {
        submit.disabled = false;
      }
    });
    dialog.addEventListener('close', () => { dialog.remove(); resolve(result); });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/**
 * Shows a new key's plaintext once. It lives only in this dialog's input: closing the dialog empties the input and
 * removes the dialog, and nothing else in the page keeps it (no variable, no storage, no URL).
 */
export function showSecret(plaintext, keyId) {
  return new Promise((resolve) => {
    const input = h('input', { id: 'secret', type: 'text', readonly: true, class: 'secret', autocomplete: 'off', spellcheck: 'false' });
    input.value = plaintext;
    const copied = h('span', { class: 'hint', role: 'status' });
    const copy = h('button', { type: 'button', id: 'copy-secret' }, 'Copy');
    copy.addEventListener('click', async () => {
      input.select();
      try {
        await navigator.clipboard.writeText(input.value);
        copied.textContent = 'Copied.';
      } catch (e) {
        copied.textContent = document.execCommand && document.execCommand('copy') ? 'Copied.' : 'Select the key and copy it.';
      }
    });
    const done = h('button', { type: 'button', id: 'secret-done' }, 'I have stored the key');
    const dialog = h('dialog', { 'aria-labelledby': 'secret-title', class: 'secret-dialog' },
      h('h2', { id: 'secret-title' }, 'Your new key'),
      h('p', { class: 'warning' }, h('strong', {}, 'Shown once. '),
        'Copy it now and keep it somewhere safe: the service stores only its digest and cannot show it again.'),
      field('Key ' + keyId, input), h('div', { class: 'buttons' }, copy, copied), h('div', { class: 'buttons' }, done));
    // Emptied at once on the click, not only when the dialog's close event comes (a task later); Escape closes too.
    done.addEventListener('click', () => { input.value = ''; dialog.close(); });
    dialog.addEventListener('close', () => {
      input.value = '';
      dialog.remove();
      resolve();
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
    input.select();
  });
}
