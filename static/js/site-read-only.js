// While the read-only banner shows, asks /project/ajax/settings/site-read-only every 5 s
// (SODAR's updateReadOnlyAlert); once the mode is off, the banner turns green and asks no more.
(function () {
  'use strict';
  var alert = document.getElementById('sodar-alert-site-read-only');
  if (!alert) return;
  var INTERVAL_MS = 5000;

  function showDisabled() {
    alert.classList.remove('alert-danger');
    alert.classList.add('alert-success');
    var text = alert.querySelector('.sodar-alert-text');
    text.textContent = 'Site read-only mode disabled. Please reload your browser tab. ';
    var reload = document.createElement('a');
    reload.href = '#';
    reload.className = 'alert-link';
    reload.textContent = 'Reload';
    reload.addEventListener('click', function (event) {
      event.preventDefault();
      window.location.reload();
    });
    text.appendChild(reload);
    alert.querySelector('.fa').className = 'fa fa-unlock';
  }

  function poll() {
    fetch('/project/ajax/settings/site-read-only', { headers: { Accept: 'application/json' } })
      .then(function (res) { return res.ok ? res.json() : { site_read_only: true }; })
      .then(function (data) {
        if (data.site_read_only === false) showDisabled();
        else window.setTimeout(poll, INTERVAL_MS);
      }, function () { window.setTimeout(poll, INTERVAL_MS); });
  }
  window.setTimeout(poll, INTERVAL_MS);
})();
