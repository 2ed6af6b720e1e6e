// The console's only script (CSP 'self': nothing runs inline): a "select all" box for
// the review queue and the print button of the QR sheet.
document.addEventListener('change', function (e) {
  var name = e.target.getAttribute('data-select-all');
  if (!name) return;
  document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (b) { b.checked = e.target.checked; });
});
document.addEventListener('click', function (e) {
  if (e.target.hasAttribute('data-print')) window.print();
});
