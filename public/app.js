// Progressive enhancement only: every page works without this file.
// "Load more" fetches the next page of the folder and appends its rows in place.
(function () {
  'use strict';

  // "Load more" is a GET form; this turns it into an in-place append of the next rows.
  function nextPageUrl(form) {
    var query = new URLSearchParams(new FormData(form)).toString();
    return form.getAttribute('action') + (query ? '?' + query : '');
  }

  function loadMore(form) {
    var entries = document.getElementById('entries');
    var button = form.querySelector('button');
    if (!entries || !button) return;
    form.setAttribute('aria-busy', 'true');
    button.disabled = true;
    button.textContent = 'Loading…';
    var url = nextPageUrl(form);
    fetch(url, { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.text();
      })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, 'text/html');
        next.querySelectorAll('#entries > tr, #entries > li').forEach(function (row) {
          entries.appendChild(document.importNode(row, true));
        });
        var nextForm = next.getElementById('load-more');
        if (nextForm) {
          form.replaceWith(document.importNode(nextForm, true));
          document.querySelector('#load-more button').focus();
        } else {
          form.remove();
        }
      })
      .catch(function () {
        // Fall back to a plain navigation, which shows the next page or a readable error.
        window.location.href = url;
      });
  }

  document.addEventListener('submit', function (event) {
    if (event.target.id !== 'load-more') return;
    event.preventDefault();
    if (event.target.getAttribute('aria-busy') !== 'true') loadMore(event.target);
  });
})();

// Live folder: when the server says this folder changed in Dropbox, fetch the page again and
// replace its rows, announcing it to screen readers. Only on a folder's first page.
(function () {
  'use strict';
  var status = document.getElementById('live-status');
  if (!status || !window.EventSource || window.location.search.indexOf('cursor=') !== -1) return;
  var source = new EventSource(status.getAttribute('data-events'));
  source.addEventListener('changed', function () {
    fetch(status.getAttribute('data-page'), { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(new Error('HTTP ' + response.status)); })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, 'text/html');
        var fresh = next.getElementById('entries');
        var current = document.getElementById('entries');
        if (fresh && current) current.replaceWith(document.importNode(fresh, true));
        else if (fresh || current) window.location.reload();
        status.textContent = 'This folder was updated.';
      })
      .catch(function () { /* the next change or a reload shows it */ });
  });
  window.addEventListener('pagehide', function () { source.close(); });
})();
