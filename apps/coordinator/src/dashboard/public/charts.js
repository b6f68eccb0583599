/*
 * Small SVG line charts for the dashboard, written here so the page needs no chart library
 * (and no CDN). Pure math (ticks, scales, paths) is separate from the DOM so it can be tested
 * in Node; `lineChart` builds an <svg> with the document it is given.
 */
(function (root) {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';

  /** Evenly spaced "nice" values (steps of 1, 2 or 5 × 10^k) covering [min, max], about `count` of them. */
  function niceTicks(min, max, count) {
    if (!(isFinite(min) && isFinite(max))) return [];
    if (min === max) {
      var pad = min === 0 ? 1 : Math.abs(min) * 0.1;
      min -= pad;
      max += pad;
    }
    if (min > max) {
      var t = min;
      min = max;
      max = t;
    }
    var raw = (max - min) / Math.max(1, count || 5);
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var fraction = raw / power;
    var step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
    var first = Math.floor(min / step);
    var last = Math.ceil(max / step);
    var ticks = [];
    // Multiples of the step, not a running sum: 0 stays exactly 0 (no -1.4e-17).
    for (var i = first; i <= last; i++) ticks.push(i === 0 ? 0 : Number((i * step).toPrecision(12)));
    return ticks;
  }

  /** A linear map from [d0, d1] to [r0, r1]; a zero-width domain maps to the range's middle. */
  function scaleLinear(d0, d1, r0, r1) {
    return function (value) {
      if (d1 === d0) return (r0 + r1) / 2;
      return r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
    };
  }

  /** SVG path data through the points in order ("M x y L x y ..."), two decimals. */
  function linePath(points) {
    return points
      .map(function (p, i) {
        return (i === 0 ? 'M' : 'L') + p.x.toFixed(2) + ' ' + p.y.toFixed(2);
      })
      .join(' ');
  }

  /** Short tick labels: 0.000123 → 1.23e-4, 1234.5 → 1235, 0.5 → 0.5. */
  function formatTick(value) {
    if (value === 0) return '0';
    var abs = Math.abs(value);
    if (abs >= 1e5 || abs < 1e-3) return value.toExponential(1);
    return String(Number(value.toPrecision(3)));
  }

  /** x and y extents over every series' finite points, or null when there is none. */
  function extents(series) {
    var xs = [];
    var ys = [];
    series.forEach(function (s) {
      s.points.forEach(function (p) {
        if (isFinite(p.x) && isFinite(p.y)) {
          xs.push(p.x);
          ys.push(p.y);
        }
      });
    });
    if (xs.length === 0) return null;
    return { xMin: Math.min.apply(null, xs), xMax: Math.max.apply(null, xs), yMin: Math.min.apply(null, ys), yMax: Math.max.apply(null, ys) };
  }

  function el(doc, name, attrs, text) {
    var node = doc.createElementNS(SVG_NS, name);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, String(attrs[key]));
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /**
   * A line chart: spec = { id, title, xLabel, series: [{ name, color, points: [{ x, y, label? }] }],
   * yDomain?: [min, max], width?, height?, empty? }. Returns an <svg class="chart"> with one
   * <circle class="point" data-series data-x data-y> per point (with a <title> tooltip) and a legend.
   */
  function lineChart(doc, spec) {
    var width = spec.width || 420;
    var height = spec.height || 220;
    var margin = { top: 44, right: 14, bottom: 34, left: 52 };
    var svg = el(doc, 'svg', { class: 'chart', viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'data-chart': spec.id || '' });
    svg.appendChild(el(doc, 'title', {}, spec.title || ''));
    svg.appendChild(el(doc, 'text', { class: 'chart-title', x: margin.left, y: 16 }, spec.title || ''));
    var series = (spec.series || []).map(function (s) {
      return {
        name: s.name,
        color: s.color,
        points: s.points.filter(function (p) {
          return isFinite(p.x) && isFinite(p.y);
        }),
      };
    });
    var ext = extents(series);
    if (!ext) {
      svg.appendChild(el(doc, 'text', { class: 'chart-empty', x: width / 2, y: height / 2, 'text-anchor': 'middle' }, spec.empty || 'no data yet'));
      return svg;
    }
    var yMin = spec.yDomain ? Math.min(spec.yDomain[0], ext.yMin) : ext.yMin;
    var yMax = spec.yDomain ? Math.max(spec.yDomain[1], ext.yMax) : ext.yMax;
    var yTicks = niceTicks(yMin, yMax, 4);
    var xTicks = niceTicks(ext.xMin, ext.xMax, 6).filter(function (v) {
      return Number.isInteger(v);
    });
    if (xTicks.length === 0) xTicks = [ext.xMin];
    var x0 = Math.min(xTicks[0], ext.xMin);
    var x1 = Math.max(xTicks[xTicks.length - 1], ext.xMax);
    var x = scaleLinear(x0, x1, margin.left, width - margin.right);
    var y = scaleLinear(yTicks[0], yTicks[yTicks.length - 1], height - margin.bottom, margin.top);

    var axes = el(doc, 'g', { class: 'axes' });
    yTicks.forEach(function (v) {
      axes.appendChild(el(doc, 'line', { class: 'grid', x1: margin.left, x2: width - margin.right, y1: y(v), y2: y(v) }));
      axes.appendChild(el(doc, 'text', { class: 'tick', x: margin.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, formatTick(v)));
    });
    xTicks.forEach(function (v) {
      axes.appendChild(el(doc, 'text', { class: 'tick', x: x(v), y: height - margin.bottom + 16, 'text-anchor': 'middle' }, formatTick(v)));
    });
    axes.appendChild(el(doc, 'line', { class: 'axis', x1: margin.left, x2: width - margin.right, y1: height - margin.bottom, y2: height - margin.bottom }));
    axes.appendChild(el(doc, 'text', { class: 'axis-label', x: (margin.left + width - margin.right) / 2, y: height - 4, 'text-anchor': 'middle' }, spec.xLabel || 'round'));
    svg.appendChild(axes);

    // The legend on its own line under the title: a swatch and the name of each series.
    var legendX = margin.left;
    series.forEach(function (s) {
      svg.appendChild(el(doc, 'rect', { class: 'swatch', x: legendX, y: 25, width: 10, height: 10, rx: 2, fill: s.color }));
      svg.appendChild(el(doc, 'text', { class: 'legend', x: legendX + 14, y: 34 }, s.name));
      legendX += 30 + 6.5 * String(s.name).length;
    });

    series.forEach(function (s) {
      if (s.points.length === 0) return;
      var group = el(doc, 'g', { class: 'series', 'data-series': s.name });
      var pts = s.points.map(function (p) {
        return { x: x(p.x), y: y(p.y) };
      });
      if (pts.length > 1) group.appendChild(el(doc, 'path', { class: 'line', d: linePath(pts), stroke: s.color, fill: 'none' }));
      s.points.forEach(function (p, i) {
        var dot = el(doc, 'circle', { class: 'point', cx: pts[i].x.toFixed(2), cy: pts[i].y.toFixed(2), r: 3.5, fill: s.color, 'data-series': s.name, 'data-x': p.x, 'data-y': p.y });
        dot.appendChild(el(doc, 'title', {}, s.name + ' · ' + (p.label || 'round ' + p.x) + ': ' + formatTick(p.y)));
        group.appendChild(dot);
      });
      svg.appendChild(group);
    });
    return svg;
  }

  var api = { niceTicks: niceTicks, scaleLinear: scaleLinear, linePath: linePath, formatTick: formatTick, extents: extents, lineChart: lineChart };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.FedsynthCharts = api;
})(typeof window !== 'undefined' ? window : this);
