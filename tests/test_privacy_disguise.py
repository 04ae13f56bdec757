"""Personal data written in disguise is caught everywhere (issue #18, defect 5):
full-width or other scripts' digits, invisible characters, spaces/hyphens/dots
between digits, HTML entities and tags splitting a number, in data YAML, CSV
cells, hand-written pages under content/ and the built site; at the line and
column where the committee wrote it. What a committee writes every day (dates,
amounts, ids, hotlines, tables of numbers) is not taken for personal data.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest

from generator.checks.privacy import published_leaks
from tests.problem_asserts import messages

NOTICE = "data/notices/2024-001.yaml"
CSV_2024 = "data/budgets/2024.csv"
PAGE = "content/zh/about.md"
BODY = "  经居委会会议表决，更换 3 号楼单元门禁。"  # line 8 of the notice
ROW_2 = "2024-001,2024,2024,community-fund,expenditure,办公经费,办公用品,2000,1800,街道拨款,,"  # note cell: col 73
ID_CARD = "11010519491231002X"

#: The issue's reproductions (data file): written text, code, masked value.
REPRODUCTIONS = [
    pytest.param("１３８１２３４５６７１", "privacy.mobile", "138****5671", id="full-width-digits"),
    pytest.param("138\u200b1234\u200b5672", "privacy.mobile", "138****5672", id="zero-width-spaces"),
    pytest.param("110105 19491231 002X", "privacy.id-card", "110***********002X", id="id-card-with-spaces"),
    pytest.param("zhang&#64;example.com", "privacy.email", "z***@example.com", id="at-sign-entity"),
    pytest.param("zhang＠example.com", "privacy.email", "z***@example.com", id="full-width-at-sign"),
]

#: Variants of each family: (written, code, masked).
VARIANTS = [
    pytest.param("١٣٨١٢٣٤٥٦٧٨", "privacy.mobile", "138****5678", id="arabic-indic-digits"),
    pytest.param("۱۳۸۱۲۳۴۵۶۷۸", "privacy.mobile", "138****5678", id="persian-digits"),
    pytest.param("𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "privacy.mobile", "138****5678", id="mathematical-bold-digits"),
    pytest.param("138-1234-5678", "privacy.mobile", "138****5678", id="hyphens"),
    pytest.param("138 1234 5678", "privacy.mobile", "138****5678", id="spaces"),
    pytest.param("+86 138 1234 5678", "privacy.mobile", "138****5678", id="country-code"),
    pytest.param("0086-13812345678", "privacy.mobile", "138****5678", id="country-code-00"),
    pytest.param("138.1234.5678", "privacy.mobile", "138****5678", id="dots"),
    pytest.param("138－1234－5678", "privacy.mobile", "138****5678", id="full-width-hyphens"),
    pytest.param("138–1234—5678", "privacy.mobile", "138****5678", id="dashes"),
    pytest.param("138・1234・5678", "privacy.mobile", "138****5678", id="katakana-middle-dots"),
    pytest.param("138\u00a01234\u00a05678", "privacy.mobile", "138****5678", id="nbsp"),
    pytest.param("138\t1234\t5678", "privacy.mobile", "138****5678", id="tabs"),
    pytest.param("138\u30001234\u30005678", "privacy.mobile", "138****5678", id="ideographic-space"),
    pytest.param("138\u00ad1234\u00ad5678", "privacy.mobile", "138****5678", id="soft-hyphen"),
    pytest.param("138\u20601234\ufeff5678", "privacy.mobile", "138****5678", id="word-joiner-and-bom"),
    pytest.param("1\u200c3\u200d8\u200e12345678", "privacy.mobile", "138****5678", id="zwnj-zwj-lrm"),
    pytest.param("1 3 8 1 2 3 4 5 6 7 8", "privacy.mobile", "138****5678", id="every-digit-spaced"),
    pytest.param("1 3 8 - 1 2 3 4 - 5 6 7 8", "privacy.mobile", "138****5678", id="spaced-hyphens"),
    pytest.param("&#x31;38&#x31;2345678", "privacy.mobile", "138****5678", id="hex-entities"),
    pytest.param("&#49;&#51;&#56;&#49;&#50;&#51;&#52;&#53;&#54;&#55;&#56;", "privacy.mobile", "138****5678",
                 id="all-decimal-entities"),
    pytest.param("138&nbsp;1234&nbsp;5678", "privacy.mobile", "138****5678", id="nbsp-entities"),
    pytest.param("138&#8203;1234&#8203;5678", "privacy.mobile", "138****5678", id="zero-width-entities"),
    pytest.param("１３８&#xFF11;２３４５６７８", "privacy.mobile", "138****5678", id="full-width-entity"),
    pytest.param("1<b>38</b>1234<b>5678</b>", "privacy.mobile", "138****5678", id="digits-split-by-b"),
    pytest.param("138<!-- x --><span>1234</span>5678", "privacy.mobile", "138****5678", id="digits-split-by-a-comment"),
    pytest.param("11010519491231002Ｘ", "privacy.id-card", "110***********002X", id="id-card-full-width-x"),
    pytest.param("110105-1949-1231-002x", "privacy.id-card", "110***********002X", id="id-card-hyphens"),
    pytest.param("１１０１０５１９４９１２３１００２Ｘ", "privacy.id-card", "110***********002X", id="id-card-full-width"),
    pytest.param("zhang\u200b@example.com", "privacy.email", "z***@example.com", id="email-zero-width"),
    pytest.param("zhang&#x40;example.com", "privacy.email", "z***@example.com", id="email-hex-entity"),
    pytest.param("zhang&commat;example.com", "privacy.email", "z***@example.com", id="email-named-entity"),
    pytest.param("zhang﹫example．com", "privacy.email", "z***@example.com", id="email-small-at-full-width-dot"),
    pytest.param("ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "privacy.email", "z***@example.com", id="email-all-full-width"),
]

#: The at-sign spelt out: an address a reader can use, not one a machine reads: a warning.
SPELT = [
    pytest.param("zhang(at)example.com", id="parentheses"),
    pytest.param("zhang [at] example [dot] com", id="brackets-and-dot"),
    pytest.param("zhang{AT}example.com", id="braces-upper"),
    pytest.param("zhang（at）example.com", id="full-width-parentheses"),
]

#: What a committee writes every day: not personal data, in any of the places scanned.
HARMLESS = [
    pytest.param("会议于 2026-12-05 召开，2026.12.06 公示，2026/12/07 截止。", id="dates"),
    pytest.param("本期支出 12,345.67 元，累计 1,234,567.89 元。", id="amounts"),
    pytest.param("合计 138 012 345.67 元", id="amount-with-space-thousands"),
    pytest.param("收据编号 NO.0012345 与 2026-000123。", id="receipt-numbers"),
    pytest.param("见意见 R2026-0024、R2026-0025 与 D2024-02。", id="request-and-decision-ids"),
    pytest.param("依据第 13 条第 2 款及第 138 条。", id="article-numbers"),
    pytest.param("参考书 ISBN 978-7-111-12345-6，ISBN 7-111-12345-6。", id="isbn"),
    pytest.param("2019 2020 2021 三年的账目", id="years"),
    pytest.param("2019 2020 2021 2022 2023 五年的账目", id="many-years"),
    pytest.param("政务热线 12345，报警 110，急救 120，物业 010-12345678，客服 400-123-4567。", id="hotlines-landlines"),
    pytest.param("电话 0571-8888 0000，传真 (0571) 8888-0001", id="landline-with-area-code"),
    pytest.param("| 年份 | 户数 |\n| 1380 | 1234567 |", id="markdown-table-cells"),
    pytest.param("<table><tr><td>1380</td><td>1234567</td></tr></table>", id="html-table-cells"),
    pytest.param("项目：138 项，1234 户，5678 人", id="counts-split-by-words"),
    pytest.param("联系 138****5678", id="masked"),
    pytest.param("时间 2026-12-05 13:00 至 15:30", id="date-and-time"),
    pytest.param("合同编号 330106198005121230", id="eighteen-digits-bad-checksum"),
    pytest.param("见 https://example.cn/notice/20261205/13 号", id="address-with-digits"),
    pytest.param("这是 at 的用法：meet (at) noon", id="at-in-prose"),
    pytest.param("![标志](images/logo@2x.png) 与 banner@3x.webp", id="high-resolution-image-names"),
]


def found(project, code: str) -> list[tuple[str, int | None, int | None, str]]:
    return [(p.file, p.line, p.col, p.severity) for p in project.check().problems if p.code == code]


def add_to_notice(project, line: str) -> None:
    project.replace(NOTICE, BODY, f"{BODY}\n  {line}")


# --- data YAML ---------------------------------------------------------------------

@pytest.mark.parametrize("written, code, masked", REPRODUCTIONS + VARIANTS)
def test_disguised_in_a_notice_body(minimal, written, code, masked):
    add_to_notice(minimal, f"联系人 {written}。")
    p = minimal.only(code)
    assert (p.file, p.line, p.col, p.severity) == (NOTICE, 9, 7, "error")  # where it starts as written
    zh, en = messages(p)
    assert masked in zh and masked in en


def test_disguised_in_a_quoted_yaml_string(minimal):
    """Escapes in a double-quoted YAML string are disguise too; the number is where it is written."""
    minimal.replace(NOTICE, "title: {zh: 门禁更换公示,", 'title: {zh: "门禁更换公示 １３８\\u200b1234 5678",')
    assert found(minimal, "privacy.mobile") == [(NOTICE, 2, 21, "error")]


def test_disguised_in_a_yaml_comment(minimal):
    minimal.replace(NOTICE, "category: public-notice", "category: public-notice  # 张 1 3 8 1 2 3 4 5 6 7 8")
    assert found(minimal, "privacy.mobile") == [(NOTICE, 3, 30, "error")]


# --- CSV cells ---------------------------------------------------------------------

@pytest.mark.parametrize("written, code, masked", REPRODUCTIONS)
def test_disguised_in_a_csv_note(minimal, written, code, masked):
    minimal.replace(CSV_2024, ROW_2, ROW_2 + f"经办 {written}")
    assert found(minimal, code) == [(CSV_2024, 2, 76, "error")]


def test_csv_cells_of_numbers_side_by_side_pass(minimal):
    """Two number cells are two numbers, whatever their digits add up to."""
    minimal.replace(CSV_2024, ",2000,1800,", ",1380,12345678,")
    assert [p for p in minimal.check().problems if p.code.startswith("privacy.")] == []


# --- content pages -----------------------------------------------------------------

@pytest.mark.parametrize("written, col", [
    pytest.param("1 3 5 1 2 3 4 5 6 7 8", 7, id="spaced-digits"),
    pytest.param("<span>136</span><span>12345678</span>", 13, id="digits-split-by-span"),  # at its first digit
])
def test_content_page_reproductions(minimal, written, col):
    minimal.write(PAGE, f"# 关于我们\n\n居委会值班：\n\n值班电话： {written}\n")
    p = minimal.only("privacy.mobile")
    assert (p.file, p.line, p.col, p.severity) == (PAGE, 5, col, "error")


@pytest.mark.parametrize("written, code, masked", REPRODUCTIONS + VARIANTS)
def test_disguised_in_a_content_page(minimal, written, code, masked):
    minimal.write("content/en/contact.md", f"---\ntitle: Contact\n---\n\n# Contact\n\nCall {written} any time.\n")
    p = minimal.only(code)
    assert (p.file, p.line, p.col) == ("content/en/contact.md", 7, 6)
    assert masked in messages(p)[1]


def test_plain_personal_data_in_a_content_page(minimal):
    """Before issue #18 nothing under content/ was scanned at all, not even a plain number."""
    minimal.write(PAGE, f"# 关于\n\n王师傅 13812345678，身份证 {ID_CARD}，邮箱 wang@qq.com\n")
    problems = sorted((p.code, p.line, p.col) for p in minimal.check().problems if p.file == PAGE)
    assert problems == [("privacy.email", 3, 43), ("privacy.id-card", 3, 21), ("privacy.mobile", 3, 5)]


def test_front_matter_and_any_file_under_content(minimal):
    minimal.write(PAGE, "---\ntitle: 关于\nauthor: 王师傅 13812345678\n---\n\n# 关于\n")
    minimal.write("content/notes.txt", "草稿：张三 １３９１２３４５６７８\n")
    assert sorted((f, ln) for f, ln, _, _ in found(minimal, "privacy.mobile")) == [
        ("content/notes.txt", 1), (PAGE, 3)]


def test_official_contacts_may_be_repeated_in_pages_and_text(minimal):
    """The community's own contact numbers and addresses are public: a contact page or a
    notice may repeat them, however written; anybody else's is still found."""
    minimal.replace("data/services/meal.yaml", "phone: 0571-8888 0001", 'phone: "139 0000 1111"')
    minimal.replace("data/community.yaml", "    phone: 0571-8888 0000",
                    "    phone: 0571-8888 0000\n    email: JWH-Office@example.cn")
    minimal.write(PAGE, "# 联系我们\n\n助餐点 １３９-００００-１１１１，居委会 jwh-office＠example.cn\n\n"
                        "王师傅 13912345678，wang@example.cn\n")
    add_to_notice(minimal, "助餐点电话 13900001111，邮箱 jwh-office@example.cn")
    problems = sorted((p.code, p.file, p.line) for p in minimal.check().problems)
    assert problems == [("privacy.email", PAGE, 5), ("privacy.mobile", PAGE, 5)]


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_numbers_in_a_content_page_pass(minimal, text):
    minimal.write(PAGE, f"# 关于\n\n{text}\n")
    assert [p for p in minimal.check().problems if p.code.startswith("privacy.")] == []


@pytest.mark.parametrize("text", [t for t in HARMLESS if "\n" not in t.values[0]])
def test_harmless_numbers_in_a_notice_pass(minimal, text):
    add_to_notice(minimal, text)
    assert [p for p in minimal.check().problems if p.code.startswith("privacy.")] == []


def test_disguised_in_the_site_settings(minimal):
    """mkdocs.yml is the committee's too: its copyright line is on every page."""
    minimal.write("mkdocs.yml", "site_name: 社区\ntheme:\n  name: material\ncopyright: 值班 １３８ １２３４ ５６７８\n")
    assert found(minimal, "privacy.mobile") == [("mkdocs.yml", 4, 15, "error")]


# --- the at-sign spelt out: a warning -------------------------------------------------

@pytest.mark.parametrize("written", SPELT)
def test_spelt_out_email_is_a_warning(minimal, written):
    minimal.write(PAGE, f"# 关于\n\n来信请寄 {written}\n")
    p = minimal.only("privacy.email-spelt")
    assert (p.file, p.line, p.col, p.severity) == (PAGE, 3, 6, "warning")
    zh, en = messages(p)
    assert "z***@example.com" in zh and "z***@example.com" in en
    assert minimal.check().ok  # a warning: the site still builds


# --- the post-build scan -----------------------------------------------------------------

def _leaks(site, files: dict[str, str], allowed: set[str] | None = None) -> list[tuple[str, str, str]]:
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    return sorted(published_leaks(site, allowed or set()))


@pytest.mark.parametrize("written, code, masked", REPRODUCTIONS + VARIANTS + [
    pytest.param("1 3 5 1 2 3 4 5 6 7 8", "privacy.mobile", "135****5678", id="page-spaced-digits"),
    pytest.param("<span>136</span><span>12345678</span>", "privacy.mobile", "136****5678", id="page-span-split"),
    pytest.param("wangli1980@163.com", "privacy.email", "w***@163.com", id="plain-email"),
])
def test_post_build_scan_finds_disguised_data(tmp_path, written, code, masked):
    page = f"<!doctype html><html><body><article><p>值班：{written}</p></article></body></html>"
    assert _leaks(tmp_path, {"notices/index.html": page}) == [("notices/index.html", code, masked)]


def test_post_build_scan_in_downloads_and_feeds(tmp_path):
    leaks = _leaks(tmp_path, {
        "data/notices.json": '{"body": "联系 138\\u200b1234 5678", "by": "zhang\\uff20example.com"}',  # JSON escapes
        "data/notices.csv": "id,note\n1,１３８１２３４５６７８\n",
        "feed.xml": "<item><description>zhang&#x40;example.com</description></item>",
        "calendar.ics": "DESCRIPTION:联系 1 3 8 1 2 3 4 5 6 7 8\n",
    })
    assert leaks == [("calendar.ics", "privacy.mobile", "138****5678"),
                     ("data/notices.csv", "privacy.mobile", "138****5678"),
                     ("data/notices.json", "privacy.email", "z***@example.com"),
                     ("data/notices.json", "privacy.mobile", "138****5678"),
                     ("feed.xml", "privacy.email", "z***@example.com")]


def test_post_build_scan_allows_the_official_contacts(tmp_path):
    page = ("<p>居委会 <a href=\"mailto:JWH@example.cn\">jwh＠example.cn</a>，"
            "电话 <a href=\"tel:+86-139-0000-1111\">139 0000 1111</a>；王师傅 wang@qq.com</p>")
    leaks = _leaks(tmp_path, {"index.html": page}, allowed={"jwh@example.cn", "13900001111"})
    assert leaks == [("index.html", "privacy.email", "w***@qq.com")]


def test_an_official_contact_in_full_width_digits_may_be_published(minimal, tmp_path):
    """The data check lets a contact field through however it is written; so does the build's scan."""
    from generator.checks.privacy import contact_values
    from generator.pipeline import load_and_check

    minimal.replace("data/services/meal.yaml", "phone: 0571-8888 0001", 'phone: "１３８ １２３４ ５６７８"')
    checked = load_and_check(minimal.root, jobs=1)
    assert [p for p in checked.report.problems if p.code.startswith("privacy.")] == []
    page = "<p>助餐点电话 １３８ １２３４ ５６７８；王师傅 13912345678</p>"
    assert _leaks(tmp_path, {"index.html": page}, contact_values(checked.project)) == [
        ("index.html", "privacy.mobile", "139****5678")]


def test_post_build_scan_reads_no_icon_path_or_theme_code(tmp_path):
    """Coordinates in an inline icon are attributes, not text; theme assets are not ours."""
    icon = '<svg viewBox="0 0 24 24"><path d="M13 8 1 2 3 4 5 6 7 8 9 1 3.5 8 1 2 3 4 5 6 7 8Z"/></svg>'
    leaks = _leaks(tmp_path, {"index.html": f"<p>{icon} 通知</p>", "assets/app.js": "n='1 3 8 1 2 3 4 5 6 7 8'"})
    assert leaks == []


def test_post_build_scan_still_reads_a_tel_link(tmp_path):
    leaks = _leaks(tmp_path, {"index.html": '<a href="tel:+86-138-1234-5678">联系王师傅</a>'})
    assert leaks == [("index.html", "privacy.mobile", "138****5678")]


@pytest.mark.parametrize("text", HARMLESS)
def test_post_build_scan_passes_harmless_numbers(tmp_path, text):
    page = f"<!doctype html><html><body><p>{text}</p><time datetime=\"2026-12-05T13:00:00+08:00\">2026-12-05</time>"
    assert _leaks(tmp_path, {"notices/index.html": page}) == []


def test_a_real_build_publishes_everyday_numbers_and_official_contacts(minimal, tmp_path):
    """A whole site (theme icons, JSON-LD, feeds, downloads) with every harmless text of
    this file and the official contacts written in disguise builds: the last look finds
    nothing, and the page shows what was written."""
    from generator.build import build

    minimal.replace("data/services/meal.yaml", "phone: 0571-8888 0001", 'phone: "139 0000 1111"')
    minimal.replace("data/community.yaml", "    phone: 0571-8888 0000",
                    "    phone: 0571-8888 0000\n    email: jwh-office@example.cn")
    texts = [p.values[0] for p in HARMLESS]
    minimal.write(PAGE, "# 关于\n\n" + "\n\n".join(texts) + "\n\n助餐点 １３９ ００００ １１１１，邮箱 jwh-office＠example.cn\n")
    build(minimal.root, tmp_path / "site", jobs=1)
    page = (tmp_path / "site" / "about" / "index.html").read_text(encoding="utf-8")
    assert "R2026-0024" in page and "１３９ ００００ １１１１" in page
    assert list(published_leaks(tmp_path / "site", set())) != []  # the contacts are there, found without the allowance


# --- the normaliser itself ---------------------------------------------------------------

def test_every_format_character_is_invisible():
    """The scan's list of invisible characters covers every Unicode format character
    (category Cf) this Python knows, so a new one cannot hide a number."""
    import re

    from generator.checks.disguise import INVISIBLE

    invisible = re.compile(f"[{INVISIBLE}]")
    missing = [f"U+{c:04X}" for c in range(sys.maxunicode + 1)
               if unicodedata.category(chr(c)) == "Cf" and not invisible.match(chr(c))]
    assert missing == []


def test_normalise_maps_back_to_the_original_offsets():
    from generator.checks.disguise import normalise

    text = "a<b>１</b>&#x33;\u200b8"
    norm, origin = normalise(text)
    assert norm == "a138"
    assert [text[o] for o in origin[:-1]] == ["a", "１", "&", "8"]
    assert origin[-1] == len(text)


def test_hits_carry_where_they_start():
    from generator.checks.disguise import find

    text = "第一行\n值班 +86 138 1234 5678，邮箱 zhang&#64;example.com"
    assert [(h.kind, h.offset) for h in find(text)] == [("mobile", text.index("+")), ("email", text.index("zhang"))]


def test_a_long_run_of_separated_digits_stays_fast():
    """A failed candidate must not backtrack exponentially (one character class per separator)."""
    import time

    from generator.checks.disguise import find

    # Ten digits (one short of a candidate) with long runs of every kind of separator
    # between them: each start fails after reading the run once, not once per way to split it.
    gap = "\u00a0 -.\u200b&nbsp;<b></b>\u3000" * 20
    text = ("x" + ("1" + gap) * 10 + "x") * 100 + "<b>" * 5000
    started = time.perf_counter()
    assert list(find(text)) == []
    assert time.perf_counter() - started < 2


def test_every_address_on_a_long_line_is_found_in_linear_time():
    """A one-line JSON download full of at-signs ("@type") and addresses: each address
    once, at its place, and no window read twice over."""
    import time

    from generator.checks.disguise import find

    records = [f'{{"@type":"Person","email":"user{i}@example.cn"}}' for i in range(3000)]
    text = "[" + ",".join(records) + "]"
    started = time.perf_counter()
    hits = [h for h in find(text) if h.kind == "email"]
    assert time.perf_counter() - started < 5
    assert [h.value for h in hits] == [f"user{i}@example.cn" for i in range(3000)]
    assert all(text.startswith(h.value, h.offset) for h in hits)


def test_the_fast_patterns_match_as_the_plain_ones_did():
    """The candidate and at-sign patterns are written for speed (possessive, look-behinds,
    a leading character class): on random text of digits, separators, tags, entities and
    at-sign spellings they match exactly where the plainly written ones (below) match."""
    import random
    import re

    from generator.checks import disguise as d

    tail = rf"{d._SEP}*(?:{d._DIGIT}{d._SEP}*){{10,}}[XxＸｘ]?"
    plain_cluster = re.compile(rf"\d{tail}")
    plain_coded = re.compile(rf"(?:{d._CODED}){tail}")
    plain_at = re.compile(r"[@\uff20\ufe6b]|&(?:#0*64|#[xX]0*40|commat);?|\\u(?:0040|[fF][fF]20|[fF][eE]6[bB])"
                          r"|[(\[{\uff08] ?[aA][tT] ?[)\]}\uff09]")
    pieces = [*"0123456789", *"0123456789", "１", "٣", " ", "-", ".", "\u200b", "\u00a0", "\u3000", "\u00b7",
              "<b>", "</span>", "<br/>", "<p class=x>", "&nbsp;", "&#49;", "&#x31;", "\\u0031", "\\uff11", "\\x31",
              "X", "x", "a", "+", "86", "\n", "@", "&#64;", "&commat;", "\\u0040", "(at)", "[ AT ]", "（at）",
              "&", "(", "\\", "<", ">"]
    rng = random.Random(20)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 80)))
        for fast, plain in ((d._CLUSTER, plain_cluster), (d._CLUSTER_CODED, plain_coded), (d._AT_HINT, plain_at)):
            assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)], text
