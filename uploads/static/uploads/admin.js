// The seller's admin additions: a static file, since the CSP allows no inline scripts.
document.addEventListener('DOMContentLoaded', function () {
  // The customer's link is selected with one click, ready to copy.
  document.querySelectorAll('input[data-select-on-click]').forEach(function (input) {
    input.addEventListener('click', function () { input.select(); });
  });
});
