// Star buttons rendered by the server (project header): toggle through /project/ajax/star/<uuid>.
(function () {
  'use strict';
  var csrf = document.querySelector('meta[name="csrf-token"]');
  document.querySelectorAll('#sodar-project-star').forEach(function (button) {
    button.addEventListener('click', function () {
      fetch('/project/ajax/star/' + button.getAttribute('data-uuid'), { method: 'POST', headers: { 'X-CSRFToken': csrf ? csrf.content : '' } })
        .then(function (res) { return res.json(); })
        .then(function (starred) {
          var i = document.createElement('i');
          i.className = 'fa fa-fw fa-' + (starred === 1 ? 'star text-warning' : 'star-o text-muted');
          button.replaceChildren(i);
          button.setAttribute('data-starred', String(starred));
        });
    });
  });
})();
