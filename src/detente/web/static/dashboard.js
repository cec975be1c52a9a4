// detente dashboard: the one script of the pages.
// - A search box with data-filter="ID" hides the rows of table ID that do not contain its words.
// - The review form of an event page (form#review) posts the reviewer's correction to the API
//   with the reviewer's token, kept for the tab's session only, and says what became of it; so
//   do the merge and split forms of an incident page (form#merge, form#split).
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('input[data-filter]').forEach(function (box) {
    var table = document.getElementById(box.getAttribute('data-filter'));
    if (!table) { return; }
    var rows = table.querySelectorAll('tbody tr');
    box.addEventListener('input', function () {
      var words = box.value.toLowerCase();
      rows.forEach(function (row) {
        row.style.display = row.textContent.toLowerCase().indexOf(words) >= 0 ? '' : 'none';
      });
    });
  });
  var form = document.getElementById('review');
  if (form) { reviewForm(form); }
  ['merge', 'split'].forEach(function (name) {
    var incidentForm = document.getElementById(name);
    if (incidentForm) { mergeOrSplit(incidentForm); }
  });
});

function codes(text) {
  return text.split(/[\s;,]+/).filter(function (c) { return c; }).map(function (c) {
    return c.toUpperCase();
  });
}

function reviewBody(form) {
  var body = { comment: form.elements.comment.value.trim() };
  if (form.elements.wrong.checked) {
    body.wrong = true;
    return body;
  }
  ['event', 'status', 'date'].forEach(function (name) {
    var value = form.elements[name].value.trim();
    if (value) { body[name] = value; }
  });
  ['actor', 'recipient'].forEach(function (name) {
    var given = codes(form.elements[name].value);
    if (given.length) { body[name] = given; }
  });
  return body;
}

function said(result, how) {
  // mark the line under a form as stored ('done'), refused, or neither ('')
  result.classList.remove('done', 'refused');
  if (how) { result.classList.add(how); }
}

function remembered(token) {
  try { token.value = window.sessionStorage.getItem('detente-token') || ''; } catch (e) { /* private mode */ }
}

function send(url, token, body, result) {
  // post one review with the token; say under the form what became of it, reload when stored
  try { window.sessionStorage.setItem('detente-token', token.value); } catch (e) { /* private mode */ }
  result.textContent = 'Storing…';
  said(result, '');
  fetch(url, {
    method: 'POST',
    headers: { 'Authorization': 'Bearer ' + token.value.trim(), 'Content-Type': 'application/json' },
    body: JSON.stringify(body)
  }).then(function (answer) {
    return answer.json().then(function (data) { return { ok: answer.ok, data: data }; });
  }).then(function (got) {
    if (got.ok) {
      result.textContent = 'Review ' + got.data.id + ' stored (' + got.data.action + ').';
      said(result, 'done');
      window.setTimeout(function () { window.location.reload(); }, 800);
    } else {
      var error = got.data && got.data.error ? got.data.error : { status: '?', detail: 'refused' };
      result.textContent = 'Not stored (' + error.status + '): ' + error.detail;
      said(result, 'refused');
    }
  }).catch(function () {
    result.textContent = 'Not stored: the server did not answer.';
    said(result, 'refused');
  });
}

function reviewForm(form) {
  var result = document.getElementById('review-result');
  var token = form.elements.token;
  remembered(token);
  form.addEventListener('submit', function (submitted) {
    submitted.preventDefault();
    var body = reviewBody(form);
    if (!body.wrong && Object.keys(body).length === 1) {
      result.textContent = 'Nothing to change: tick "wrong" or choose what to change.';
      return;
    }
    var url = '/api/v1/events/' + encodeURIComponent(form.getAttribute('data-event')) + '/reviews';
    send(url, token, body, result);
  });
}

function mergeOrSplit(form) {
  var result = form.querySelector('.result');
  var token = form.elements.token;
  var action = form.getAttribute('data-action');
  remembered(token);
  form.addEventListener('submit', function (submitted) {
    submitted.preventDefault();
    var body = { comment: form.elements.comment.value.trim() };
    if (action === 'merge') {
      body['with'] = form.elements['with'].value.trim();
    } else {
      body.events = Array.prototype.map.call(
        form.querySelectorAll('input[name=events]:checked'), function (box) { return box.value; });
      if (!body.events.length) {
        result.textContent = 'Nothing to split off: tick the reports to take out.';
        said(result, 'refused');
        return;
      }
    }
    var url = '/api/v1/incidents/' + encodeURIComponent(form.getAttribute('data-incident')) + '/' + action;
    send(url, token, body, result);
  });
}
