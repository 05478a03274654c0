// User autocomplete: suggestions from /project/ajax/autocomplete/user; picking one puts
// its sodar_uuid into the hidden field named by data-target.
(function () {
  'use strict';
  document.querySelectorAll('[data-autocomplete-url]').forEach(function (input) {
    var target = document.getElementById(input.getAttribute('data-target'));
    var list = document.getElementById(input.getAttribute('data-target') + '_suggestions');
    var timer = null;
    function show(results) {
      list.replaceChildren();
      results.forEach(function (result) {
        var item = document.createElement('button');
        item.type = 'button';
        item.className = 'list-group-item list-group-item-action sodar-user-suggestion';
        item.textContent = result.text;
        item.setAttribute('data-id', result.id);
        item.addEventListener('click', function () {
          target.value = result.id;
          input.value = result.text;
          list.replaceChildren();
        });
        list.appendChild(item);
      });
    }
    input.addEventListener('input', function () {
      target.value = '';
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) return show([]);
      timer = setTimeout(function () {
        fetch(input.getAttribute('data-autocomplete-url') + '?q=' + encodeURIComponent(q), { headers: { Accept: 'application/json' } })
          .then(function (res) { return res.json(); })
          .then(function (data) { show(data.results); });
      }, 150);
    });
  });
})();
