// The matrix page's script, inlined: filtering (text, per-dimension selects, failed or could not run only) and regrouping.
// Plain ES2020 in a string, so it runs as written in any browser and needs nothing from the network.
export const SCRIPT = `
(function () {
  var form = document.querySelector('form.filters');
  var q = document.getElementById('q');
  var groupBy = document.getElementById('group-by');
  var failuresOnly = document.getElementById('failures-only');
  var shown = document.getElementById('shown');
  var empty = document.getElementById('empty');
  var main = document.getElementById('matrix');
  var selects = Array.prototype.slice.call(document.querySelectorAll('select[data-dim]'));
  var rows = Array.prototype.slice.call(document.querySelectorAll('details.scenario'));
  var labels = JSON.parse(document.getElementById('dimension-labels').textContent);

  function apply() {
    var text = q.value.trim().toLowerCase();
    var exact = rows.some(function (r) { return r.dataset.id === text; });
    var visible = 0;
    rows.forEach(function (r) {
      var show = !text || (exact ? r.dataset.id === text : r.dataset.search.indexOf(text) >= 0);
      selects.forEach(function (s) { if (s.value && r.dataset[s.dataset.dim] !== s.value) show = false; });
      if (failuresOnly.checked && r.dataset.status !== 'fail' && r.dataset.status !== 'could-not-run') show = false;
      r.hidden = !show;
      if (show) visible++;
    });
    Array.prototype.forEach.call(main.querySelectorAll('section.group'), function (g) {
      g.hidden = !g.querySelector('details.scenario:not([hidden])');
    });
    shown.textContent = visible + ' of ' + rows.length + ' scenarios';
    empty.hidden = visible > 0;
  }

  function regroup() {
    var dim = groupBy.value;
    Array.prototype.forEach.call(main.querySelectorAll('section.group'), function (g) { g.remove(); });
    var groups = {};
    rows.slice().sort(function (a, b) {
      var ka = a.dataset[dim], kb = b.dataset[dim];
      return ka < kb ? -1 : ka > kb ? 1 : a.dataset.id < b.dataset.id ? -1 : 1;
    }).forEach(function (r) {
      var key = r.dataset[dim];
      if (!groups[key]) {
        var section = document.createElement('section');
        section.className = 'group';
        section.dataset.group = key;
        var h2 = document.createElement('h2');
        var dimLabel = document.createElement('span');
        dimLabel.className = 'dim';
        dimLabel.textContent = labels[dim] + ': ';
        var small = document.createElement('small');
        h2.append(dimLabel, key, ' ', small);
        section.append(h2);
        main.insertBefore(section, empty);
        groups[key] = { section: section, small: small, total: 0, failed: 0, couldNotRun: 0 };
      }
      var g = groups[key];
      g.section.append(r);
      g.total++;
      if (r.dataset.status === 'fail') g.failed++;
      if (r.dataset.status === 'could-not-run') g.couldNotRun++;
    });
    Object.keys(groups).forEach(function (k) {
      var g = groups[k];
      g.small.textContent = g.total + ' scenario' + (g.total === 1 ? '' : 's') + (g.failed ? ' · ' + g.failed + ' failed' : '') + (g.couldNotRun ? ' · ' + g.couldNotRun + ' could not run' : '');
    });
    apply();
  }

  q.addEventListener('input', apply);
  form.addEventListener('change', function (e) { if (e.target === groupBy) regroup(); else if (e.target !== q) apply(); });
  document.addEventListener('keydown', function (e) {
    if (e.key === '/' && document.activeElement !== q) { e.preventDefault(); q.focus(); }
  });
  regroup();
})();
`;
