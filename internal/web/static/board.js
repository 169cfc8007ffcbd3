// The pipeline board (/deals/board). Without this script a card's menu is
// a link to the deal's move page. With it, a deal moves in place three
// ways: dragged to another column; by keyboard, Shift+→ and Shift+← on a
// card for the next and previous stage; or through the card's menu, which
// opens the page's one "Move to…" menu beside it. Won and lost ask for
// the reason in a dialog, the server answers with the columns' new counts
// and sums, the live region says what happened, and a refused move puts
// the card back and says why.
(function () {
  'use strict';

  var board = document.getElementById('deals-board');
  if (!board) {
    return;
  }
  var csrf = board.dataset.csrf;
  var status = document.getElementById('deals-status');
  var dialog = document.getElementById('deals-reason');
  var menu = document.getElementById('deals-menu');
  var keys = document.getElementById('deals-keys');
  var canFetch = typeof window.fetch === 'function';
  // A read-only user's board shows the deals and moves none.
  var canMove = board.hasAttribute('data-can-move');

  // say writes to the live region. Emptying it first makes a screen
  // reader announce the same words twice in a row (two moves to one stage).
  function say(message, isError) {
    status.textContent = '';
    status.classList.toggle('form-error', Boolean(isError));
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function columnOf(el) {
    return el.closest('.deals-column');
  }

  function listOf(stageID) {
    return board.querySelector('.deals-cards[data-stage-id="' + stageID + '"]');
  }

  function movePage(card) {
    var link = card.querySelector('.deals-card-menu');
    return link ? link.href : '/deals/' + card.dataset.dealId + '/move';
  }

  // askReason resolves to the reason typed ('' for open stages), or null
  // when the user cancels. Browsers without <dialog> get the move page.
  function askReason(kind) {
    if (kind !== 'won' && kind !== 'lost') {
      return Promise.resolve('');
    }
    if (!dialog || typeof dialog.showModal !== 'function') {
      return Promise.resolve(undefined);
    }
    var title = dialog.querySelector('#deals-reason-title');
    var label = dialog.querySelector('label[for="deals-reason-text"]');
    var text = dialog.querySelector('#deals-reason-text');
    var error = dialog.querySelector('#deals-reason-error');
    title.textContent = title.dataset['title' + (kind === 'won' ? 'Won' : 'Lost')];
    label.textContent = label.dataset['label' + (kind === 'won' ? 'Won' : 'Lost')];
    text.value = '';
    text.required = kind === 'lost';
    error.hidden = true;
    return new Promise(function (resolve) {
      var form = dialog.querySelector('form');
      function onSubmit(event) {
        var choice = event.submitter ? event.submitter.value : 'move';
        if (choice === 'move' && kind === 'lost' && text.value.trim() === '') {
          event.preventDefault();
          error.hidden = false;
          text.focus();
          return;
        }
        form.removeEventListener('submit', onSubmit);
        dialog.removeEventListener('cancel', onCancel);
        resolve(choice === 'move' ? text.value.trim() : null);
      }
      function onCancel() {
        form.removeEventListener('submit', onSubmit);
        dialog.removeEventListener('cancel', onCancel);
        resolve(null);
      }
      form.addEventListener('submit', onSubmit);
      dialog.addEventListener('cancel', onCancel);
      dialog.showModal();
      text.focus();
    });
  }

  function post(card, stageID, reason) {
    var body = new URLSearchParams();
    body.set('csrf_token', csrf);
    body.set('stage_id', stageID);
    body.set('version', card.dataset.version);
    body.set('lost_reason', reason);
    body.set('confirm', '1');
    body.set('owner', board.dataset.owner || '');
    return fetch('/deals/' + card.dataset.dealId + '/move', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json' },
      body: body
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (answer) {
        if (!res.ok) {
          throw new Error(answer.message || board.dataset.msgFailed);
        }
        return answer;
      });
    });
  }

  function showColumns(columns) {
    columns.forEach(function (col) {
      var section = board.querySelector('.deals-column[data-stage-id="' + col.stage_id + '"]');
      if (!section) {
        return;
      }
      section.querySelector('[data-deals-count]').textContent = col.count_text;
      var sum = section.querySelector('[data-deals-sum]');
      sum.textContent = '';
      col.totals.forEach(function (text, i) {
        if (i > 0) {
          sum.appendChild(document.createElement('br'));
        }
        var span = document.createElement('span');
        span.textContent = text;
        sum.appendChild(span);
      });
    });
  }

  // move asks for a reason when the stage needs one, then moves the deal.
  // putBack restores the card when the move does not happen.
  function move(card, stageID, kind, putBack) {
    askReason(kind).then(function (reason) {
      if (reason === null) {
        putBack();
        return;
      }
      if (reason === undefined || !canFetch) {
        window.location.href = movePage(card);
        return;
      }
      card.setAttribute('aria-busy', 'true');
      return post(card, stageID, reason).then(function (answer) {
        card.dataset.version = answer.version;
        showColumns(answer.columns);
        say(answer.message, false);
      }).catch(function (err) {
        putBack();
        say(err.message || board.dataset.msgFailed, true);
      }).finally(function () {
        card.removeAttribute('aria-busy');
      });
    });
  }

  // sortKey orders cards as the server does: by close date, undated last,
  // then by ID.
  function sortKey(card) {
    var date = card.querySelector('time');
    var id = ('000000000000' + card.dataset.dealId).slice(-12);
    return (date ? date.getAttribute('datetime') : '9999-12-31') + ' ' + id;
  }

  // moveTo puts the card in another column where a reload would show it,
  // moves the deal, and keeps the keyboard's focus on what had it (or on
  // focusEl); a refused move brings the card back.
  function moveTo(card, stageID, focusEl) {
    var from = card.parentElement;
    var target = listOf(stageID);
    if (!target || target === from) {
      return;
    }
    var oldNext = card.nextElementSibling;
    var focus = focusEl || (card.contains(document.activeElement) ? document.activeElement : null);
    var key = sortKey(card);
    var before = Array.prototype.find.call(target.children, function (other) {
      return sortKey(other) > key;
    });
    target.insertBefore(card, before || null);
    if (focus) {
      focus.focus();
    }
    move(card, stageID, columnOf(target).dataset.stageKind, function () {
      from.insertBefore(card, oldNext);
      if (focus) {
        focus.focus();
      }
    });
  }

  // Dragging between columns. On a touch screen a card is held a moment
  // before it drags, so that a swipe scrolls the board.
  if (window.Sortable && canMove) {
    board.querySelectorAll('.deals-cards').forEach(function (list) {
      window.Sortable.create(list, {
        group: 'deals',
        animation: 150,
        emptyInsertThreshold: 40,
        delay: 200,
        delayOnTouchOnly: true,
        filter: '.deals-card-menu',
        preventOnFilter: false,
        onStart: closeMenu,
        onEnd: function (evt) {
          var card = evt.item;
          var from = evt.from;
          var oldIndex = evt.oldIndex;
          function putBack() {
            from.insertBefore(card, from.children[oldIndex] || null);
          }
          if (evt.to === from) {
            if (evt.newIndex !== oldIndex) {
              // Cards keep the close-date order; a drop within the column changes nothing.
              putBack();
            }
            return;
          }
          var column = columnOf(evt.to);
          move(card, column.dataset.stageId, column.dataset.stageKind, putBack);
        }
      });
    });
  }

  // The card menu: one list of stages for the whole page, opened beside
  // the card's button.
  var menuCard = null;
  var menuButton = null;
  var openingKey = false;
  var items = menu ? Array.prototype.slice.call(menu.querySelectorAll('[role="menuitem"]')) : [];

  function placeMenu() {
    var r = menuButton.getBoundingClientRect();
    var w = menu.offsetWidth;
    var h = menu.offsetHeight;
    var left = Math.min(r.right - w, window.innerWidth - w - 8);
    var top = r.bottom + 4;
    if (top + h > window.innerHeight - 8) {
      top = Math.max(8, r.top - h - 4);
    }
    menu.style.left = Math.max(8, left) + 'px';
    menu.style.top = top + 'px';
  }

  function openMenu(button) {
    closeMenu();
    menuButton = button;
    menuCard = button.closest('.deals-card');
    var current = menuCard.parentElement.dataset.stageId;
    items.forEach(function (item) {
      item.setAttribute('aria-disabled', String(item.dataset.stageId === current));
      item.tabIndex = -1;
    });
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    placeMenu();
    var first = items.find(function (item) { return item.getAttribute('aria-disabled') !== 'true'; }) || items[0];
    first.focus();
  }

  function closeMenu(returnFocus) {
    if (!menu || menu.hidden) {
      return;
    }
    menu.hidden = true;
    menuButton.setAttribute('aria-expanded', 'false');
    if (returnFocus === true) {
      menuButton.focus();
    }
    menuCard = null;
  }

  if (menu && canFetch) {
    // The card's link to the move page becomes the menu's button.
    board.querySelectorAll('.deals-card-menu').forEach(function (link) {
      link.setAttribute('role', 'button');
      link.setAttribute('aria-haspopup', 'menu');
      link.setAttribute('aria-controls', 'deals-menu');
      link.setAttribute('aria-expanded', 'false');
    });
    board.addEventListener('click', function (event) {
      var button = event.target.closest('.deals-card-menu');
      if (!button) {
        return;
      }
      event.preventDefault();
      if (menuButton === button && !menu.hidden) {
        closeMenu(true);
      } else {
        openMenu(button);
      }
    });
    // The key that opened the menu must not also press its first item,
    // as it can when its keypress lands there (a click with no mouse).
    document.addEventListener('keyup', function () { openingKey = false; }, true);
    menu.addEventListener('click', function (event) {
      var item = event.target.closest('[role="menuitem"]');
      if (!item || item.getAttribute('aria-disabled') === 'true' || openingKey && event.detail === 0) {
        return;
      }
      var card = menuCard;
      var button = menuButton;
      closeMenu(true);
      moveTo(card, item.dataset.stageId, button);
    });
    menu.addEventListener('keydown', function (event) {
      var i = items.indexOf(document.activeElement);
      var next = null;
      switch (event.key) {
        case 'ArrowDown': next = items[(i + 1) % items.length]; break;
        case 'ArrowUp': next = items[(i - 1 + items.length) % items.length]; break;
        case 'Home': next = items[0]; break;
        case 'End': next = items[items.length - 1]; break;
        case 'Escape': event.preventDefault(); closeMenu(true); return;
        case 'Tab': closeMenu(true); return;
        default: return;
      }
      event.preventDefault();
      next.focus();
    });
    document.addEventListener('click', function (event) {
      if (!menu.hidden && !menu.contains(event.target) && !event.target.closest('.deals-card-menu')) {
        closeMenu(false);
      }
    });
    window.addEventListener('resize', function () { if (!menu.hidden) { placeMenu(); } });
    document.addEventListener('scroll', function () { if (!menu.hidden) { placeMenu(); } }, true);
  }

  // The keyboard: Shift+→ and Shift+← move the focused card to the next
  // and previous stage; ↑ and ↓ go to the card above or below; Enter or
  // Space on a card's menu button opens the menu.
  function cards(list) {
    return Array.prototype.slice.call(list.children);
  }

  board.addEventListener('keydown', function (event) {
    var card = event.target.closest('.deals-card');
    if (!card || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    if ((event.key === 'Enter' || event.key === ' ') && !event.shiftKey && event.target.getAttribute('aria-haspopup') === 'menu') {
      // Opened here, not by the link's click: the same Enter would
      // otherwise go on to press the menu's first item.
      event.preventDefault();
      openMenu(event.target);
      openingKey = true;
      return;
    }
    if (event.shiftKey && (event.key === 'ArrowRight' || event.key === 'ArrowLeft') && canMove) {
      event.preventDefault();
      if (!canFetch || card.getAttribute('aria-busy') === 'true') {
        return;
      }
      var columns = Array.prototype.slice.call(board.querySelectorAll('.deals-column'));
      var at = columns.indexOf(columnOf(card));
      var to = columns[at + (event.key === 'ArrowRight' ? 1 : -1)];
      if (!to) {
        say(event.key === 'ArrowRight' ? board.dataset.msgLast : board.dataset.msgFirst, false);
        return;
      }
      moveTo(card, to.dataset.stageId);
      return;
    }
    if (!event.shiftKey && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      var list = cards(card.parentElement);
      var other = list[list.indexOf(card) + (event.key === 'ArrowDown' ? 1 : -1)];
      if (other) {
        event.preventDefault();
        other.querySelector('.deals-card-name').focus();
      }
    }
  });

  if (keys && canFetch && canMove) {
    keys.hidden = false;
  }
})();
