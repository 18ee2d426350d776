/*
 * The live page: polls live.json every two seconds and redraws what the service has (sections without data stay
 * hidden) with the shared chart script. On <body> it records data-updates (answers drawn), data-charts
 * ("drawn/shown") and the first and latest sample count (data-first-samples, data-last-samples), so a headless
 * browser can tell the page is alive.
 */
(function () {
  'use strict';
  var INTERVAL_MS = 2000, updates = 0, firstSamples = null;
  var body = document.body;

  function $(id) { return document.getElementById(id); }

  function show(id, visible) { $(id).hidden = !visible; return visible; }

  function cell(row, text, numeric) {
    var td = document.createElement('td');
    td.textContent = text;
    if (numeric) { td.className = 'n'; }
    row.appendChild(td);
  }

  function table(id, header, rows) {
    var t = $(id);
    t.textContent = '';
    var h = t.insertRow();
    header.forEach(function (name) { var th = document.createElement('th'); th.textContent = name; h.appendChild(th); });
    rows.forEach(function (values) {
      var r = t.insertRow();
      values.forEach(function (v) { cell(r, typeof v === 'number' ? fmt(v) : v, typeof v === 'number'); });
    });
  }

  function fmt(v) {
    return v === null || v === undefined ? '' : Math.abs(v) >= 100 || v === Math.round(v) ? String(Math.round(v))
      : v.toFixed(3);
  }

  function last(series) { return series && series.v.length ? series.v[series.v.length - 1] : null; }

  function timeLines(figures, names, label) {
    return names.map(function (name) {
      return {name: label ? label(name) : name, x: figures[name].t, y: figures[name].v};
    });
  }

  var drawn = 0, shown = 0;
  function chart(id, spec) {
    shown++;
    if (KclipCharts.draw($(id), spec) >= 0 && $(id).querySelector('svg')) { drawn++; }
  }

  function render(d) {
    drawn = 0; shown = 0;
    $('title').textContent = 'kclip live: ' + d.service;
    document.title = 'kclip live: ' + d.service;
    $('status').textContent = 'updated ' + new Date(d.time).toTimeString().substring(0, 8) + ', ' + d.samples
      + ' samples' + (d.groupsProblem ? '; ' + d.groupsProblem : '') + (d.topicsProblem ? '; ' + d.topicsProblem : '');

    var groups = Object.keys(d.groups || {});
    if (show('stages', groups.length > 0)) {
      table('stage-table', ['consumer group (stage)', 'records/s', 'lag'], groups.map(function (g) {
        return [g, last(d.groups[g].rate), last(d.groups[g].lag)];
      }));
      chart('stage-throughput', {kind: 'lines', title: 'committed records per second', xLabel: 'time', xTime: true,
        yLabel: 'records/s', series: groups.filter(function (g) { return d.groups[g].rate; }).map(function (g) {
          return {name: g, x: d.groups[g].rate.t, y: d.groups[g].rate.v}; })});
      chart('stage-lag', {kind: 'lines', title: 'consumer lag', xLabel: 'time', xTime: true, yLabel: 'records',
        series: groups.map(function (g) { return {name: g, x: d.groups[g].lag.t, y: d.groups[g].lag.v}; })});
    }

    var rates = Object.keys(d.rates || {}), gauges = Object.keys(d.gauges || {});
    var losses = gauges.filter(function (g) { return g.indexOf('kclip.trainer.loss') === 0; });
    var others = gauges.filter(function (g) { return losses.indexOf(g) < 0; });
    if (show('meters', rates.length + others.length > 0)) {
      var counted = rates.filter(function (r) { return !/bytes|tokens/.test(r); });   // those in the table alone
      if (counted.length) {
        chart('meter-rates', {kind: 'lines', title: 'counters per second (bytes and tokens in the table)',
          xLabel: 'time', xTime: true, yLabel: 'per second', series: timeLines(d.rates, counted)});
      }
      table('gauge-table', ['meter', 'now'], rates.map(function (r) { return [r + ' /s', last(d.rates[r])]; })
        .concat(others.map(function (g) { return [g, last(d.gauges[g])]; })));
    }
    if (show('losses', losses.length > 0)) {
      chart('loss-terms', {kind: 'lines', title: 'loss terms of the latest step', xLabel: 'time', xTime: true,
        yLabel: 'loss', series: timeLines(d.gauges, losses, function (n) {
          return n.replace('kclip.trainer.loss{term=', 'L_').replace('}', ''); })});
    }

    var checkpoints = d.checkpoints || [];
    if (show('checkpoints', checkpoints.length > 0)) {
      chart('evaluation', {kind: 'evaluation', checkpoints: checkpoints});
      var newest = checkpoints[checkpoints.length - 1];
      $('follow').textContent = 'kclip checkpoints follow --bootstrap ' + d.bootstrap + ' --run-id ' + newest.runId
        + ' --to checkpoints';
      table('checkpoint-table', ['version', 'step', 'trained', 'created', 'zero-shot top-1', 'location'],
        checkpoints.slice(-5).reverse().map(function (c) {
          return [c.version, c.step, c.trained, new Date(c.created).toTimeString().substring(0, 8),
            c.metrics.zero_shot_top1 === undefined ? '' : c.metrics.zero_shot_top1, c.location];
        }));
      body.setAttribute('data-checkpoint', String(newest.version));
    }

    var concepts = d.concepts || {};
    if (show('concepts', (concepts.snapshots || []).length > 0)) {
      $('concept-summary').textContent = concepts.count + ' concepts at centroid version ' + concepts.version
        + ', ' + concepts.recordsSeen + ' records seen, temperature ' + fmt(concepts.temperature);
      chart('concept-sizes', {kind: 'concepts', snapshots: concepts.snapshots, shown: 10});
      table('concept-table', ['concept', 'weight', 'recent captions'], concepts.table.slice()
        .sort(function (a, b) { return b.weight - a.weight; })
        .map(function (c) { return [String(c.id), c.weight, (c.captions || []).join(' · ')]; }));
      body.setAttribute('data-concepts', String(concepts.count));
    }

    var windows = d.drift || [];
    if (show('drift', windows.length > 0)) {
      chart('drift-chart', {kind: 'drift', windows: windows});
      var alarms = $('alarms');
      alarms.textContent = '';
      windows.filter(function (w) { return w.level !== 'OK'; }).slice(-20).reverse().forEach(function (w) {
        var li = document.createElement('li'), code = document.createElement('code');
        li.className = w.level === 'ALERT' ? 'alarm' : 'warn';
        code.textContent = w.line;
        li.appendChild(code);
        alarms.appendChild(li);
      });
      body.setAttribute('data-drift-windows', String(windows.length));
    }

    updates++;
    if (firstSamples === null) { firstSamples = d.samples; }
    body.setAttribute('data-updates', String(updates));
    body.setAttribute('data-charts', drawn + '/' + shown);
    body.setAttribute('data-first-samples', String(firstSamples));
    body.setAttribute('data-last-samples', String(d.samples));
  }

  function poll() {
    fetch('live.json', {cache: 'no-store'})
      .then(function (r) { return r.json(); })
      .then(render)
      .catch(function (e) { $('status').textContent = 'cannot update: ' + e; })
      .then(function () { setTimeout(poll, INTERVAL_MS); });
  }

  $('copy-follow').addEventListener('click', function () {
    if (navigator.clipboard) { navigator.clipboard.writeText($('follow').textContent); }
  });
  poll();
})();
