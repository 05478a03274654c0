// The timeline card on a project page: its latest events, fetched as this user may see them.
(function () {
  'use strict';
  document.querySelectorAll('.sodar-tl-card[data-card]').forEach(function (card) {
    var list = card.querySelector('ul');
    fetch(card.getAttribute('data-card'), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) { return res.json(); })
      .then(function (data) {
        if (!data.events || data.events.length === 0) { list.innerHTML = '<li class="text-muted">No events yet.</li>'; return; }
        list.innerHTML = data.events.map(function (e) {
          // description: HTML rendered and escaped by the server
          var repeat = e.count > 1 ? ' <span class="badge text-bg-secondary">&times;' + e.count + '</span>' : '';
          return '<li><span class="badge ' + e.status_class + '">' + (e.status || 'N/A') + '</span> ' + e.description + repeat + '</li>';
        }).join('');
      });
  });
})();
