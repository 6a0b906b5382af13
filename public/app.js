// Progressive enhancement only: every page works without this file.
// "Load more" fetches the next page of the folder and appends its rows in place;
// dates show relative to now, with the exact time on hover (set by the server).
(function () {
  'use strict';

  function loadMore(link) {
    var table = document.getElementById('entries');
    if (!table) return;
    link.setAttribute('aria-busy', 'true');
    link.textContent = 'Loading…';
    fetch(link.href, { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.text();
      })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, 'text/html');
        var rows = next.querySelectorAll('#entries > tr, #entries > li');
        rows.forEach(function (row) { table.appendChild(document.importNode(row, true)); });
        var nextLink = next.getElementById('load-more');
        if (nextLink) {
          link.href = nextLink.getAttribute('href');
          link.textContent = 'Load more';
          link.removeAttribute('aria-busy');
        } else {
          link.parentNode.removeChild(link);
        }
      })
      .catch(function () {
        // Fall back to a plain navigation, which shows the next page or a readable error.
        window.location.href = link.href;
      });
  }

  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('#load-more');
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    if (link.getAttribute('aria-busy') !== 'true') loadMore(link);
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
