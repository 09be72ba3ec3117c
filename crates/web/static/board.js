// 监察中心: new warnings and findings arrive by server-sent events and are put at the top of
// their lists, marked 新; each burst is followed by the board's figures (as the JSON board API
// gives them), which replace the numbers on the page. Without this script the page is the
// same, only reloaded by hand (or every minute).
(function () {
  'use strict';
  var board = document.querySelector('[data-board]');
  if (!board || !window.EventSource) return;
  var live = board.querySelector('[data-live]');
  var query = board.getAttribute('data-query') || '';
  var KEEP = 50;
  var FIGURES = ['open', 'yellow', 'red', 'received', 'accepted', 'decided'];
  var LIGHTS = { green: '正常', yellow: '黄灯预警', red: '红灯超期' };
  var target = 90;
  var day = (board.querySelector('[data-day]') || {}).textContent || '';

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text != null) e.textContent = String(text);
    return e;
  }
  function td(label, content) {
    var cell = el('td');
    if (label) cell.setAttribute('data-label', label);
    if (content instanceof Node) cell.appendChild(content);
    else cell.textContent = content == null ? '' : String(content);
    return cell;
  }
  function link(href, text) {
    var a = el('a', null, text);
    // Only the site's own pages.
    a.href = /^\/(cases|supervision|hotline|disclosure|ratings)\//.test(href) ? href : '#';
    return a;
  }
  function marked(text) {
    var frag = document.createDocumentFragment();
    frag.appendChild(document.createTextNode(text + ' '));
    frag.appendChild(el('span', 'new-mark', '新'));
    return frag;
  }
  function flash(node) {
    node.classList.remove('changed');
    void node.offsetWidth; // restart the animation
    node.classList.add('changed');
  }

  // --- new warnings and findings ---------------------------------------------------------
  function prepend(list, row) {
    var body = board.querySelector('[data-list="' + list + '"]');
    if (!body) return;
    var empty = board.querySelector('[data-empty="' + list + '"]');
    if (empty) empty.hidden = true;
    var table = body.closest('table');
    if (table) table.hidden = false;
    row.classList.add('new');
    body.insertBefore(row, body.firstChild);
    while (body.rows.length > KEEP) body.deleteRow(-1);
  }
  function findingRow(f) {
    var tr = el('tr');
    tr.setAttribute('data-finding', String(f.id));
    tr.appendChild(td('时间', marked(f.at)));
    tr.appendChild(td('规则', el('span', 'rule', f.rule_label)));
    tr.appendChild(td('办件', link(f.href, f.shown)));
    tr.appendChild(td('部门', f.department));
    tr.appendChild(td('情况', f.detail));
    return tr;
  }
  function warningRow(w) {
    var tr = el('tr');
    tr.setAttribute('data-warning', String(w.id));
    var light = w.light === 'red' ? 'red' : 'yellow';
    tr.appendChild(td('时间', marked(w.at)));
    tr.appendChild(td('灯色', el('span', 'light ' + light, w.light_label)));
    tr.appendChild(td('办件', link(w.href, w.shown)));
    tr.appendChild(td('期限', w.label));
    tr.appendChild(td('部门', w.department));
    tr.appendChild(td('大厅', w.hall));
    return tr;
  }

  // --- figures -----------------------------------------------------------------------------
  function rateText(f) {
    return f.on_the_spot_rate == null ? '—' : f.on_the_spot_rate.toFixed(1) + '%';
  }
  function below(f) {
    return f.on_the_spot_rate != null && f.on_the_spot_rate < target;
  }
  function setFigures(scope, f) {
    if (!scope || !f) return;
    FIGURES.forEach(function (k) {
      var node = scope.querySelector('[data-figure="' + k + '"]');
      if (node && node.textContent !== String(f[k])) {
        node.textContent = String(f[k]);
        flash(node);
      }
    });
    var rate = scope.querySelector('[data-figure="rate"]');
    if (rate) {
      rate.textContent = rateText(f);
      (rate.closest('.rate') || rate).classList.toggle('below', below(f));
    }
  }

  // The drill-down behind a line's number, as the page links it: the board's filters, the
  // line's own scope, the light, and for the day's tallies the day's filings.
  function drill(scope, id, light, dated) {
    var p = new URLSearchParams(query);
    ['day', 'item', 'light', 'from', 'to'].forEach(function (k) { p.delete(k); });
    p.set(scope, String(id));
    if (light) p.set('light', light);
    if (dated && day) { p.set('from', day); p.set('to', day); }
    return '/supervision/cases?' + p.toString();
  }
  function lineRow(scope, l, old) {
    var f = l.figures;
    var tr = el('tr', 'light-row ' + (LIGHTS[f.light] ? f.light : 'green'));
    tr.setAttribute('data-line', scope + '-' + l.id);
    var th = el('th', null, l.name);
    th.setAttribute('scope', 'row');
    tr.appendChild(th);
    [['open', '', false], ['yellow', 'yellow', false], ['red', 'red', false],
      ['received', '', true], ['accepted', '', true], ['decided', '', true]].forEach(function (c) {
      var a = link(drill(scope, l.id, c[1], c[2]), f[c[0]]);
      a.setAttribute('data-figure', c[0]);
      var was = old && old.querySelector('[data-figure="' + c[0] + '"]');
      if (old && (!was || was.textContent !== String(f[c[0]]))) a.classList.add('changed');
      var cell = td(null, a);
      if (c[0] === 'yellow') cell.className = 'n-yellow';
      if (c[0] === 'red') cell.className = 'n-red';
      tr.appendChild(cell);
    });
    var rate = td(null, rateText(f));
    rate.setAttribute('data-figure', 'rate');
    rate.className = 'rate' + (below(f) ? ' below' : '');
    tr.appendChild(rate);
    return tr;
  }
  function setLines(kind, scope, lines) {
    var body = board.querySelector('[data-lines="' + kind + '"]');
    if (!body || !lines) return;
    var rows = lines.map(function (l) {
      return lineRow(scope, l, body.querySelector('[data-line="' + scope + '-' + l.id + '"]'));
    });
    while (body.firstChild) body.removeChild(body.firstChild);
    rows.forEach(function (r) { body.appendChild(r); });
    var empty = board.querySelector('[data-empty="' + kind + '"]');
    if (empty) empty.hidden = rows.length > 0;
    var table = body.closest('table');
    if (table) table.hidden = rows.length === 0;
  }

  function update(b) {
    if (!b || !b.totals) return;
    target = b.on_the_spot_target || target;
    if (b.day && b.day !== day) {
      day = b.day;
      var shown = board.querySelector('[data-day]');
      if (shown) shown.textContent = day;
      var input = board.querySelector('[data-day-input]');
      if (input && !new URLSearchParams(query).get('day')) input.value = day;
    }
    setFigures(board.querySelector('[data-line="totals"]'), b.totals);
    setLines('departments', 'department', b.departments);
    setLines('halls', 'hall', b.halls);
    (b.regions || []).forEach(function (r) {
      var li = board.querySelector('[data-region="' + r.code + '"]');
      setFigures(li, r.figures);
      var badge = li && li.querySelector('.light');
      if (badge && LIGHTS[r.light]) {
        badge.className = 'light ' + r.light;
        badge.textContent = LIGHTS[r.light];
      }
    });
    var at = board.querySelector('[data-at]');
    var d = b.at ? new Date(b.at) : null;
    if (at && d && !isNaN(d)) {
      at.textContent = d.toLocaleString('zh-CN', {
        timeZone: 'Asia/Shanghai', hour12: false, year: 'numeric', month: '2-digit',
        day: '2-digit', hour: '2-digit', minute: '2-digit',
      }).replace(/\//g, '-');
    }
  }

  // --- the stream --------------------------------------------------------------------------
  function json(e) {
    try { return JSON.parse(e.data); } catch (_) { return null; }
  }
  // It follows the page's own filters, so its figures are the page's figures.
  var source = new EventSource('/supervision/stream' + (query ? '?' + query : ''));
  function status(on, text) {
    if (!live) return;
    live.hidden = false;
    live.classList.toggle('off', !on);
    live.textContent = text;
  }
  source.addEventListener('open', function () { status(true, '● 实时更新中'); });
  // The browser reconnects by itself, resuming after the last event it got; it gives up when
  // the answer is not a stream (the session has ended), and the page says so.
  source.addEventListener('error', function () {
    if (source.readyState === EventSource.CLOSED) status(false, '○ 实时更新已断开，请刷新页面或重新登录');
    else status(false, '○ 正在重新连接…');
  });
  [['finding', findingRow], ['warning', warningRow]].forEach(function (kind) {
    source.addEventListener(kind[0], function (e) {
      var data = json(e);
      if (!data || board.querySelector('[data-' + kind[0] + '="' + data.id + '"]')) return;
      prepend(kind[0] + 's', kind[1](data));
    });
  });
  source.addEventListener('figures', function (e) { update(json(e)); });
})();
