// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';

  function parse(html) {
    return new DOMParser().parseFromString(html, 'text/html');
  }

  function fetchPage(url) {
    return fetch(url, { headers: { Accept: 'text/html' }, credentials: 'same-origin' }).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.text();
    });
  }

  // Swaps the element with `id` for its counterpart in `next` (or removes it when `next` has none).
  function swap(next, id) {
    var current = document.getElementById(id);
    var fresh = next.getElementById(id);
    if (current && fresh) current.replaceWith(document.importNode(fresh, true));
    else if (current) current.remove();
  }

  // "Load more" is a GET form (a real button that works without JavaScript); this turns it into
  // an in-place append of the next rows. The list then remembers, in data-through, the last row
  // it holds, so that a live refresh can fetch exactly the rows the person has loaded.
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
    fetchPage(url)
      .then(function (html) {
        var next = parse(html);
        next.querySelectorAll('#entries > tr, #entries > li').forEach(function (row) {
          entries.appendChild(document.importNode(row, true));
        });
        var nextEntries = next.getElementById('entries');
        if (nextEntries) entries.setAttribute('data-through', nextEntries.getAttribute('data-through') || '');
        entries.setAttribute('data-extended', 'true');
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

  // Live folder: the server says the folder changed in Dropbox (or finished reading it), so the
  // rows are fetched again: the first page, or, once the person loaded more, every row up to
  // the last one they had. Focus stays on the link it was on.
  // A photo's page: the arrow keys step to the previous and next photo and Esc goes back to
  // the folder, the same places the page's links lead (which work without this).
  var photo = document.getElementById('photo');
  if (photo) {
    document.addEventListener('keydown', function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || event.defaultPrevented) return;
      var target = event.target;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      var destination = { ArrowLeft: 'data-previous', ArrowRight: 'data-next', Escape: 'data-folder' }[event.key];
      var href = destination && photo.getAttribute(destination);
      if (!href) return;
      event.preventDefault();
      window.location.assign(href);
    });
  }

  var status = document.getElementById('live-status');
  if (!status || !window.EventSource || window.location.search.indexOf('cursor=') !== -1) return;
  var pageUrl = status.getAttribute('data-page');

  function refreshRows() {
    var entries = document.getElementById('entries');
    var extended = entries && entries.getAttribute('data-extended') === 'true';
    var through = extended ? entries.getAttribute('data-through') : '';
    var url = pageUrl + (through ? (pageUrl.indexOf('?') === -1 ? '?' : '&') + 'through=' + encodeURIComponent(through) : '');
    var focused = document.activeElement;
    var focusedHref = focused && entries && entries.contains(focused) ? focused.getAttribute('href') : null;
    return fetchPage(url).then(function (html) {
      var next = parse(html);
      var fresh = next.getElementById('entries');
      if (entries && fresh) {
        var replacement = document.importNode(fresh, true);
        if (extended) replacement.setAttribute('data-extended', 'true');
        entries.replaceWith(replacement);
      } else if (entries || fresh) {
        window.location.reload();
        return;
      }
      swap(next, 'reading-status');
      swap(next, 'load-more');
      var count = document.querySelector('.item-count');
      var freshCount = next.querySelector('.item-count');
      if (freshCount && count) count.replaceWith(document.importNode(freshCount, true));
      else if (freshCount) document.querySelector('h1').after(document.importNode(freshCount, true));
      if (focusedHref) {
        var again = document.querySelector('#entries a[href="' + CSS.escape(focusedHref) + '"]');
        if (again) again.focus();
      }
      status.textContent = 'This folder was updated.';
      // The stream names the version the page shows; a page that moved on listens from there.
      var freshStatus = next.getElementById('live-status');
      var freshEvents = freshStatus && freshStatus.getAttribute('data-events');
      if (freshEvents && freshEvents !== status.getAttribute('data-events')) {
        status.setAttribute('data-events', freshEvents);
        listen(freshEvents);
      }
    });
  }

  var source;
  function listen(url) {
    if (source) source.close();
    source = new EventSource(url);
    source.addEventListener('progress', function (event) {
      var count = document.getElementById('reading-count');
      var entries = JSON.parse(event.data).entries;
      if (count && typeof entries === 'number') count.textContent = entries.toLocaleString('en-US');
    });
    source.addEventListener('changed', function () {
      refreshRows().catch(function () {
        /* the next change or a reload shows it */
      });
    });
  }
  listen(status.getAttribute('data-events'));
  window.addEventListener('pagehide', function () {
    source.close();
  });
})();
