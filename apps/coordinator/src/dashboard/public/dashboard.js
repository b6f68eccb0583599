/*
 * The fedsynth dashboard page. Live data arrives over Socket.IO (namespace /dashboard,
 * authenticated by the HttpOnly session cookie); actions go to the REST API with the page's
 * CSRF token. Every value from the server is put in the page as text (never as HTML).
 */
(function () {
  'use strict';

  var charts = window.FedsynthCharts;
  var csrf = document.querySelector('meta[name="fedsynth-csrf"]').getAttribute('content');

  /** The quality metrics the charts and the report lead with (paths of libs/gan's site quality summary). */
  var QUALITY = {
    prevalenceR: { key: 'synthetic.fidelity.prevalence.pearson', name: 'prevalence r', hint: '1 = same code frequencies as the real records' },
    rmse: { key: 'synthetic.fidelity.prevalence.rmse', name: 'prevalence RMSE', hint: '0 = same code frequencies' },
    predictionGap: { key: 'synthetic.utility.prediction.meanGap', name: 'prediction gap', hint: 'F1(real-trained) − F1(synthetic-trained); 0 = as useful' },
    detectionAuc: { key: 'synthetic.utility.detectionAuc', name: 'detection AUC', hint: '0.5 = indistinguishable from real' },
    membership: { key: 'synthetic.privacy.membershipInference.advantage', name: 'membership advantage', hint: '0 = membership not exposed' },
    exactCopies: { key: 'synthetic.privacy.exactCopyRate', name: 'exact-copy rate', hint: 'synthetic records identical to a training record' },
    closerToTrain: { key: 'synthetic.privacy.distanceToClosestRecord.shareCloserToTrain', name: 'closer to train (DCR)', hint: '0.5 = no memorisation' },
    attribute: { key: 'synthetic.privacy.attributeInference.f1Members', name: 'attribute inference F1', hint: 'on training records' },
  };
  var COLORS = { ae: '#2563a8', d: '#c0392b', g: '#1f8a4c', a: '#7b4bb7', b: '#b7791f', c: '#2a8c8c' };

  var state = { overview: null, run: null, watch: null, page: 'live', audit: { entries: [], filter: {}, lastId: 0, done: false } };

  // ---------------------------------------------------------------------------------------
  // Small helpers

  /** An element with attributes, properties (on*) and children (strings become text nodes). */
  function h(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === undefined || value === null || value === false) return;
      if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
      else if (key === 'text') node.textContent = String(value);
      else node.setAttribute(key, value === true ? '' : String(value));
    });
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) return child.forEach(function (c) { append(node, c); });
    node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }

  function replace(id, content) {
    var target = document.getElementById(id);
    target.textContent = '';
    append(target, content);
  }

  function shortId(id) {
    return id ? id.slice(0, 8) : '';
  }

  function time(ms) {
    if (!ms) return '—';
    var d = new Date(ms);
    var today = new Date().toDateString() === d.toDateString();
    return today ? d.toLocaleTimeString() : d.toLocaleString();
  }

  function ago(ms) {
    if (!ms) return 'never';
    var s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.round(s / 60) + ' min ago';
    if (s < 86400) return Math.round(s / 3600) + ' h ago';
    return time(ms);
  }

  function fmt(value, digits) {
    if (value === null || value === undefined || !isFinite(value)) return '—';
    var abs = Math.abs(value);
    if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(2);
    return String(Number(value.toFixed(digits === undefined ? 4 : digits)));
  }

  function badge(text, kind) {
    return h('span', { class: 'badge badge-' + (kind || 'muted') }, text);
  }

  function statusBadge(status) {
    var kinds = { running: 'run', completed: 'ok', failed: 'bad', stopped: 'warn', created: 'muted', open: 'run', aggregating: 'run' };
    return badge(status, kinds[status] || 'muted');
  }

  function notice(text, isError) {
    var box = document.getElementById('notice');
    box.textContent = text || '';
    box.hidden = !text;
    box.className = 'notice' + (isError ? ' error' : '');
  }

  /** A REST call with the session cookie and the CSRF header; resolves with { ok, status, body }. */
  function api(method, path, body) {
    var init = { method: method, credentials: 'same-origin', headers: { 'x-fedsynth-csrf': csrf } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      if (response.status === 401) location.assign('/dashboard/login');
      return response.text().then(function (text) {
        var parsed = null;
        try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = { message: text }; }
        return { ok: response.ok, status: response.status, body: parsed };
      });
    });
  }

  function errorText(result) {
    var message = result.body && result.body.message;
    return 'HTTP ' + result.status + ': ' + (Array.isArray(message) ? message.join('; ') : message || 'request failed');
  }

  // ---------------------------------------------------------------------------------------
  // Navigation

  function showPage(page) {
    if (!document.getElementById('page-' + page)) page = 'live';
    state.page = page;
    document.querySelectorAll('section.page').forEach(function (section) {
      section.hidden = section.id !== 'page-' + page;
    });
    document.querySelectorAll('#nav a').forEach(function (a) {
      a.classList.toggle('active', a.getAttribute('data-page') === page);
    });
    document.title = 'fedsynth · ' + document.getElementById('page-' + page).getAttribute('data-title');
    if (page === 'audit') {
      loadAudit(true);
      loadAuditActions();
    }
    if (page === 'live') renderCharts(state.run);
  }

  window.addEventListener('hashchange', function () { showPage(location.hash.slice(1)); });

  // ---------------------------------------------------------------------------------------
  // Socket.IO

  var socket = null;
  function connect() {
    if (typeof io !== 'function') {
      replace('connection', 'live view unavailable (no Socket.IO client)');
      return;
    }
    socket = io('/dashboard', { transports: ['websocket'] });
    socket.on('connect', function () {
      setConnection('live', 'ok');
      socket.emit('watch', state.watch, function () {});
      if (state.page === 'audit') {
        loadAudit(true);
        loadAuditActions();
      }
    });
    socket.on('disconnect', function () { setConnection('disconnected', 'bad'); });
    socket.on('connect_error', function (error) {
      setConnection('disconnected', 'bad');
      if (/UNAUTHORIZED/.test(error.message)) location.assign('/dashboard/login');
    });
    socket.on('overview', function (overview) {
      var auditMoved = state.overview && overview.lastAuditId !== state.overview.lastAuditId;
      state.overview = overview;
      renderOverview();
      if (auditMoved && state.page === 'audit' && !state.audit.paged) loadAudit(true);
    });
    socket.on('run', function (run) {
      state.run = run;
      renderRun();
    });
  }

  function setConnection(text, kind) {
    var node = document.getElementById('connection');
    node.textContent = text;
    node.className = 'badge badge-' + kind;
  }

  function watch(runId) {
    state.watch = runId || null;
    if (socket && socket.connected) socket.emit('watch', state.watch, function () {});
  }

  // ---------------------------------------------------------------------------------------
  // Overview: sites and runs

  function renderOverview() {
    renderRunSelect();
    renderRunsTable();
    renderSites();
  }

  function renderRunSelect() {
    var select = document.getElementById('live-run');
    var runs = state.overview.runs.slice().reverse();
    select.textContent = '';
    append(select, h('option', { value: '' }, 'newest run'));
    runs.forEach(function (run) {
      append(select, h('option', { value: run.id, selected: state.watch === run.id }, shortId(run.id) + ' · ' + run.status + ' · ' + time(run.createdAt)));
    });
  }

  function runActions(run) {
    var buttons = [];
    if (run.status === 'created' || run.status === 'stopped') {
      buttons.push(h('button', { class: 'small', type: 'button', 'data-action': 'start', onclick: function () { act('POST', '/api/runs/' + run.id + '/start', 'Run ' + shortId(run.id) + (run.status === 'stopped' ? ' resumed' : ' started')); } }, run.status === 'stopped' ? 'Resume' : 'Start'));
    }
    if (run.status === 'running' || run.status === 'created') {
      buttons.push(h('button', { class: 'small danger', type: 'button', 'data-action': 'stop', onclick: function () { act('POST', '/api/runs/' + run.id + '/stop', 'Run ' + shortId(run.id) + ' stopped'); } }, 'Stop'));
    }
    buttons.push(h('button', { class: 'small secondary', type: 'button', 'data-action': 'view', onclick: function () { watch(run.id); renderRunSelect(); location.hash = '#live'; } }, 'Live view'));
    return buttons;
  }

  function act(method, path, done) {
    return api(method, path).then(function (result) {
      notice(result.ok ? done : errorText(result), !result.ok);
      return result;
    });
  }

  function renderRunsTable() {
    var runs = state.overview.runs.slice().reverse();
    if (runs.length === 0) return replace('runs-table', h('p', { class: 'muted' }, 'No run yet: create one with the form.'));
    var watched = state.run && state.run.id;
    replace(
      'runs-table',
      h('table', { id: 'runs' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Run'), h('th', {}, 'Created'), h('th', {}, 'Status'), h('th', {}, 'Model'), h('th', { class: 'num' }, 'Rounds'), h('th', {}, ''))),
        h('tbody', {}, runs.map(function (run) {
          return h('tr', { 'data-run': run.id, class: run.id === watched ? 'selected' : null },
            h('td', { title: run.id }, h('code', {}, shortId(run.id))),
            h('td', {}, time(run.createdAt)),
            h('td', { title: run.error || '' }, statusBadge(run.status)),
            h('td', {}, run.modelFamily),
            h('td', { class: 'num' }, run.completedRounds + ' / ' + run.totalRounds),
            h('td', {}, runActions(run)));
        }))));
  }

  function siteState(site) {
    if (site.revokedAt) return badge('revoked', 'bad');
    if (site.ready) return badge('connected', 'ok');
    if (site.connected) return badge('connecting', 'warn');
    return badge('offline', 'muted');
  }

  function renderSites() {
    var sites = state.overview.sites;
    if (sites.length === 0) return replace('sites-table', h('p', { class: 'muted' }, 'No site registered. Add one with: fedsynth coordinator add-site NAME'));
    replace(
      'sites-table',
      h('table', { id: 'sites' },
        h('thead', {}, h('tr', {},
          h('th', {}, 'Site'), h('th', {}, 'Id'), h('th', {}, 'Status'), h('th', {}, 'Last seen'), h('th', { class: 'num' }, 'Protocol'),
          h('th', { class: 'num' }, 'Records'), h('th', { class: 'num' }, 'Rounds contributed'), h('th', {}, 'Task'), h('th', {}, ''))),
        h('tbody', {}, sites.map(function (site) {
          var task = site.progress ? site.progress.state + ' ' + Math.round(site.progress.progress * 100) + '% (round ' + ((site.progress.round || 0) + 1) + ')' : '—';
          return h('tr', { 'data-site': site.id },
            h('td', {}, site.name),
            h('td', {}, h('code', {}, site.id)),
            h('td', {}, siteState(site)),
            h('td', { title: time(site.lastSeenAt) }, site.connected ? 'now' : ago(site.lastSeenAt)),
            h('td', { class: 'num' }, site.protocolVersion === null ? '—' : 'v' + site.protocolVersion),
            h('td', { class: 'num' }, site.recordCount === null ? '—' : site.recordCount),
            h('td', { class: 'num' }, site.roundsContributed),
            h('td', { class: 'small muted' }, site.connected ? task : '—'),
            h('td', {}, site.revokedAt ? h('span', { class: 'small muted' }, 'revoked ' + time(site.revokedAt)) :
              h('button', { class: 'small danger', type: 'button', 'data-action': 'revoke', onclick: function () { revoke(site); } }, 'Revoke')));
        }))));
  }

  function revoke(site) {
    if (!window.confirm('Revoke site "' + site.name + '" (' + site.id + ')? Its token stops working at once and its connection is closed.')) return;
    act('POST', '/api/sites/' + encodeURIComponent(site.id) + '/revoke', 'Site ' + site.name + ' revoked');
  }

  // ---------------------------------------------------------------------------------------
  // The watched run: live header, sites' progress, rounds, charts

  function renderRun() {
    var run = state.run;
    renderLiveHeader(run);
    renderLiveSites(run);
    renderRoundsTables(run);
    renderCharts(run);
    renderQuality(run);
    if (state.overview) renderRunsTable();
  }

  function renderLiveHeader(run) {
    if (!run) return replace('live-header', h('p', { class: 'muted' }, 'No run yet. Create one on the Runs page.'));
    var live = run.live;
    var round = live ? live.round : run.currentRound;
    var phase = live ? live.phase : run.currentPhase;
    var item = function (label, value, id) {
      return h('div', {}, h('span', { class: 'label' }, label), h('span', { class: 'big', id: id }, value));
    };
    replace('live-header', h('div', { class: 'live-head' },
      item('Run', shortId(run.id), 'live-run-id'),
      item('Status', run.stage, 'live-stage'),
      item('Phase', phase || '—', 'live-phase'),
      item('Round', round === null || round === undefined ? '—' : (round + 1) + ' of ' + run.totalRounds, 'live-round'),
      item('Completed rounds', String(run.completedRounds), 'live-completed'),
      live ? item('Attempt · step', live.attempt + ' · ' + live.stage, 'live-step') : null,
      live ? item('Deadline', time(live.deadlineAt), 'live-deadline') : null,
      h('div', {}, h('span', { class: 'label' }, 'Setup'), h('span', {}, run.modelFamily + ' · ' + (run.training.strategy || 'fedavg') + ' · ' + (run.training.localSteps ? run.training.localSteps + ' local steps' : (run.training.localEpochs || 1) + ' local epoch(s)') + ' · quorum ' + run.plan.minSites + (run.plan.evaluateEvery ? ' · evaluate every ' + run.plan.evaluateEvery : ''))),
      run.error ? h('div', {}, h('span', { class: 'label' }, 'Reason'), h('span', {}, run.error)) : null));
  }

  function renderLiveSites(run) {
    var live = run && run.live;
    if (!live || live.sites.length === 0) {
      return replace('live-sites', h('p', { class: 'muted' }, run && run.status === 'running' ? 'Waiting for the next round to open…' : 'No round in progress.'));
    }
    replace('live-sites', live.sites.map(function (site) {
      var kinds = { accepted: 'ok', trained: 'run', training: 'run', evaluating: 'run', waiting: 'muted', rejected: 'bad', dropped: 'warn' };
      return h('div', { class: 'progress-row', 'data-site-progress': site.siteId, 'data-state': site.state },
        h('span', {}, site.siteId),
        badge(site.state, kinds[site.state]),
        h('progress', { max: '1', value: String(site.progress) }),
        h('span', { class: 'small muted' }, Math.round(site.progress * 100) + '%'));
    }));
  }

  function roundDuration(r) {
    return r.completedAt ? ((r.completedAt - r.startedAt) / 1000).toFixed(1) + ' s' : '—';
  }

  function lossText(r) {
    var m = r.metrics || {};
    var parts = [];
    ['ae', 'd', 'g'].forEach(function (k) { if (typeof m[k] === 'number') parts.push(k + ' ' + fmt(m[k], 3)); });
    return parts.join(' · ') || '—';
  }

  function renderRoundsTables(run) {
    document.getElementById('run-rounds-title').textContent = run ? 'Rounds of run ' + shortId(run.id) : 'Rounds';
    if (!run || run.rounds.length === 0) {
      replace('live-rounds', h('p', { class: 'muted' }, 'No round yet.'));
      replace('run-rounds', h('p', { class: 'muted' }, 'No round yet.'));
      return;
    }
    var recent = run.rounds.slice(-8).reverse();
    replace('live-rounds', h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, 'Round'), h('th', {}, 'Phase'), h('th', {}, 'Status'), h('th', {}, 'Losses'), h('th', { class: 'num' }, 'Time'))),
      h('tbody', {}, recent.map(function (r) {
        return h('tr', {}, h('td', {}, (r.round + 1) + (r.attempt > 1 ? ' (attempt ' + r.attempt + ')' : '')), h('td', {}, r.phase), h('td', { title: r.error || '' }, statusBadge(r.status)), h('td', { class: 'small' }, lossText(r)), h('td', { class: 'num' }, roundDuration(r)));
      }))));
    var downloadable = {};
    run.generatorRounds.forEach(function (n) { downloadable[n] = true; });
    replace('run-rounds', h('table', { id: 'rounds' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Round'), h('th', {}, 'Phase'), h('th', {}, 'Attempt'), h('th', {}, 'Status'), h('th', { class: 'num' }, 'Sites'), h('th', { class: 'num' }, 'Records'), h('th', {}, 'Losses'), h('th', { class: 'num' }, 'Time'), h('th', {}, 'Generator'))),
      h('tbody', {}, run.rounds.map(function (r) {
        var m = r.metrics || {};
        var link = r.status === 'completed' && downloadable[r.round]
          ? h('a', { class: 'button', 'data-download-round': r.round, href: '/dashboard/runs/' + encodeURIComponent(run.id) + '/rounds/' + r.round + '/generator.zip', download: '' }, 'Download .zip')
          : h('span', { class: 'small muted' }, r.status === 'completed' ? 'autoencoder round' : '—');
        return h('tr', { 'data-round': r.round },
          h('td', {}, String(r.round + 1)), h('td', {}, r.phase), h('td', {}, String(r.attempt)),
          h('td', { title: r.error || '' }, statusBadge(r.status)),
          h('td', { class: 'num' }, typeof m.siteCount === 'number' ? m.siteCount : '—'),
          h('td', { class: 'num' }, typeof m.recordCount === 'number' ? m.recordCount : '—'),
          h('td', { class: 'small' }, lossText(r)), h('td', { class: 'num' }, roundDuration(r)), h('td', {}, link));
      }))));
  }

  function series(name, color, points) {
    return { name: name, color: color, points: points };
  }

  /** Drawn at the card's own width, so text keeps its size whatever the layout. */
  function chart(id, spec) {
    var box = document.getElementById(id);
    spec.width = Math.max(260, box.clientWidth - 20);
    spec.height = box.closest('.grid.four') ? 200 : 240;
    replace(id, charts.lineChart(document, spec));
  }

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { renderCharts(state.run); }, 150);
  });

  function qualitySeries(run, metric, name, color) {
    return series(name, color, run.quality.filter(function (q) { return typeof q.metrics[metric.key] === 'number'; }).map(function (q) {
      return { x: q.round + 1, y: q.metrics[metric.key] };
    }));
  }

  function renderCharts(run) {
    var losses = run ? run.losses : [];
    var point = function (key) {
      return losses.filter(function (l) { return typeof l.losses[key] === 'number'; }).map(function (l) { return { x: l.round + 1, y: l.losses[key] }; });
    };
    chart('chart-ae', { id: 'ae-loss', title: 'Autoencoder reconstruction loss', series: [series('ae', COLORS.ae, point('ae'))], empty: 'no autoencoder round completed yet' });
    chart('chart-gan', { id: 'gan-loss', title: 'GAN losses (discriminator d, generator g)', series: [series('d', COLORS.d, point('d')), series('g', COLORS.g, point('g'))], empty: 'no GAN round completed yet' });
    var none = 'no evaluation yet (set "Evaluate every" on the run)';
    var q = run || { quality: [] };
    chart('chart-prevalence-r', { id: 'prevalence-r', title: 'Prevalence r (↑)', series: [qualitySeries(q, QUALITY.prevalenceR, 'r', COLORS.ae)], empty: none });
    chart('chart-rmse', { id: 'rmse', title: 'Prevalence RMSE (↓)', series: [qualitySeries(q, QUALITY.rmse, 'RMSE', COLORS.d)], empty: none });
    chart('chart-prediction-gap', { id: 'prediction-gap', title: 'Prediction gap (↓)', series: [qualitySeries(q, QUALITY.predictionGap, 'gap', COLORS.g)], empty: none });
    chart('chart-privacy', {
      id: 'privacy',
      title: 'Privacy (↓; DCR ≈ 0.5)',
      series: [qualitySeries(q, QUALITY.membership, 'MI adv.', COLORS.a), qualitySeries(q, QUALITY.exactCopies, 'copies', COLORS.b), qualitySeries(q, QUALITY.closerToTrain, 'DCR', COLORS.c)],
      empty: none,
    });
  }

  // ---------------------------------------------------------------------------------------
  // Quality report of the latest evaluation

  function renderQuality(run) {
    var evaluation = run && run.latestEvaluation;
    if (!evaluation) {
      var failed = run ? run.evaluations.filter(function (e) { return e.status === 'failed'; }) : [];
      return replace('quality-report', [
        h('h2', {}, 'Quality report'),
        h('p', { class: 'muted' }, run ? 'Run ' + shortId(run.id) + ' has no completed evaluation yet. Evaluations run every k GAN rounds when the run sets "Evaluate every"; each site scores the global generator against its own held-out records and only the metrics come back.' : 'No run yet.'),
        failed.length ? h('p', { class: 'form-error' }, 'Failed evaluations: ' + failed.map(function (e) { return 'round ' + (e.round + 1) + ' (' + (e.error || 'failed') + ')'; }).join('; ')) : null,
      ]);
    }
    var m = evaluation.metrics;
    var cards = Object.keys(QUALITY).map(function (name) {
      var metric = QUALITY[name];
      return h('div', { class: 'metric', 'data-metric': metric.key },
        h('div', { class: 'name' }, metric.name), h('div', { class: 'value' }, fmt(m[metric.key], 3)), h('div', { class: 'hint' }, metric.hint));
    });
    // The synthetic records' scores first, then the baselines they are compared with, then the inputs' sizes.
    var rank = function (group) {
      var order = ['synthetic.fidelity', 'synthetic.utility', 'synthetic.privacy', 'baselines', 'inputs'];
      for (var i = 0; i < order.length; i++) if (group.indexOf(order[i]) === 0) return i;
      return order.length;
    };
    var groups = {};
    Object.keys(m).sort().forEach(function (key) {
      var group = key.split('.').slice(0, 2).join('.');
      (groups[group] = groups[group] || []).push(key);
    });
    var groupNames = Object.keys(groups).sort(function (a, b) { return rank(a) - rank(b) || (a < b ? -1 : 1); });
    replace('quality-report', [
      h('h2', {}, 'Quality report · run ' + shortId(run.id) + ' · after round ' + (evaluation.round + 1)),
      h('p', { class: 'muted small' }, 'Combined over ' + (evaluation.siteCount === null ? '?' : evaluation.siteCount) + ' site(s), weighted by their held-out records (' + (evaluation.recordCount === null ? '?' : evaluation.recordCount) + ' records); evaluated ' + time(evaluation.completedAt) + '. Each site scored the global generator against its own records; no record left a site.'),
      h('div', { class: 'metrics' }, cards),
      h('table', { id: 'quality-sites' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Site'), h('th', {}, 'Answer'), h('th', { class: 'num' }, 'Held-out records'))),
        h('tbody', {}, evaluation.sites.map(function (site) {
          return h('tr', {}, h('td', {}, site.siteId),
            h('td', {}, site.error ? badge('failed: ' + site.error.code, 'bad') : badge('scored', 'ok'), site.error ? h('span', { class: 'small muted' }, ' ' + site.error.reason) : null),
            h('td', { class: 'num' }, site.error ? '—' : site.recordCount));
        }))),
      h('h2', { class: 'section' }, 'Every metric'),
      h('div', { class: 'grid two', id: 'quality-table' }, groupNames.map(function (group) {
        return h('table', { 'data-group': group },
          h('thead', {}, h('tr', {}, h('th', {}, group), h('th', { class: 'num' }, 'value'))),
          h('tbody', {}, groups[group].map(function (key) {
            return h('tr', {}, h('td', { class: 'small' }, key.slice(group.length + 1) || key), h('td', { class: 'num' }, fmt(m[key], 4)));
          })));
      })),
    ]);
  }

  // ---------------------------------------------------------------------------------------
  // The audit log

  function auditFilter() {
    var form = document.getElementById('audit-filter');
    var filter = {};
    ['action', 'actor', 'subject', 'text'].forEach(function (name) {
      var value = form.elements[name].value.trim();
      if (value) filter[name] = value;
    });
    return filter;
  }

  function loadAudit(fresh) {
    if (!socket) return;
    var query = Object.assign({ limit: 100 }, state.audit.filter);
    if (!fresh && state.audit.entries.length) query.beforeId = state.audit.entries[state.audit.entries.length - 1].id;
    socket.emit('audit', query, function (entries) {
      if (!Array.isArray(entries)) return;
      state.audit.entries = fresh ? entries : state.audit.entries.concat(entries);
      state.audit.paged = !fresh;
      state.audit.done = entries.length < query.limit;
      renderAudit();
    });
  }

  function loadAuditActions() {
    if (!socket) return;
    socket.emit('auditActions', function (actions) {
      if (!Array.isArray(actions)) return;
      replace('audit-actions', actions.map(function (a) { return h('option', { value: a }); }));
    });
  }

  function renderAudit() {
    var entries = state.audit.entries;
    document.getElementById('audit-more').hidden = state.audit.done;
    if (entries.length === 0) return replace('audit-table', h('p', { class: 'muted' }, 'No entry matches.'));
    replace('audit-table', h('table', { id: 'audit' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Time'), h('th', {}, 'Actor'), h('th', {}, 'Action'), h('th', {}, 'Subject'), h('th', {}, 'Details'))),
      h('tbody', {}, entries.map(function (e) {
        return h('tr', { 'data-audit-id': e.id, 'data-action': e.action },
          h('td', { title: new Date(e.at).toISOString() }, time(e.at)), h('td', {}, e.actor), h('td', {}, h('code', {}, e.action)),
          h('td', { title: e.subject || '' }, e.subject ? (e.subject.length > 20 ? shortId(e.subject) + '…' : e.subject) : '—'),
          h('td', { class: 'details' }, e.details ? JSON.stringify(e.details) : ''));
      }))));
  }

  document.getElementById('audit-filter').addEventListener('submit', function (event) {
    event.preventDefault();
    state.audit.filter = auditFilter();
    loadAudit(true);
  });
  document.getElementById('audit-filter').addEventListener('reset', function () {
    state.audit.filter = {};
    setTimeout(function () { loadAudit(true); }, 0);
  });
  document.getElementById('audit-more').addEventListener('click', function () { loadAudit(false); });

  // ---------------------------------------------------------------------------------------
  // The new-run form

  var form = document.getElementById('run-form');
  function clearErrors() {
    form.querySelectorAll('[data-error-for]').forEach(function (node) { node.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach(function (node) { node.removeAttribute('aria-invalid'); });
  }

  function showErrors(fields) {
    Object.keys(fields).forEach(function (field) {
      var slot = form.querySelector('[data-error-for="' + field + '"]') || form.querySelector('[data-error-for="form"]');
      slot.textContent = (slot.textContent ? slot.textContent + ' ' : '') + fields[field].join('; ');
      var input = form.elements[field];
      if (input && input.setAttribute) input.setAttribute('aria-invalid', 'true');
      if (field === 'rounds') ['autoencoderRounds', 'ganRounds'].forEach(function (n) { form.elements[n].setAttribute('aria-invalid', 'true'); });
    });
    var first = form.querySelector('[aria-invalid="true"]');
    if (first && first.closest('details')) first.closest('details').open = true;
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    clearErrors();
    var body = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (input.name && input.name !== 'startNow' && input.value.trim() !== '') body[input.name] = input.value.trim();
    });
    var button = document.getElementById('create-run');
    button.disabled = true;
    api('POST', '/dashboard/api/runs', body)
      .then(function (result) {
        if (!result.ok) {
          if (result.body && result.body.fields) showErrors(result.body.fields);
          else form.querySelector('[data-error-for="form"]').textContent = errorText(result);
          return;
        }
        var run = result.body;
        watch(run.id);
        if (!form.elements.startNow.checked) return notice('Run ' + shortId(run.id) + ' created. Start it from the list.');
        return act('POST', '/api/runs/' + run.id + '/start', 'Run ' + shortId(run.id) + ' created and started');
      })
      .finally(function () { button.disabled = false; });
  });

  document.getElementById('live-run').addEventListener('change', function (event) { watch(event.target.value); });

  // "last seen … ago" and similar texts age without new data.
  setInterval(function () { if (state.overview && state.page === 'sites') renderSites(); }, 5000);

  showPage(location.hash.slice(1) || 'live');
  renderCharts(null);
  connect();
})();
