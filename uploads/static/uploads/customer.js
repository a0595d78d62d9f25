// The customer's pages work without this file; it only saves a click or two.
// A static file, not inline: the Content-Security-Policy allows scripts from this site only.
document.addEventListener('DOMContentLoaded', function () {
  // The language switcher submits itself when a language is picked.
  document.querySelectorAll('select[data-submit-on-change]').forEach(function (select) {
    select.addEventListener('change', function () { select.form.submit(); });
  });
  // Show which file was picked; of the two file inputs, only the last one used is sent.
  var chosen = document.getElementById('chosen');
  var inputs = document.querySelectorAll('input[type=file]');
  inputs.forEach(function (input) {
    input.addEventListener('change', function () {
      inputs.forEach(function (other) { if (other !== input) other.value = ''; });
      if (chosen) chosen.textContent = input.files.length ? input.files[0].name : '';
    });
  });
});
