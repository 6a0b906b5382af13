// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';

  // The page's words for what this script says (<body data-messages>), in the page's language.
  var messages = JSON.parse(document.body.getAttribute('data-messages') || '{}');
  var language = document.documentElement.lang || 'en';

  function fill(text, values) {
    return String(text || '').replace(/\{(\w+)\}/g, function (placeholder, name) {
      return name in values ? values[name] : placeholder;
    });
  }

  var numbers = new Intl.NumberFormat(language);
  var plurals = new Intl.PluralRules(language);
  function formatNumber(value) {
    return numbers.format(value);
  }

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
    button.textContent = messages.loading || button.textContent;
    var url = nextPageUrl(form);
    fetchPage(url)
      .then(function (html) {
        var next = parse(html);
        var added = 0;
        next.querySelectorAll('#entries > tr, #entries > li').forEach(function (row) {
          var imported = document.importNode(row, true);
          showLocalTimes(imported);
          entries.appendChild(imported);
          added += 1;
        });
        var nextEntries = next.getElementById('entries');
        if (nextEntries) entries.setAttribute('data-through', nextEntries.getAttribute('data-through') || '');
        entries.setAttribute('data-extended', 'true');
        rememberLoadedRows(entries, added);
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

  // After "Load more" the address says how far the list goes (?through=<the last row's cursor>),
  // so that Back and Reload show every loaded row (the server renders them, and the browser puts
  // the scroll place back); a screen reader hears how many rows came, not the whole list.
  function rememberLoadedRows(entries, added) {
    var status = document.getElementById('live-status');
    var pageUrl = status && status.getAttribute('data-page');
    var through = entries.getAttribute('data-through');
    if (pageUrl && through && window.location.search.indexOf('cursor=') === -1) {
      history.replaceState(history.state, '', pageUrl + (pageUrl.indexOf('?') === -1 ? '?' : '&') + 'through=' + encodeURIComponent(through));
    }
    var shown = document.getElementById('shown-count');
    if (shown) {
      shown.textContent = fill(messages.shown, { shown: formatNumber(entries.children.length), total: formatNumber(Number(shown.getAttribute('data-total'))) });
    }
    if (status) {
      var form = plurals.select(added) === 'one' ? messages.loadedOne : messages.loadedOther;
      status.textContent = fill(form, { count: formatNumber(added) });
    }
  }

  // Exact times: the server writes them in UTC (<time datetime>); here they become the reader's
  // own time zone, in the page's language.
  var days = new Intl.DateTimeFormat(language, { dateStyle: 'medium' });
  var clocks = new Intl.DateTimeFormat(language, { timeStyle: 'short' });
  function showLocalTimes(root) {
    root.querySelectorAll('time[datetime]').forEach(function (element) {
      var moment = new Date(element.getAttribute('datetime'));
      if (Number.isNaN(moment.getTime())) return;
      var day = element.querySelector('.day');
      var clock = element.querySelector('.clock');
      if (day && clock) {
        day.textContent = days.format(moment);
        clock.textContent = clocks.format(moment);
      } else {
        element.textContent = days.format(moment) + ', ' + clocks.format(moment);
      }
      element.setAttribute('data-local', 'true');
    });
  }
  showLocalTimes(document);

  // While the next page loads (a folder, a file, search results), a bar at the top says so.
  function showBusyNavigation() {
    document.addEventListener('click', function (event) {
      var link = event.target.closest && event.target.closest('a[href]');
      if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      if (link.target || link.hasAttribute('download') || link.origin !== window.location.origin) return;
      if (!/^\/(browse|file|search)(\/|\?|$)/.test(link.pathname)) return;
      if (link.pathname === window.location.pathname && link.search === window.location.search) return;
      markNavigating();
    });
    document.addEventListener('submit', function (event) {
      if (!event.defaultPrevented && event.target.getAttribute('role') === 'search') markNavigating();
    });
    // Back from the next page can show this one from the browser's memory: no longer busy.
    window.addEventListener('pageshow', function () {
      document.documentElement.classList.remove('navigating');
    });
  }
  function markNavigating() {
    document.documentElement.classList.add('navigating');
    var status = document.getElementById('navigation-status');
    if (status) status.textContent = messages.opening || '';
  }
  showBusyNavigation();

  // Keyboard shortcuts (listed in the dialog "?" opens): "/" search, arrows or j/k through the
  // rows, Enter opens (links do that), Backspace or Alt+ArrowUp to the parent folder. Never
  // while typing in a field, and never with Ctrl or Meta (the browser's own shortcuts).
  function entryLinks() {
    return Array.prototype.slice.call(document.querySelectorAll('#entries td.name a, #entries > li > a'));
  }
  function isTyping(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  function moveThroughRows(step) {
    var links = entryLinks();
    if (links.length === 0) return false;
    var at = links.indexOf(document.activeElement);
    var next = at === -1 ? (step > 0 ? 0 : links.length - 1) : Math.min(Math.max(at + step, 0), links.length - 1);
    links[next].focus();
    links[next].scrollIntoView({ block: 'nearest' });
    return true;
  }
  function goToParent() {
    var breadcrumb = document.querySelector('nav.breadcrumb[data-parent]');
    if (!breadcrumb) return false;
    markNavigating();
    window.location.href = breadcrumb.getAttribute('data-parent');
    return true;
  }
  function keyboardShortcuts() {
    var dialog = document.getElementById('shortcuts');
    var opener = document.getElementById('shortcuts-open');
    if (dialog && opener && typeof dialog.showModal === 'function') {
      opener.hidden = false;
      opener.addEventListener('click', function () {
        dialog.showModal();
      });
    }
    document.addEventListener('keydown', function (event) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || isTyping(event.target)) return;
      if (dialog && dialog.open) return;
      var inList = document.activeElement === document.body || entryLinks().indexOf(document.activeElement) !== -1;
      var handled = false;
      if (event.altKey) {
        if (event.key === 'ArrowUp') handled = goToParent();
      } else if (event.key === '/') {
        var search = document.getElementById('search-q');
        if (search) {
          search.focus();
          search.select();
          handled = true;
        }
      } else if (event.key === 'j' || (event.key === 'ArrowDown' && inList)) {
        handled = moveThroughRows(1);
      } else if (event.key === 'k' || (event.key === 'ArrowUp' && inList)) {
        handled = moveThroughRows(-1);
      } else if (event.key === 'Backspace') {
        handled = goToParent();
      } else if (event.key === '?' && dialog && typeof dialog.showModal === 'function') {
        dialog.showModal();
        handled = true;
      }
      if (handled) event.preventDefault();
    });
  }
  keyboardShortcuts();

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
        showLocalTimes(replacement);
        if (extended) replacement.setAttribute('data-extended', 'true');
        entries.replaceWith(replacement);
      } else if (entries || fresh) {
        window.location.reload();
        return;
      }
      swap(next, 'reading-status');
      swap(next, 'load-more');
      swap(next, 'shown-count');
      var count = document.querySelector('.item-count');
      var freshCount = next.querySelector('.item-count');
      if (freshCount && count) count.replaceWith(document.importNode(freshCount, true));
      else if (freshCount) document.querySelector('h1').after(document.importNode(freshCount, true));
      if (focusedHref) {
        var again = document.querySelector('#entries a[href="' + CSS.escape(focusedHref) + '"]');
        if (again) again.focus();
      }
      status.textContent = messages.updated;
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
      if (count && typeof entries === 'number') count.textContent = formatNumber(entries);
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
