// The dashboard: plain browser JavaScript, no build step. Lists jobs over REST
// (GET /jobs), then keeps them live through the Socket.IO namespace /jobs.
(() => {
  'use strict';

  const FINAL = new Set(['Completed', 'Canceled']);
  const CANCELABLE = new Set(['Pending', 'Queued', 'Running', 'Failed', 'TimedOut']);
  const RETRYABLE = new Set(['DeadLetter']);
  const LIST_LIMIT = 50;
  /** Example payloads for the bundled job types. */
  const EXAMPLES = {
    echo_job: { hello: 'world' },
    sample_job: { steps: 10, stepMs: 500 },
    long_running_job: { durationMs: 60000 },
  };

  const $ = (id) => document.getElementById(id);
  const tbody = document.querySelector('#jobs tbody');
  const rows = new Map(); // jobId -> { tr, job }
  let socket = null;
  let total = 0;

  const state = {
    token: localStorage.getItem('bgjobs.token') ?? $('token').value,
    status: '',
    type: '',
  };
  $('token').value = state.token;

  function headers() {
    const h = { 'content-type': 'application/json' };
    if (state.token) h.authorization = `Bearer ${state.token}`;
    return h;
  }

  async function api(method, path, body) {
    const res = await fetch(path, { method, headers: headers(), body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    const data = text ? JSON.parse(text) : null;
    if (!res.ok) throw new Error((data && (Array.isArray(data.message) ? data.message.join('; ') : data.message)) || `${res.status} ${res.statusText}`);
    return data;
  }

  function say(text, isError = false) {
    const el = $('message');
    el.textContent = text;
    el.className = isError ? 'message error' : 'message';
  }

  function fmtTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }

  function matchesFilters(job) {
    return (!state.status || job.status === state.status) && (!state.type || job.type === state.type);
  }

  function el(tag, props = {}, children = []) {
    const node = Object.assign(document.createElement(tag), props);
    for (const child of children) node.append(child);
    return node;
  }

  function renderRow(job) {
    let entry = rows.get(job.id);
    if (!entry) {
      const tr = el('tr');
      tr.dataset.jobId = job.id;
      tr.innerHTML =
        '<td class="id"></td><td class="type"></td><td><span class="status"></span></td><td class="owner"></td>' +
        '<td class="created"></td><td><div class="bar"><div class="fill"></div><span class="label"></span></div>' +
        '<div class="error-text"></div></td><td class="actions"></td>';
      const cancel = el('button', { className: 'danger cancel', textContent: 'Cancel', type: 'button' });
      cancel.addEventListener('click', () => act(job.id, 'cancel'));
      const retry = el('button', { className: 'secondary retry', textContent: 'Retry', type: 'button' });
      retry.addEventListener('click', () => act(job.id, 'retry'));
      tr.querySelector('.actions').append(cancel, retry);
      entry = { tr, job: {} };
      rows.set(job.id, entry);
    }
    entry.job = { ...entry.job, ...job };
    const j = entry.job;
    const tr = entry.tr;
    tr.dataset.status = j.status;
    tr.querySelector('.id').textContent = j.id.slice(0, 8);
    tr.querySelector('.id').title = j.id;
    tr.querySelector('.type').textContent = j.type;
    const status = tr.querySelector('.status');
    status.textContent = j.status;
    status.dataset.status = j.status;
    tr.querySelector('.owner').textContent = j.ownerId ?? '—';
    tr.querySelector('.created').textContent = fmtTime(j.createdAt);
    const progress = Math.round(Number(j.progress ?? 0));
    const bar = tr.querySelector('.bar');
    bar.dataset.progress = String(progress);
    bar.querySelector('.fill').style.width = `${progress}%`;
    bar.querySelector('.label').textContent = `${progress}%${j.progressMessage ? ` · ${j.progressMessage}` : ''}`;
    tr.querySelector('.error-text').textContent = j.errorMessage ?? '';
    tr.querySelector('.cancel').hidden = !CANCELABLE.has(j.status);
    tr.querySelector('.retry').hidden = !RETRYABLE.has(j.status);
    return tr;
  }

  function updateEmpty() {
    $('empty').hidden = rows.size > 0;
  }

  async function loadJobs() {
    const params = new URLSearchParams({ limit: String(LIST_LIMIT) });
    if (state.status) params.set('status', state.status);
    if (state.type) params.set('type', state.type);
    try {
      const page = await api('GET', `/jobs?${params}`);
      rows.clear();
      tbody.replaceChildren(...page.items.map(renderRow));
      total = page.total;
      $('total').textContent = `(${total})`;
      for (const job of page.items) if (!FINAL.has(job.status)) subscribe(job.id);
      updateEmpty();
    } catch (error) {
      say(`Could not list jobs: ${error.message}`, true);
    }
  }

  async function loadTypes() {
    let types = Object.keys(EXAMPLES);
    try {
      const list = await api('GET', '/jobs/types');
      const names = (Array.isArray(list) ? list : list.items ?? []).map((t) => (typeof t === 'string' ? t : t.type ?? t.name)).filter(Boolean);
      if (names.length) types = names;
    } catch {
      // The bundled types are known; the list is a convenience.
    }
    $('submit-type').replaceChildren(...types.map((t) => el('option', { value: t, textContent: t })));
    $('filter-type').replaceChildren(el('option', { value: '', textContent: 'all' }), ...types.map((t) => el('option', { value: t, textContent: t })));
    $('submit-type').value = types.includes('long_running_job') ? 'long_running_job' : types[0];
    fillExample();
  }

  function fillExample() {
    const example = EXAMPLES[$('submit-type').value];
    $('submit-payload').value = example === undefined ? '{}' : JSON.stringify(example);
  }

  async function submitJob(event) {
    event.preventDefault();
    let payload;
    try {
      const text = $('submit-payload').value.trim();
      payload = text ? JSON.parse(text) : undefined;
    } catch {
      say('The payload is not valid JSON.', true);
      return;
    }
    try {
      const job = await api('POST', '/jobs', { type: $('submit-type').value, payload });
      say(`Submitted ${job.type} ${job.id.slice(0, 8)}.`);
      upsert(job, true);
      subscribe(job.id);
    } catch (error) {
      say(`Could not submit: ${error.message}`, true);
    }
  }

  async function act(id, action) {
    try {
      const body = action === 'cancel' ? { reason: 'canceled from the dashboard' } : undefined;
      const data = await api('POST', `/jobs/${id}/${action}`, body);
      upsert(data.job ?? data);
      if (action === 'retry') subscribe(id);
      say(action === 'cancel' ? `Cancel: ${data.outcome}.` : 'Queued again.');
    } catch (error) {
      say(`Could not ${action}: ${error.message}`, true);
    }
  }

  /** Updates a row, or adds it on top when it is new and matches the filters. */
  function upsert(job, isNew = false) {
    if (rows.has(job.id)) {
      const tr = renderRow(job);
      if (!matchesFilters(rows.get(job.id).job)) {
        tr.remove();
        rows.delete(job.id);
      }
    } else if ((isNew || job.type) && matchesFilters(job)) {
      tbody.prepend(renderRow(job));
      $('total').textContent = `(${++total})`;
    }
    updateEmpty();
  }

  /** A job we hear about for the first time (e.g. submitted in another tab): fetch it whole. */
  async function fetchAndShow(jobId) {
    try {
      upsert(await api('GET', `/jobs/${jobId}`), true);
    } catch {
      // Not ours to see.
    }
  }

  function onEvent(jobId, patch) {
    if (rows.has(jobId)) upsert({ id: jobId, ...patch });
    else void fetchAndShow(jobId);
  }

  function subscribe(jobId) {
    socket?.emit('subscribe', { jobId }, () => undefined);
  }

  function connect() {
    socket?.disconnect();
    if (typeof io !== 'function') {
      $('conn').textContent = 'no live updates';
      return;
    }
    socket = io('/jobs', { auth: { token: state.token }, transports: ['websocket', 'polling'] });
    socket.on('connect', () => {
      $('conn').textContent = 'live';
      $('conn').dataset.state = 'live';
      for (const [id, { job }] of rows) if (!FINAL.has(job.status)) subscribe(id);
    });
    socket.on('disconnect', () => {
      $('conn').textContent = 'offline';
      $('conn').dataset.state = 'offline';
    });
    socket.on('connect_error', (error) => {
      $('conn').textContent = `offline: ${error.message}`;
      $('conn').dataset.state = 'offline';
    });
    socket.on('job_status_changed', (e) => {
      const patch = { status: e.toStatus, updatedAt: e.updatedAt };
      // Events carry errorMessage only for Failed, TimedOut and DeadLetter: any other status clears it.
      patch.errorMessage = e.errorMessage ?? null;
      if (e.toStatus === 'Completed') patch.progress = 100;
      onEvent(e.jobId, patch);
    });
    socket.on('job_progress', (e) => onEvent(e.jobId, { status: e.status, progress: e.progress, progressMessage: e.progressMessage }));
    socket.on('job_canceled', (e) => onEvent(e.jobId, { status: 'Canceled', canceledBy: e.canceledBy, canceledAt: e.canceledAt }));
  }

  $('auth').addEventListener('submit', (event) => {
    event.preventDefault();
    state.token = $('token').value.trim();
    localStorage.setItem('bgjobs.token', state.token);
    connect();
    void loadJobs();
  });
  $('submit').addEventListener('submit', submitJob);
  $('submit-type').addEventListener('change', fillExample);
  $('filter-status').addEventListener('change', (e) => {
    state.status = e.target.value;
    void loadJobs();
  });
  $('filter-type').addEventListener('change', (e) => {
    state.type = e.target.value;
    void loadJobs();
  });

  connect();
  void loadTypes().then(loadJobs);
})();
