// The resident's form: the browser's location, only if they tap the button and allow it.
(function () {
  var button = document.getElementById("locate");
  if (!button || !navigator.geolocation) { if (button) button.hidden = true; return; }
  button.addEventListener("click", function () {
    var status = document.getElementById("locate-status");
    navigator.geolocation.getCurrentPosition(function (p) {
      document.getElementById("id_latitude").value = p.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = p.coords.longitude.toFixed(6);
      status.textContent = button.dataset.done;
    }, function () { status.textContent = button.dataset.failed; });
  });
})();
