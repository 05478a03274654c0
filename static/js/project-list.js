// The project list: rows come from /project/ajax/list, one level at a time; a category
// row expands to load its children. Stars toggle through /project/ajax/star/<uuid>.
(function () {
  'use strict';
  var table = document.getElementById('sodar-project-list');
  if (!table) return;
  var body = table.querySelector('tbody');
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var starredOnly = document.getElementById('sodar-starred-only');
  // Plugin columns (home page only): filled in after the rows, from /project/ajax/list/columns.
  var columns = JSON.parse(table.getAttribute('data-columns') || '[]');

  function icon(name) {
    var i = document.createElement('i');
    i.className = 'fa fa-fw fa-' + name;
    return i;
  }

  function roleLabel(project) {
    if (project.role) return project.role.replace('project ', '').replace(/^./, function (c) { return c.toUpperCase(); }) + (project.inherited ? ' (inherited)' : '');
    if (project.public_access) return 'Public';
    return 'N/A';
  }

  function starButton(project) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn btn-link btn-sm p-0 sodar-star';
    button.setAttribute('data-uuid', project.uuid);
    button.title = 'Star or unstar';
    button.appendChild(icon(project.starred ? 'star text-warning' : 'star-o text-muted'));
    button.addEventListener('click', function () {
      fetch('/project/ajax/star/' + project.uuid, { method: 'POST', headers: { 'X-CSRFToken': csrf ? csrf.content : '' } })
        .then(function (res) { return res.json(); })
        .then(function (starred) {
          button.replaceChildren(icon(starred === 1 ? 'star text-warning' : 'star-o text-muted'));
          button.setAttribute('data-starred', String(starred));
        });
    });
    return button;
  }

  function row(project, depth) {
    var tr = document.createElement('tr');
    tr.setAttribute('data-uuid', project.uuid);
    tr.setAttribute('data-depth', String(depth));
    var name = document.createElement('td');
    name.style.paddingLeft = (0.5 + depth * 1.5) + 'em';
    if (project.type === 'CATEGORY') {
      var toggle = document.createElement('button');
      toggle.type = 'button';
      toggle.className = 'btn btn-link btn-sm p-0 me-1 sodar-expand';
      toggle.title = 'Show what is inside';
      toggle.appendChild(icon('caret-right'));
      toggle.addEventListener('click', function () { expand(tr, toggle, project, depth); });
      name.appendChild(toggle);
    }
    name.appendChild(icon(project.type === 'CATEGORY' ? 'folder-open-o' : 'cube'));
    if (project.access) {
      var link = document.createElement('a');
      link.href = '/project/' + project.uuid;
      link.textContent = ' ' + project.title;
      name.appendChild(link);
    } else {
      name.appendChild(document.createTextNode(' ' + project.title));
    }
    if (project.blocked) {
      // Superusers still get the link (access); everyone else sees why there is none.
      var ban = icon('ban text-danger ms-1');
      ban.title = 'Access temporarily blocked by administrators';
      name.appendChild(ban);
    }
    if (project.archive) {
      var badge = document.createElement('span');
      badge.className = 'badge text-bg-secondary ms-2';
      badge.textContent = 'Archived';
      name.appendChild(badge);
    }
    var cells = columns.map(function (column) {
      var td = document.createElement('td');
      td.className = 'text-' + column.align;
      td.setAttribute('data-column', column.plugin + '.' + column.id);
      return td;
    });
    var role = document.createElement('td');
    role.className = project.role ? '' : 'text-muted';
    role.textContent = roleLabel(project);
    var star = document.createElement('td');
    star.className = 'text-center';
    if (project.access && csrf) star.appendChild(starButton(project));
    tr.append.apply(tr, [name].concat(cells, [role, star]));
    return tr;
  }

  function load(parent, page) {
    var query = [];
    if (parent) query.push('parent=' + parent);
    if (page > 1) query.push('page=' + page);
    if (starredOnly) query.push('starred=' + (starredOnly.checked ? '1' : '0'));
    return fetch('/project/ajax/list' + (query.length ? '?' + query.join('&') : ''), { headers: { Accept: 'application/json' } })
      .then(function (res) { return res.json(); });
  }

  function fillColumns(projects) {
    var uuids = projects.filter(function (p) { return p.access; }).map(function (p) { return p.uuid; });
    if (columns.length === 0 || uuids.length === 0) return;
    fetch('/project/ajax/list/columns', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf ? csrf.content : '' },
      body: JSON.stringify({ projects: uuids }),
    })
      .then(function (res) { return res.json(); })
      .then(function (values) {
        Object.keys(values).forEach(function (uuid) {
          var tr = body.querySelector('tr[data-uuid="' + uuid + '"]');
          columns.forEach(function (column) {
            var value = (values[uuid][column.plugin] || {})[column.id];
            var td = tr && tr.querySelector('td[data-column="' + column.plugin + '.' + column.id + '"]');
            if (td && value !== null && value !== undefined) td.textContent = String(value);
          });
        });
      });
  }

  function insertRows(after, data, depth, parent) {
    fillColumns(data.projects);
    var anchor = after;
    data.projects.forEach(function (project) {
      var tr = row(project, depth);
      if (anchor) anchor.after(tr); else body.appendChild(tr);
      anchor = tr;
    });
    if (data.next_page) {
      var more = document.createElement('tr');
      more.innerHTML = '<td colspan="3"><button type="button" class="btn btn-sm btn-outline-secondary">Show more</button></td>';
      more.querySelector('button').addEventListener('click', function () {
        load(parent, data.next_page).then(function (next) { more.remove(); insertRows(anchor, next, depth, parent); });
      });
      if (anchor) anchor.after(more); else body.appendChild(more);
    }
    if (!after && data.projects.length === 0 && data.messages.no_projects) {
      var empty = document.createElement('tr');
      empty.innerHTML = '<td colspan="3" class="text-muted"></td>';
      empty.firstChild.textContent = data.messages.no_projects;
      body.appendChild(empty);
    }
  }

  function expand(tr, toggle, project, depth) {
    if (tr.getAttribute('data-expanded') === 'true') {
      var next = tr.nextElementSibling;
      while (next && Number(next.getAttribute('data-depth')) > depth) {
        var remove = next;
        next = next.nextElementSibling;
        remove.remove();
      }
      tr.setAttribute('data-expanded', 'false');
      toggle.replaceChildren(icon('caret-right'));
      return;
    }
    tr.setAttribute('data-expanded', 'true');
    toggle.replaceChildren(icon('caret-down'));
    load(project.uuid, 1).then(function (data) { insertRows(tr, data, depth + 1, project.uuid); });
  }

  function reload() {
    body.replaceChildren();
    var parent = table.getAttribute('data-parent');
    load(parent, 1).then(function (data) { insertRows(null, data, 0, parent); table.setAttribute('data-loaded', 'true'); });
  }

  if (starredOnly) {
    starredOnly.addEventListener('change', function () {
      fetch('/project/ajax/star/home', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRFToken': csrf ? csrf.content : '' },
        body: 'value=' + (starredOnly.checked ? '1' : '0'),
      }).then(reload);
    });
  }
  reload();
})();
