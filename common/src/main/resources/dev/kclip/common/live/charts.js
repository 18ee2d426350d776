/*
 * kclip charts: line charts (with highlighted x ranges), stacked areas and heat maps drawn as inline SVG, with no
 * library. One script for both pages that show charts: the live page at a service's metrics port loads it from
 * /charts.js, the demo's static report carries it inline. Each chart is described by a plain object (a "spec")
 * whose `kind` is "lines", "stacked" or "heatmap", or one of the pipeline's own charts built on them ("evaluation"
 * per checkpoint, "concepts" sizes, "drift" per window), which take the records' figures as they are; KclipCharts.draw(element, spec) replaces the element's content
 * with the chart and records on the element how many marks it drew (data-drawn), so a headless browser can tell.
 */
var KclipCharts = (function () {
  'use strict';
  var SVG_NS = 'http://www.w3.org/2000/svg';   // a namespace name, not something fetched
  var WIDTH = 760, HEIGHT = 320;
  var PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
    '#bcbd22', '#17becf', '#aec7e8'];
  var MARGIN = {left: 64, right: 16, top: 54, bottom: 44};

  function node(parent, name, attributes, text) {
    var e = document.createElementNS(SVG_NS, name);
    for (var a in attributes) {
      e.setAttribute(a, attributes[a]);
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    parent.appendChild(e);
    return e;
  }

  function finite(v) {
    return typeof v === 'number' && isFinite(v);
  }

  /** About five round tick values covering [lo, hi]. */
  function ticks(lo, hi) {
    if (hi <= lo) {
      hi = lo + 1;
    }
    var raw = (hi - lo) / 5, mag = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10)), f = raw / mag;
    var step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag, out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
      out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return out;
  }

  function label(v, time) {
    if (time) {
      return new Date(v).toTimeString().substring(0, 8);
    }
    var a = Math.abs(v);
    return a >= 1e6 ? (v / 1e6).toFixed(1) + 'M' : a >= 1e4 ? (v / 1e3).toFixed(0) + 'k'
      : a >= 100 || v === Math.round(v) ? String(Math.round(v)) : a >= 1 ? v.toFixed(1) : v.toPrecision(2);
  }

  function svgFor(element, height) {
    element.textContent = '';
    return node(element, 'svg', {viewBox: '0 0 ' + WIDTH + ' ' + height, width: WIDTH, height: height,
      role: 'img', 'font-family': 'system-ui,sans-serif', 'font-size': 11});
  }

  function title(svg, text) {
    node(svg, 'text', {x: WIDTH / 2, y: 18, 'text-anchor': 'middle', 'font-size': 15, 'font-weight': 'bold'}, text || '');
  }

  function legend(svg, names) {
    var x = MARGIN.left, y = 36;
    names.forEach(function (name, i) {
      var width = 24 + 6.8 * name.length;
      if (x + width > WIDTH - MARGIN.right) {
        x = MARGIN.left;
        y += 13;
      }
      node(svg, 'rect', {x: x, y: y - 8, width: 12, height: 8, fill: PALETTE[i % PALETTE.length]});
      node(svg, 'text', {x: x + 16, y: y}, name);
      x += width;
    });
  }

  /** Axes, grid and tick labels; returns the functions mapping data to pixels. */
  function frame(svg, spec, xs, ys, height) {
    var plotTop = MARGIN.top, plotBottom = height - MARGIN.bottom, left = MARGIN.left, right = WIDTH - MARGIN.right;
    var xLo = Math.min.apply(null, xs), xHi = Math.max.apply(null, xs);
    var yLo = Math.min(0, Math.min.apply(null, ys)), yHi = Math.max.apply(null, ys);
    if (xHi <= xLo) {
      xLo -= 1;
      xHi += 1;
    }
    if (yHi <= yLo) {
      yHi = yLo + 1;
    }
    yHi += (yHi - yLo) * 0.05;
    var sx = function (x) { return left + (x - xLo) / (xHi - xLo) * (right - left); };
    var sy = function (y) { return plotBottom - (y - yLo) / (yHi - yLo) * (plotBottom - plotTop); };
    node(svg, 'rect', {x: left, y: plotTop, width: right - left, height: plotBottom - plotTop, fill: 'white',
      stroke: '#999'});
    ticks(yLo, yHi).forEach(function (t) {
      if (t > yHi) {
        return;
      }
      node(svg, 'line', {x1: left, x2: right, y1: sy(t), y2: sy(t), stroke: '#ddd'});
      node(svg, 'text', {x: left - 4, y: sy(t) + 4, 'text-anchor': 'end'}, label(t, false));
    });
    var xTicks = spec.xTime   // whole seconds on a time axis
      ? ticks(xLo / 1000, xHi / 1000).filter(function (t) { return t === Math.round(t); }).map(function (t) { return t * 1000; })
      : ticks(xLo, xHi);
    xTicks.forEach(function (t) {
      if (t < xLo || t > xHi) {
        return;
      }
      node(svg, 'line', {x1: sx(t), x2: sx(t), y1: plotTop, y2: plotBottom, stroke: '#eee'});
      node(svg, 'text', {x: sx(t), y: plotBottom + 14, 'text-anchor': 'middle'}, label(t, spec.xTime));
    });
    node(svg, 'text', {x: (left + right) / 2, y: height - 8, 'text-anchor': 'middle'}, spec.xLabel || '');
    node(svg, 'text', {x: 14, y: (plotTop + plotBottom) / 2, 'text-anchor': 'middle',
      transform: 'rotate(-90 14 ' + (plotTop + plotBottom) / 2 + ')'}, spec.yLabel || '');
    return {x: sx, y: sy, xLo: xLo, xHi: xHi};
  }

  function empty(svg, height, why) {
    node(svg, 'text', {x: WIDTH / 2, y: height / 2, 'text-anchor': 'middle', fill: '#888'}, why);
  }

  /** spec: {title, xLabel, yLabel, xTime, series: [{name, x: [], y: []}], bands: [{from, to, color}]}. */
  function lines(element, spec) {
    var svg = svgFor(element, HEIGHT), xs = [], ys = [], marks = 0;
    title(svg, spec.title);
    var series = spec.series || [];
    series.forEach(function (s) {
      s.x.forEach(function (x, i) {
        if (finite(x) && finite(s.y[i])) {
          xs.push(x);
          ys.push(s.y[i]);
        }
      });
    });
    legend(svg, series.map(function (s) { return s.name; }));
    if (xs.length === 0) {
      empty(svg, HEIGHT, 'no data yet');
      return 0;
    }
    var f = frame(svg, spec, xs, ys, HEIGHT);
    (spec.bands || []).forEach(function (b) {
      var from = Math.max(f.xLo, b.from), to = Math.min(f.xHi, b.to);
      if (to > from) {
        node(svg, 'rect', {x: f.x(from), y: MARGIN.top, width: f.x(to) - f.x(from),
          height: HEIGHT - MARGIN.top - MARGIN.bottom, fill: b.color, 'fill-opacity': 0.25, 'class': 'band'});
      }
    });
    var dots = series.some(function (s) { return s.x.length < 30; });
    series.forEach(function (s, k) {
      var color = PALETTE[k % PALETTE.length], path = '', pen = 'M';
      s.x.forEach(function (x, i) {
        if (finite(x) && finite(s.y[i])) {
          path += pen + f.x(x).toFixed(1) + ' ' + f.y(s.y[i]).toFixed(1) + ' ';
          pen = 'L';
          marks++;
          if (dots) {
            node(svg, 'circle', {cx: f.x(x), cy: f.y(s.y[i]), r: 2.5, fill: color});
          }
        } else {
          pen = 'M';   // a gap where a value is missing
        }
      });
      if (path) {
        node(svg, 'path', {d: path, fill: 'none', stroke: color, 'stroke-width': 1.8, 'class': 'line'});
      }
    });
    return marks;
  }

  /** spec: {title, xLabel, yLabel, xTime, x: [], series: [{name, y: []}]} (every series on the same x values). */
  function stacked(element, spec) {
    var svg = svgFor(element, HEIGHT), series = spec.series || [], x = spec.x || [], marks = 0;
    title(svg, spec.title);
    legend(svg, series.map(function (s) { return s.name; }));
    if (x.length === 0 || series.length === 0) {
      empty(svg, HEIGHT, 'no data yet');
      return 0;
    }
    var totals = x.map(function (_, i) {
      return series.reduce(function (sum, s) { return sum + (finite(s.y[i]) ? s.y[i] : 0); }, 0);
    });
    var f = frame(svg, spec, x, totals, HEIGHT), base = x.map(function () { return 0; });
    series.forEach(function (s, k) {
      var top = base.map(function (b, i) { return b + (finite(s.y[i]) ? s.y[i] : 0); });
      var d = 'M';
      for (var i = 0; i < x.length; i++) {
        d += f.x(x[i]).toFixed(1) + ' ' + f.y(top[i]).toFixed(1) + ' L';
      }
      for (var j = x.length - 1; j >= 0; j--) {
        d += f.x(x[j]).toFixed(1) + ' ' + f.y(base[j]).toFixed(1) + (j > 0 ? ' L' : ' Z');
      }
      node(svg, 'path', {d: d, fill: PALETTE[k % PALETTE.length], 'fill-opacity': 0.85, stroke: 'white',
        'stroke-width': 0.5, 'class': 'area'});
      marks += x.length;
      base = top;
    });
    return marks;
  }

  /**
   * spec: {title, columnLabel, rowLabel, columns: [], rows: [], values: [[...]] in [0, 1] (null: blank cell),
   * marked: [[...]] (an asterisk after the value)}; rows top to bottom, white at 0 to dark blue at 1.
   */
  function heatmap(element, spec) {
    var rows = spec.rows || [], columns = spec.columns || [], vertical = columns.length > 6;
    var height = Math.max(HEIGHT, 110 + 22 * rows.length + (vertical ? 90 : 0));
    var svg = svgFor(element, height), marks = 0;
    title(svg, spec.title);
    var left = 90, right = WIDTH - 80, top = 40, bottom = height - (vertical ? 120 : 50);
    var cw = (right - left) / Math.max(1, columns.length), ch = (bottom - top) / Math.max(1, rows.length);
    var low = [0xf7, 0xfb, 0xff], high = [0x08, 0x30, 0x6b];
    var color = function (t) {
      t = Math.max(0, Math.min(1, t));
      return 'rgb(' + low.map(function (l, i) { return Math.round(l + (high[i] - l) * t); }).join(',') + ')';
    };
    rows.forEach(function (row, r) {
      node(svg, 'text', {x: left - 4, y: top + ch * (r + 0.5) + 4, 'text-anchor': 'end'}, row);
      columns.forEach(function (_, c) {
        var v = spec.values[r][c];
        if (!finite(v)) {
          return;
        }
        node(svg, 'rect', {x: left + cw * c, y: top + ch * r, width: cw, height: ch, fill: color(v), 'class': 'cell'});
        node(svg, 'text', {x: left + cw * (c + 0.5), y: top + ch * (r + 0.5) + 4, 'text-anchor': 'middle',
          fill: v > 0.55 ? 'white' : 'black', 'font-size': rows.length > 16 ? 9 : 11},
          Math.round(100 * v) + (spec.marked && spec.marked[r][c] ? '*' : ''));
        marks++;
      });
    });
    columns.forEach(function (column, c) {
      var x = left + cw * (c + 0.5), y = bottom + 14;
      node(svg, 'text', vertical ? {x: x, y: y, 'text-anchor': 'end', transform: 'rotate(-60 ' + x + ' ' + y + ')'}
        : {x: x, y: y, 'text-anchor': 'middle'}, column);
    });
    node(svg, 'rect', {x: left, y: top, width: right - left, height: bottom - top, fill: 'none', stroke: '#999'});
    node(svg, 'text', {x: (left + right) / 2, y: height - 8, 'text-anchor': 'middle'}, spec.columnLabel || '');
    node(svg, 'text', {x: 14, y: (top + bottom) / 2, 'text-anchor': 'middle',
      transform: 'rotate(-90 14 ' + (top + bottom) / 2 + ')'}, spec.rowLabel || '');
    for (var i = 0; i <= 10; i++) {   // the colour scale
      node(svg, 'rect', {x: right + 30, y: bottom - (bottom - top) * (i + 1) / 11, width: 14,
        height: (bottom - top) / 11, fill: color(i / 10)});
    }
    node(svg, 'text', {x: right + 50, y: top + 8}, '1');
    node(svg, 'text', {x: right + 50, y: bottom}, '0');
    return marks;
  }

  /** Held-out figures plotted over checkpoints, with their labels. */
  var EVALUATION = {zero_shot_top1: 'zero-shot top-1', zero_shot_top5: 'zero-shot top-5',
    image_to_text_r5: 'image\u2192text R@5', text_to_image_r5: 'text\u2192image R@5',
    teacher_knn_overlap_10: 'teacher kNN-overlap@10', teacher_cosine: 'teacher cosine',
    concept_accuracy: 'concept accuracy'};

  /** spec: {checkpoints: [{step, metrics: {name: value}}]}: one line per figure any checkpoint has. */
  function evaluation(element, spec) {
    var points = spec.checkpoints || [], series = [];
    Object.keys(EVALUATION).forEach(function (metric) {
      var y = points.map(function (p) { return finite(p.metrics[metric]) ? p.metrics[metric] : null; });
      if (y.some(finite)) {
        series.push({name: EVALUATION[metric], x: points.map(function (p) { return p.step; }), y: y});
      }
    });
    return lines(element, {title: spec.title || 'held-out evaluation', xLabel: 'training step', yLabel: 'share',
      series: series});
  }

  /**
   * spec: {snapshots: [{recordsSeen, weights: [], ids: [] (optional: the row indices)}], shown}: the cluster
   * weight of the `shown` largest concepts of the newest snapshot as stacked areas over records seen, the rest summed.
   */
  function concepts(element, spec) {
    var snapshots = spec.snapshots || [], shown = spec.shown || 10;
    var key = function (s, i) { return s.ids && s.ids.length ? s.ids[i] : i; };
    var last = snapshots.length ? snapshots[snapshots.length - 1] : {weights: []};
    var order = last.weights.map(function (w, i) { return {id: key(last, i), w: w}; })
      .filter(function (c) { return c.id >= 0; })
      .sort(function (a, b) { return b.w - a.w; });
    var top = order.slice(0, shown).map(function (c) { return c.id; });
    var series = top.map(function (id) { return {name: 'concept ' + id, y: []}; }), other = [];
    snapshots.forEach(function (s, t) {
      series.forEach(function (line) { line.y[t] = 0; });
      other[t] = 0;
      s.weights.forEach(function (w, i) {
        var at = top.indexOf(key(s, i));
        if (key(s, i) < 0) {
          return;
        }
        if (at >= 0) {
          series[at].y[t] += w;
        } else {
          other[t] += w;
        }
      });
    });
    if (order.length > top.length) {
      series.push({name: 'other ' + (order.length - top.length), y: other});
    }
    return stacked(element, {title: spec.title || 'cluster weight per concept (decayed counts)',
      xLabel: 'records seen', yLabel: 'weight', x: snapshots.map(function (s) { return s.recordsSeen; }),
      series: series});
  }

  /**
   * spec: {windows: [{window, js, novelty, displacement, mmd, top, level}]}: the drift statistics per window,
   * red bands behind the windows at ALERT, orange behind those at WARN.
   */
  function drift(element, spec) {
    var windows = spec.windows || [], x = windows.map(function (w) { return w.window; });
    var line = function (name, field) {
      return {name: name, x: x, y: windows.map(function (w) { return finite(w[field]) ? w[field] : null; })};
    };
    return lines(element, {title: spec.title || 'drift metrics', xLabel: 'window', yLabel: 'value',
      series: [line('Jensen-Shannon divergence', 'js'), line('novelty rate', 'novelty'),
        line('centroid displacement (\u00d7 within-cluster distance)', 'displacement'),
        line('MMD\u00b2 of the embeddings', 'mmd'), line('mean top-1 label probability', 'top')],
      bands: windows.filter(function (w) { return w.level === 'ALERT' || w.level === 'WARN'; }).map(function (w) {
        return {from: w.window - 0.5, to: w.window + 0.5, color: w.level === 'ALERT' ? '#d62728' : '#ff7f0e'};
      })});
  }

  var KINDS = {lines: lines, stacked: stacked, heatmap: heatmap, evaluation: evaluation, concepts: concepts,
    drift: drift};

  /** Draws the chart `spec` describes into `element`; returns (and records as data-drawn) the marks drawn. */
  function draw(element, spec) {
    var marks = KINDS[spec.kind](element, spec);
    element.setAttribute('data-drawn', String(marks));
    return marks;
  }

  /**
   * Draws every `.plot` element under `root` from its JSON `data-spec` and records on `root`
   * data-plots-rendered="drawn/total": how many of them drew an SVG chart.
   */
  function drawAll(root) {
    var plots = root.querySelectorAll('.plot[data-spec]'), ok = 0;
    plots.forEach(function (p) {
      try {
        draw(p, JSON.parse(p.getAttribute('data-spec')));
        if (p.querySelector('svg')) {
          ok++;
        }
      } catch (e) {
        p.textContent = 'chart failed: ' + e;
      }
    });
    root.setAttribute('data-plots-rendered', ok + '/' + plots.length);
    return ok;
  }

  return {draw: draw, drawAll: drawAll, palette: PALETTE};
})();
