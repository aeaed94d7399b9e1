// Progressive enhancement for an import's page: press "continue" until the job is done.
(() => {
  const form = document.getElementById('import-continue');
  const status = document.getElementById('import-status');
  if (!form || !status || status.dataset.status === 'failed') return;
  setTimeout(() => form.requestSubmit(), 300);
})();
