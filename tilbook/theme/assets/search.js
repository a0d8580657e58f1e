// Search over Pagefind's index, asked the way Korean is typed (tilbook/site/search.py says
// what the index holds). window.tilbookSearch(query, limit) is the whole search; the box
// in the header shows its results as you type.
(() => {
  "use strict";
  const script = document.currentScript;
  const base = (script && script.dataset.base) || "";
  const MARK = "\u2042"; // the index's added suffixes follow it: excerpts stop there
  const HANGUL = /[\uac00-\ud7a3]/;
  // Particles and endings stripped from a query's Korean word, longest first: the ones the
  // index stripped from the text's words before taking their suffixes (search.PARTICLES,
  // listed in pagefind/tilbook.json). Pagefind matches words by prefix, so stripping one
  // too many only widens the search a little.
  let PARTICLES = [];
  let loading = null;

  // The index is one Pagefind bundle per shard of entries (pagefind/tilbook.json lists
  // them): the first is loaded, the others merged into it.
  function pagefind() {
    if (!loading) {
      loading = fetch(`${base}/pagefind/tilbook.json`).then((r) => r.json()).then(async ({ shards, particles }) => {
        PARTICLES = particles || [];
        const pf = await import(`${base}/pagefind/${shards[0]}/pagefind.js`);
        await pf.options({ baseUrl: "/" });
        await pf.init();
        await Promise.all(shards.slice(1).map((shard) => pf.mergeIndex(`${base}/pagefind/${shard}/`)));
        return pf;
      });
    }
    return loading;
  }

  function stripParticle(word) {
    for (const p of PARTICLES) {
      if (word.length - p.length >= 2 && word.endsWith(p)) return word.slice(0, -p.length);
    }
    return word;
  }

  // The words of a query: NFC, lower case, split where Hangul meets Latin letters
  // (파이토치DataLoader; digits stay with their neighbours: 3주), punctuation trimmed,
  // particles stripped from Korean words.
  function terms(query) {
    const out = [];
    const seam = /(?<=[\uac00-\ud7a3])(?=[a-z])|(?<=[a-z])(?=[\uac00-\ud7a3])/;
    for (const word of query.normalize("NFC").toLowerCase().split(/\s+/)) {
      for (const piece of word.split(seam)) {
        const clean = piece.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
        if (clean) out.push(HANGUL.test(clean) ? stripParticle(clean) : clean);
      }
    }
    return [...new Set(out)];
  }

  function pairs(word) {
    const chars = [...word];
    const out = [];
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    return [...new Set(out)];
  }

  const long = (word) => HANGUL.test(word) && [...word].length >= 3;

  // Entries holding most of each long Korean word's syllable pairs (and every other word),
  // best covered first: a query typed without the text's spaces (딥러닝서버) misses only
  // the pairs that cross a space (닝서). Ties go to the higher Pagefind score summed over
  // the pairs (rare pairs and pairs in titles weigh more), then to Pagefind's own order.
  async function byPairs(pf, words, direct) {
    const groups = words.map((w) => (long(w) ? pairs(w) : [w]));
    // A word typed without its spaces crosses one for every two syllables at most.
    const allowed = words.map((w) => Math.max(1, Math.floor([...w].length / 2) - 1));
    const units = groups.flatMap((units, g) => units.map((unit) => [g, unit]));
    const answers = await Promise.all(units.map(([, unit]) => pf.search(unit)));
    const found = new Map();
    units.forEach(([g], i) => {
      for (const r of answers[i].results) {
        const e = found.get(r.id) || { result: r, hits: groups.map(() => 0), score: 0 };
        e.hits[g] += 1;
        e.score += r.score;
        found.set(r.id, e);
      }
    });
    const enough = (e) => groups.every((units, g) =>
      (long(words[g]) ? e.hits[g] >= units.length - allowed[g] : e.hits[g] === 1));
    const rank = new Map(direct.map((r, i) => [r.id, i]));
    const covered = (e) => e.hits.reduce((a, b) => a + b, 0);
    const first = (e) => (rank.has(e.result.id) ? rank.get(e.result.id) : Infinity);
    return [...found.values()].filter(enough)
      .sort((a, b) => covered(b) - covered(a) || b.score - a.score || first(a) - first(b))
      .map((e) => e.result);
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  }

  // What to mark in the text: each word, or for a Korean word not in the text as typed,
  // its longest pieces that are.
  function marks(text, words) {
    const lower = text.toLowerCase();
    const out = [];
    for (const w of words) {
      if (lower.includes(w) || !HANGUL.test(w)) {
        out.push(w);
        continue;
      }
      const chars = [...w];
      let i = 0;
      while (i < chars.length) {
        let j = chars.length;
        while (j - i >= 2 && !lower.includes(chars.slice(i, j).join(""))) j--;
        if (j - i >= 2) {
          out.push(chars.slice(i, j).join(""));
          i = j;
        } else i++;
      }
    }
    return out.filter((m) => m && lower.includes(m));
  }

  function excerpt(content, words, title, size = 160) {
    let text = content.split(MARK)[0].replace(/\s+/g, " ").trim();
    if (title && text.startsWith(title)) text = text.slice(title.length).replace(/^[.\s]+/, "");
    const found = marks(text, words);
    const lower = text.toLowerCase();
    const first = Math.min(...found.map((m) => lower.indexOf(m)).filter((i) => i >= 0), text.length);
    const start = first === text.length ? 0 : Math.max(0, first - 40);
    let piece = text.slice(start, start + size);
    let html = escapeHtml(piece);
    for (const m of found.sort((a, b) => b.length - a.length)) {
      const re = new RegExp(escapeHtml(m).replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi");
      html = html.replace(re, (hit) => `\u0001${hit}\u0002`);
    }
    html = html.replace(/\u0001/g, "<mark>").replace(/\u0002/g, "</mark>");
    return (start > 0 ? "… " : "") + html + (start + size < text.length ? " …" : "");
  }

  async function tilbookSearch(query, limit = 5) {
    if (!query.trim()) return [];
    const pf = await pagefind(); // (first: it brings the particles that `terms` strips)
    const words = terms(query);
    if (!words.length) return [];
    const direct = (await pf.search(words.join(" "))).results;
    let results = direct.slice(0, limit);
    if (words.some(long)) {
      const covered = await byPairs(pf, words, direct);
      const seen = new Set(covered.map((r) => r.id));
      results = covered.concat(direct.filter((r) => !seen.has(r.id))).slice(0, limit);
    }
    return Promise.all(results.map(async (r) => {
      const data = await r.data();
      return { url: data.meta.url || data.url, title: data.meta.title, date: data.meta.date || "",
               excerpt: excerpt(data.content, words, data.meta.title) };
    }));
  }
  window.tilbookSearch = tilbookSearch;

  // --- the box in the header ---------------------------------------------------------------
  const form = document.querySelector("form.search");
  if (!form) return;
  const input = form.querySelector("input");
  const panel = form.querySelector(".search-results");
  const lang = document.documentElement.lang || "en";
  const dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: "long" });
  let asked = 0;
  let timer = null;
  form.hidden = false;

  function show(results, query) {
    if (!query.trim()) {
      panel.hidden = true;
      panel.innerHTML = "";
      return;
    }
    panel.hidden = false;
    place();
    if (!results.length) {
      panel.innerHTML = `<p class="search-none">${escapeHtml(form.dataset.none || "")}</p>`;
      return;
    }
    panel.innerHTML = "<ol>" + results.map((r) => {
      const date = r.date ? dateFormat.format(new Date(`${r.date}T00:00:00`)) : "";
      return `<li><a href="${escapeHtml(r.url)}"><span class="search-title">${escapeHtml(r.title || r.url)}</span>` +
        `<time datetime="${escapeHtml(r.date)}">${escapeHtml(date)}</time>` +
        `<span class="search-excerpt">${r.excerpt}</span></a></li>`;
    }).join("") + "</ol>";
  }

  // The panel hangs from the box's right edge (the box sits at the header's right); where
  // the header wrapped the box to the left of a narrow screen, that pushed the panel past the
  // window's left edge: there it starts at the box's left edge instead.
  function place() {
    panel.style.left = panel.style.right = "";
    if (panel.getBoundingClientRect().left < 0) {
      panel.style.left = "0";
      panel.style.right = "auto";
    }
  }
  window.addEventListener("resize", () => { if (!panel.hidden) place(); });

  async function run() {
    const query = input.value;
    const mine = ++asked;
    const results = query.trim() ? await tilbookSearch(query, 8) : [];
    if (mine === asked) show(results, query); // a later keystroke wins
  }

  input.addEventListener("focus", () => pagefind(), { once: true });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      input.value = "";
      show([], "");
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const first = panel.querySelector("a");
    if (first) window.location.href = first.href;
  });
})();
