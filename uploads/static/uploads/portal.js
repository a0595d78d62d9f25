/* The customer's pages, enhanced. Everything works without this file (plain form posts). */
(function () {
  'use strict';

  // The language switcher changes as soon as a language is picked; its button is for no-JS.
  function initLanguageSwitcher() {
    var form = document.querySelector('form.langs');
    if (!form) return;
    var button = form.querySelector('.langs-go');
    if (button) button.hidden = true;
    form.querySelector('select').addEventListener('change', function () { form.submit(); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    initLanguageSwitcher();
  });
})();
