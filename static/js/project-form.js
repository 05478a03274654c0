// Project create form: show only the app settings of the chosen type (data-project-types),
// and a group heading only when one of its settings shows. Settings of the other type are
// not read by the server either.
(function () {
  'use strict';
  var type = document.getElementById('id_type');
  var section = document.getElementById('sodar-project-settings');
  if (!type || !section) return;
  function update() {
    var chosen = type.value.toLowerCase();
    section.querySelectorAll('.sodar-setting').forEach(function (setting) {
      var types = (setting.getAttribute('data-project-types') || 'project').split(',');
      setting.hidden = types.indexOf(chosen) < 0;
    });
    section.querySelectorAll('.sodar-setting-group').forEach(function (heading) {
      var shown = false;
      for (var next = heading.nextElementSibling; next && !next.classList.contains('sodar-setting-group'); next = next.nextElementSibling) {
        if (next.classList.contains('sodar-setting') && !next.hidden) shown = true;
      }
      heading.hidden = !shown;
    });
  }
  type.addEventListener('change', update);
  update();
})();
