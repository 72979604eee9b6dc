// The Divan demo page. It exercises each Web Vital on purpose:
//  - LCP / FCP / TTFB: the page load itself;
//  - CLS: a promo banner inserted above the content 300 ms after load pushes everything down;
//  - INP: "Refresh leaderboard" blocks the main thread for ~350 ms before it paints;
// and calls API routes with fetch, which @sightline/web traces (traceparent) into the API's trace.
(() => {
  const config = JSON.parse(document.getElementById('sightline-web-config').textContent);
  const web = window.SightlineWeb ? window.SightlineWeb.initWeb(config) : { enabled: false };
  document.documentElement.dataset.sightlineWeb = web.enabled ? 'on' : 'off';
  if (web.traceId) document.documentElement.dataset.traceId = web.traceId;

  const room = location.pathname.match(/^\/app\/rooms\/([^/]+)/);
  if (room) {
    document.getElementById('page-title').textContent = 'Room';
    document.getElementById('heading').textContent = `Room ${room[1].replace(/[^0-9a-z-]/gi, '')}`;
  }

  const show = (id, text) => {
    document.getElementById(id).textContent = text;
  };
  const loadBoard = () =>
    fetch('/leaderboards/daily')
      .then((r) => r.text().then((t) => show('board', `${r.status} ${t.slice(0, 200)}`)))
      .catch((e) => show('board', String(e)));

  fetch('/files/welcome.txt')
    .then((r) => r.text())
    .then((t) => show('welcome', t))
    .catch((e) => show('welcome', String(e)));
  loadBoard();

  addEventListener('load', () => {
    setTimeout(() => {
      const promo = document.createElement('div');
      promo.id = 'promo';
      promo.textContent = 'New: study rooms on every campus';
      document.getElementById('promo-slot').appendChild(promo);
    }, 300);
  });

  document.getElementById('refresh').addEventListener('click', () => {
    const until = performance.now() + 350;
    while (performance.now() < until) {
      // deliberately slow interaction
    }
    show('board', 'refreshing…');
    loadBoard();
  });
})();
