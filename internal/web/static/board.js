// The pipeline board (/deals/board): drag a card to another column, or use
// the card's stage menu, to move a deal. Without this script every card's
// menu is a plain form that posts to /deals/{id}/move; with it, the same
// move happens in place: won and lost ask for the reason in a dialog, the
// server answers with the columns' new counts and sums, and a refused move
// puts the card back and says why.
(function () {
  'use strict';

  var board = document.getElementById('deals-board');
  if (!board) {
    return;
  }
  var csrf = board.dataset.csrf;
  var status = document.getElementById('deals-status');
  var dialog = document.getElementById('deals-reason');

  function say(message, isError) {
    status.textContent = message;
    status.classList.toggle('form-error', Boolean(isError));
  }

  function columnOf(el) {
    return el.closest('.deals-column');
  }

  function listOf(stageID) {
    return board.querySelector('.deals-cards[data-stage-id="' + stageID + '"]');
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

  // submitForm moves the deal the way the page works without this script:
  // a form post, answered with the board again or the reason page.
  function submitForm(card, stageID) {
    var form = card.querySelector('form.deals-move');
    if (!form) {
      return;
    }
    form.querySelector('select[name="stage_id"]').value = stageID;
    form.submit();
  }

  function post(card, stageID, reason) {
    var body = new URLSearchParams();
    body.set('csrf_token', csrf);
    body.set('stage_id', stageID);
    body.set('version', card.dataset.version);
    body.set('lost_reason', reason);
    body.set('confirm', '1');
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
      if (reason === undefined || typeof window.fetch !== 'function') {
        submitForm(card, stageID);
        return;
      }
      card.setAttribute('aria-busy', 'true');
      return post(card, stageID, reason).then(function (answer) {
        card.dataset.version = answer.version;
        var version = card.querySelector('input[name="version"]');
        if (version) {
          version.value = answer.version;
        }
        var select = card.querySelector('select[name="stage_id"]');
        if (select) {
          select.value = stageID;
        }
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

  // Dragging between columns.
  if (window.Sortable) {
    board.querySelectorAll('.deals-cards').forEach(function (list) {
      window.Sortable.create(list, {
        group: 'deals',
        animation: 150,
        emptyInsertThreshold: 40,
        filter: 'select, button, input, textarea',
        preventOnFilter: false,
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

  // The card menu: the keyboard's (and the screen reader's) way to move.
  board.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.classList.contains('deals-move')) {
      return;
    }
    var card = form.closest('.deals-card');
    var select = form.querySelector('select[name="stage_id"]');
    var from = card.parentElement;
    var stageID = select.value;
    if (from.dataset.stageId === stageID) {
      event.preventDefault();
      return;
    }
    var target = listOf(stageID);
    if (!target || typeof window.fetch !== 'function') {
      return; // the form posts as it would without this script
    }
    event.preventDefault();
    var oldNext = card.nextElementSibling;
    move(card, stageID, columnOf(target).dataset.stageKind, function () {
      from.insertBefore(card, oldNext);
      select.value = from.dataset.stageId;
      select.focus();
    });
    // The card joins its new column at once (keeping the keyboard's focus
    // on its menu); a refused move brings it back.
    target.insertBefore(card, target.firstElementChild);
    select.focus();
  });
})();
