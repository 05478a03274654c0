// Timeline list: status history on click, and live updates (Server-Sent Events) on a
// project's timeline: a new event is fetched as the row this user may see and shown on
// top; a repeat or a status change replaces its group's row.
(function () {
  'use strict';
  var table = document.getElementById('sodar-tl-table');
  if (!table) return;
  var body = table.tBodies[0];

  function text(value) {
    var span = document.createElement('span');
    span.textContent = value == null ? '' : String(value);
    return span.innerHTML;
  }

  function rowHtml(e) {
    var repeat = e.count > 1 ? ' <span class="badge text-bg-secondary sodar-tl-repeat" title="Repeated ' + e.count + ' times in a short time">&times;' + e.count + '</span>' : '';
    var lock = e.classified ? ' <i class="fa fa-lock text-danger" title="Classified"></i>' : '';
    return '<td class="text-nowrap">' + text(e.timestamp) + '</td><td>' + text(e.user || 'N/A') + '</td><td>' + text(e.event_name) + lock + '</td>' +
      '<td>' + e.description + repeat + '</td>' + // description: HTML rendered and escaped by the server
      '<td><a href="#" class="badge ' + text(e.status_class) + ' text-decoration-none sodar-tl-status" data-detail="/timeline/ajax/detail/' + text(e.event) + '">' + text(e.status || 'N/A') + '</a></td>';
  }

  /**
   * A new event or a repeat (a row showing another event than before: the group's sort key
   * moved) goes on top, as a reload would show it; a status change keeps the row's place.
   */
  function show(e) {
    var existing = body.querySelector('tr[data-group="' + e.group + '"]');
    var newer = !existing || existing.getAttribute('data-event') !== e.event;
    var row = existing || document.createElement('tr');
    var detail = existing && existing.nextElementSibling;
    if (detail && detail.classList.contains('sodar-tl-detail')) detail.remove(); // stale now
    row.className = 'sodar-tl-row sodar-tl-new';
    row.setAttribute('data-group', e.group);
    row.setAttribute('data-event', e.event);
    row.innerHTML = rowHtml(e);
    var empty = body.querySelector('.sodar-tl-empty');
    if (empty) empty.remove();
    if (newer && row !== body.firstElementChild) body.insertBefore(row, body.firstElementChild);
  }

  var live = table.getAttribute('data-live');
  if (live && window.EventSource) {
    var badge = document.getElementById('sodar-tl-live');
    var source = new EventSource(live);
    // One fetch at a time, in the order of the notifications: an older answer arriving
    // late must not overwrite a newer row.
    var pending = Promise.resolve();
    // Back after the stream broke (a site restart) or the database was away: events of that
    // time were never announced, so the list is read again.
    var broken = false;
    source.onopen = function () {
      if (broken) return window.location.reload();
      if (badge) badge.className = 'badge text-bg-success';
    };
    source.onerror = function () {
      broken = true;
      if (badge) badge.className = 'badge text-bg-light border';
    };
    source.onmessage = function (message) {
      var note = JSON.parse(message.data);
      if (note.resync) return window.location.reload();
      pending = pending
        .then(function () { return fetch(table.getAttribute('data-row') + note.event, { headers: { Accept: 'application/json' }, credentials: 'same-origin' }); })
        .then(function (res) { return res.ok ? res.json() : null; }) // 403: classified, not for this user
        .then(function (e) { if (e) show(e); })
        .catch(function () { /* offline for a moment: the next notification tries again */ });
    };
  }

  table.addEventListener('click', function (event) {
    var link = event.target.closest('.sodar-tl-status');
    if (!link) return;
    event.preventDefault();
    var row = link.closest('tr');
    var open = row.nextElementSibling;
    if (open && open.classList.contains('sodar-tl-detail')) { open.remove(); return; }
    fetch(link.getAttribute('data-detail'), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) { return res.json(); })
      .then(function (detail) {
        var detailRow = document.createElement('tr');
        detailRow.className = 'sodar-tl-detail';
        var items = (detail.status || []).map(function (s) {
          return '<li><span class="badge ' + text(s.class) + '">' + text(s.type) + '</span> ' + text(s.timestamp) + ' ' + text(s.description) + '</li>';
        }).join('');
        detailRow.innerHTML = '<td colspan="5"><ul class="list-unstyled small mb-0">' + (items || text(detail.detail)) + '</ul></td>';
        row.after(detailRow);
      });
  });
})();
