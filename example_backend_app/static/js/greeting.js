// Included by backendInclude('example_backend_app', 'js'): fills the greeting slot, if the page has one.
document.querySelectorAll('[data-example-backend-greeting]').forEach(function (slot) {
  var greeting = document.createElement('div');
  greeting.id = 'example_backend_greeting';
  greeting.textContent = 'Example Backend App says hello!';
  slot.appendChild(greeting);
});
