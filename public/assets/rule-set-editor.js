// Live validation of the rule-set JSON view: as the administrator types, the draft is checked by
// POST /api/v1/counties/{county}/rule-sets/validate (cookie session + x-csrf-token) and the
// errors are listed with their paths. Progressive enhancement only: the form posts without it.
(() => {
  const form = document.getElementById('json-form');
  if (!form) return;
  const area = form.querySelector('textarea[name="json"]');
  const status = document.getElementById('json-status');
  const csrf = form.querySelector('input[name="_csrf"]');
  if (!area || !status || !csrf) return;
  const url = form.dataset.validateUrl;
  let timer = 0;
  let seq = 0;

  const show = (ok, lines) => {
    status.replaceChildren();
    status.className = `live-status ${ok ? 'ok' : 'error'}`;
    const p = document.createElement('p');
    p.textContent = lines[0];
    status.append(p);
    if (lines.length > 1) {
      const ul = document.createElement('ul');
      for (const line of lines.slice(1)) {
        const li = document.createElement('li');
        li.textContent = line;
        ul.append(li);
      }
      status.append(ul);
    }
    area.setAttribute('aria-invalid', ok ? 'false' : 'true');
  };

  const check = async () => {
    const mine = ++seq;
    let body;
    try {
      body = JSON.parse(area.value);
    } catch (e) {
      show(false, [`${form.dataset.msgBadJson}${e.message}`]);
      return;
    }
    status.className = 'live-status';
    status.textContent = form.dataset.msgChecking;
    try {
      const res = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf.value },
        body: JSON.stringify(body),
      });
      if (mine !== seq) return; // a newer check is on its way
      if (res.ok) return show(true, [form.dataset.msgValid]);
      const problem = await res.json().catch(() => ({}));
      const errors = Array.isArray(problem.errors) ? problem.errors : [];
      show(false, [problem.detail || `HTTP ${res.status}`, ...errors.map((x) => `${x.path}: ${x.message}`)]);
    } catch {
      if (mine === seq) status.textContent = '';
    }
  };

  area.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
})();
