// Behaviour the templates ask for with data attributes, so that no page needs
// inline script (the Content-Security-Policy allows scripts from this site only).
(function () {
  "use strict";
  // <select data-autosubmit data-clear="community">: submit its form when changed,
  // first emptying the named field (a community of the old street).
  document.addEventListener("change", function (event) {
    var field = event.target.closest ? event.target.closest("[data-autosubmit]") : null;
    if (!field || !field.form) return;
    var clear = field.getAttribute("data-clear");
    if (clear && field.form.elements[clear]) field.form.elements[clear].value = "";
    field.form.submit();
  });
  // <form data-confirm="…">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
  // <button data-print>: print the page.
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });
})();
