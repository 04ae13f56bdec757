"""`portal check` refuses personal data (ID-card numbers, mobile numbers, e-mail
addresses) and unsafe markup anywhere in the data, YAML comments and CSV cells
included; official contact fields and masked numbers pass.
"""

from __future__ import annotations

import pytest

from tests.problem_asserts import messages

COMMUNITY = "data/community.yaml"
MEETING = "data/meetings/2024-03-10-jwh.yaml"
NOTICE = "data/notices/2024-001.yaml"
SERVICE = "data/services/meal.yaml"
CSV_2024 = "data/budgets/2024.csv"
FUNDS = "data/budgets/funds.csv"

BODY = "  经居委会会议表决，更换 3 号楼单元门禁。"  # line 8 of the notice
#: Line 2 of 2024.csv up to its (empty) note cell, which starts at column 73.
ROW_2 = "2024-001,2024,2024,community-fund,expenditure,办公经费,办公用品,2000,1800,街道拨款,,"
ID_CARD = "11010519491231002X"  # valid GB 11643 checksum (X) and birth date
ID_CARD_2 = "330106198005121239"




def found(project, code: str) -> list[tuple[str, int | None, int | None, str]]:
    return [(p.file, p.line, p.col, p.severity) for p in project.check().problems if p.code == code]


def add_to_notice(project, line: str) -> None:
    """A new line 9 in the notice body."""
    project.replace(NOTICE, BODY, f"{BODY}\n  {line}")


# --- ID-card numbers -------------------------------------------------------------

@pytest.mark.parametrize("number, masked", [(ID_CARD_2, "330***********1239"), (ID_CARD, "110***********002X")])
def test_id_card_in_notice_body(minimal, number, masked):
    add_to_notice(minimal, f"联系人：王师傅，身份证 {number}。")
    p = minimal.only("privacy.id-card")
    assert (p.file, p.line, p.col, p.severity) == (NOTICE, 9, 15, "error")
    zh, en = messages(p)
    assert masked in zh and masked in en
    assert number not in zh and number not in en  # the report must not republish it
    assert "身份证" in zh and "ID card" in en


def test_id_card_in_a_csv_note(minimal):
    minimal.replace(CSV_2024, ROW_2, ROW_2 + f"领款人 张三 {ID_CARD}")
    assert found(minimal, "privacy.id-card") == [(CSV_2024, 2, 80, "error")]


def test_id_card_in_a_yaml_comment(minimal):
    """Comments are not shown on the site, but they are published in the repository."""
    minimal.replace(MEETING, "place: 社区活动室", f"place: 社区活动室  # 借用人 {ID_CARD}")
    assert found(minimal, "privacy.id-card") == [(MEETING, 8, 21, "error")]


@pytest.mark.parametrize("number", ["330106198005121230", "110105194913310021"], ids=["bad-checksum", "month-13"])
def test_eighteen_digits_that_are_no_id_card_pass(minimal, number):
    add_to_notice(minimal, f"合同编号 {number}。")
    assert minimal.check().problems == []


# --- mobile numbers --------------------------------------------------------------

@pytest.mark.parametrize("written, col", [
    ("13812345678", 14), ("138-1234-5678", 14), ("138 1234 5678", 14), ("+86 13812345678", 14),
])
def test_mobile_in_notice_body(minimal, written, col):
    add_to_notice(minimal, f"如有疑问请联系王师傅 {written}。")
    p = minimal.only("privacy.mobile")
    assert (p.file, p.line, p.col, p.severity) == (NOTICE, 9, col, "error")
    zh, en = messages(p)
    assert "138****5678" in zh and "138****5678" in en
    assert "12345678" not in zh and "12345678" not in en
    assert "phone" in zh and "phone" in en  # the hint names the official field


def test_mobile_glued_to_chinese_text(minimal):
    minimal.replace(NOTICE, BODY, BODY.rstrip("。") + "，如有疑问请联系王师傅13812345678。")
    assert found(minimal, "privacy.mobile") == [(NOTICE, 8, 34, "error")]


def test_mobile_in_meeting_agenda_detail(minimal):
    minimal.replace(MEETING, "detail: 3号楼居民联名}", "detail: 3号楼居民联名，联系人 13912345678}")
    assert found(minimal, "privacy.mobile") == [(MEETING, 23, 54, "error")]


def test_mobile_in_csv_cell(minimal):
    minimal.replace(CSV_2024, "补种绿植", "补种绿植（联系人13812345678）")
    assert found(minimal, "privacy.mobile") == [(CSV_2024, 5, 61, "error")]


def test_mobile_in_csv_after_a_phone_label(minimal):
    """The official-field exception is for YAML contact fields, not for table cells."""
    minimal.replace(FUNDS, "停车和广告收入", "停车和广告收入 phone: 13812345678")
    assert found(minimal, "privacy.mobile") == [(FUNDS, 3, 55, "error")]


def test_mobile_on_a_phone_line_inside_notice_text(minimal):
    """``phone:`` at the start of a line of body text is text, not an official contact field."""
    add_to_notice(minimal, "请联系王师傅\n  phone: 13812345678")
    assert found(minimal, "privacy.mobile") == [(NOTICE, 10, 10, "error")]


@pytest.mark.parametrize("edit", [
    pytest.param((NOTICE, BODY, BODY + "如有疑问请联系王师傅 138****5678。"), id="masked-in-notice"),
    pytest.param((COMMUNITY, "    phone: 0571-8888 0000", '    phone: "13812345678"'), id="contact-point-phone"),
    pytest.param((COMMUNITY, "    kind: owners-committee\n", '    kind: owners-committee\n    phone: "13912345678"\n'),
                 id="body-phone"),
    pytest.param((SERVICE, "phone: 0571-8888 0001", 'phone: "13812345678"'), id="service-phone"),
    pytest.param((COMMUNITY, "    phone: 0571-8888 0000", "    phone: 0571-8888 0000\n    email: jwh@example.cn"),
                 id="contact-point-email"),
    pytest.param((COMMUNITY, "  - id: ywh\n", "  - id: ywh\n    email: ywh-office@example.cn\n"), id="body-email"),
    pytest.param((CSV_2024, "补种绿植", "补种绿植（联系人138****5678）"), id="masked-in-csv"),
])
def test_official_contact_or_masked_number_passes(minimal, edit):
    minimal.replace(*edit)
    assert minimal.check().problems == []


# --- e-mail addresses --------------------------------------------------------------

def test_email_in_notice_body(minimal):
    add_to_notice(minimal, "意见请发至 wangli1980@163.com。")
    p = minimal.only("privacy.email")
    assert (p.file, p.line, p.col, p.severity) == (NOTICE, 9, 9, "error")
    zh, en = messages(p)
    assert "w***@163.com" in zh and "w***@163.com" in en
    assert "wangli1980" not in zh and "wangli1980" not in en
    assert "email" in zh and "email" in en


def test_email_in_csv_note(minimal):
    minimal.replace(CSV_2024, ROW_2, ROW_2 + "经办人 wang@qq.com")
    assert found(minimal, "privacy.email") == [(CSV_2024, 2, 77, "error")]


def test_every_leak_in_a_file_is_reported(minimal):
    add_to_notice(minimal, f"王师傅 13812345678，身份证 {ID_CARD}，邮箱 wang@qq.com")
    codes = sorted(p.code for p in minimal.check().problems)
    assert codes == ["privacy.email", "privacy.id-card", "privacy.mobile"]


# --- unsafe markup -----------------------------------------------------------------

# One problem per thing the sanitizer removes (an element once, with its content), at its column.
UNSAFE_CASES = [
    pytest.param("<script>alert(1)</script>", [(3, "<script>")], id="script"),
    pytest.param('<SCRIPT src="http://x.cn/a.js"></SCRIPT>', [(3, "<script>")], id="script-upper"),
    pytest.param('<img src="men.jpg" onerror="alert(1)">', [(22, 'onerror="alert(1)"')], id="event-attribute"),
    # The case of issue #9: no space before the handler, inside a block element.
    pytest.param('<div><img src="x.png"onerror="alert(1)"></div>', [(24, 'onerror="alert(1)"')], id="event-attribute-no-space"),
    pytest.param("[查看图纸](javascript:alert(1))", [(10, 'href="javascript:alert(1)"')], id="javascript-link"),
    pytest.param('<iframe src="https://map.example.cn"></iframe>', [(3, "<iframe>")], id="iframe"),
    pytest.param("<svg/onload=alert(1)>", [(3, "<svg>")], id="svg"),
    pytest.param("<style>body{display:none}</style>", [(3, "<style>")], id="style"),
    pytest.param('<p style="color:red">红字</p>', [(6, 'style="color:red"')], id="style-attribute"),
]


@pytest.mark.parametrize("html, expected", UNSAFE_CASES)
def test_unsafe_markup_in_notice_body(minimal, html, expected):
    add_to_notice(minimal, html)
    problems = [p for p in minimal.check().problems if p.code == "markdown.unsafe-html"]
    assert [(p.file, p.line, p.col, p.severity) for p in problems] == [(NOTICE, 9, col, "error") for col, _ in expected]
    for p, (_, snippet) in zip(problems, expected):
        zh, en = messages(p)
        assert snippet in zh and snippet in en
        assert "Markdown" in zh and "Markdown" in en


def test_script_in_quoted_service_summary(minimal):
    minimal.replace(SERVICE, "summary: 为老年居民提供午餐。", 'summary: "为老年居民提供午餐。<script>track()</script>"')
    assert found(minimal, "markdown.unsafe-html") == [(SERVICE, 4, 21, "error")]


def test_script_in_csv_cell(minimal):
    minimal.replace(CSV_2024, "补种绿植", "补种绿植<script>x()</script>")
    assert found(minimal, "markdown.unsafe-html") == [(CSV_2024, 5, 57, "error")]


@pytest.mark.parametrize("href", ["jav&#x61;script:alert(1)", "javascript&colon;alert(1)", "java&#x09;script:alert(1)",
                                  "&#x20;javascript:alert(1)"],
                         ids=["entity-in-scheme", "entity-colon", "tab-in-scheme", "leading-space"])
def test_disguised_javascript_link(minimal, href):
    """Browsers decode entities and drop tabs in href before reading the scheme."""
    add_to_notice(minimal, f'<a href="{href}">详情</a>')
    assert [(f, line, sev) for f, line, _, sev in found(minimal, "markdown.unsafe-html")] == [(NOTICE, 9, "error")]


@pytest.mark.parametrize("text", [
    pytest.param('<b>重要</b>：请于 3 月 19 日前提出意见，<a href="https://example.cn/plan">详见图纸</a>。', id="bold-and-link"),
    pytest.param("[详见图纸](https://example.cn/plan.pdf)，联系电话 0571-8888 0000。", id="markdown-link-landline"),
    pytest.param("少儿编程课 JavaScript: 从零开始，每周六上午。", id="javascript-course-title"),
])
def test_plain_markdown_and_harmless_html_pass(minimal, text):
    add_to_notice(minimal, text)
    assert minimal.check().problems == []


# --- every file under data/ -----------------------------------------------------------

#: One file of every kind the minimal project has under data/, the table schema and the
#: package descriptor included (issue #9: a number in a schema's description passed).
EVERY_DATA_FILE = [
    "data/community.yaml", "data/forms/suggestion.yaml", "data/meetings/2024-03-10-jwh.yaml",
    "data/notices/2024-001.yaml", "data/rules/covenant.yaml", "data/services/meal.yaml",
    "data/budgets/2024.csv", "data/budgets/funds.csv", "data/budgets/totals.csv",
    "data/budgets/budget-lines.schema.yaml", "data/budgets/datapackage.yaml",
]


@pytest.mark.parametrize("file", EVERY_DATA_FILE)
@pytest.mark.parametrize("leak, code", [("13812345678", "privacy.mobile"), (ID_CARD, "privacy.id-card")],
                         ids=["mobile", "id-card"])
def test_personal_data_in_every_kind_of_data_file(minimal, file, leak, code):
    """Appended as a comment line (YAML) or an extra text line (CSV): either way in git
    history, and the check reads every file as text."""
    path = minimal.root / file
    text = path.read_text(encoding="utf-8")
    comment = "#" if file.endswith(".yaml") else ""
    path.write_text(text.rstrip("\n") + f"\n{comment} 联系人 {leak}\n", encoding="utf-8")
    line = text.rstrip("\n").count("\n") + 2
    assert [(f, ln) for f, ln, _, _ in found(minimal, code)] == [(file, line)]


def test_personal_data_in_a_file_no_kind_reads(minimal):
    """A note left under data/ (not a data kind) is in git history too."""
    minimal.write("data/budgets/readme.txt", "会计 王某 13812345678\n")
    assert ("data/budgets/readme.txt", 1) in [(f, ln) for f, ln, _, _ in found(minimal, "privacy.mobile")]


def test_published_outputs_are_scanned(tmp_path):
    """The build's last look: personal data in a built page, download or feed is
    found (except the official contact numbers the data allows)."""
    from generator.checks.privacy import published_leaks

    (tmp_path / "notices").mkdir()
    (tmp_path / "notices" / "index.html").write_text("<p>值班 13812345678，服务电话 13900001111</p>", encoding="utf-8")
    (tmp_path / "data.csv").write_text(f"id,note\n1,{ID_CARD}\n", encoding="utf-8")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "bundle.js").write_text("var n=13812345678;", encoding="utf-8")  # theme code, not ours
    leaks = sorted(published_leaks(tmp_path, allowed={"13900001111"}))
    assert leaks == [("data.csv", "privacy.id-card", "110***********002X"),
                     ("notices/index.html", "privacy.mobile", "138****5678")]


def _text_files_by_rglob(root, folder, skip=frozenset()):  # type: ignore[no-untyped-def]
    """``privacy._text_files`` as it was, with ``Path.rglob``: the reference for its order and choices."""
    from generator.checks import privacy

    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if (skip and path.relative_to(root).as_posix() in skip) or path.is_symlink() or not path.is_file() \
                or path.stat().st_size > privacy.SCAN_LIMIT:
            continue
        raw = path.read_bytes()
        if b"\0" in raw[:8192]:
            continue
        yield path.relative_to(root).as_posix(), raw.decode("utf-8", errors="replace")


def test_text_files_are_listed_as_rglob_lists_them(tmp_path, monkeypatch):
    """The scan's listing walks data/ with ``os.scandir``: same files, same order, same
    choices as ``sorted(rglob("*"))`` (links, hidden files, binaries, large files, names
    that sort differently whole than part by part)."""
    from generator.checks import privacy

    monkeypatch.setattr(privacy, "SCAN_LIMIT", 100)
    root = tmp_path / "p"
    data = root / "data"
    for rel, body in {"a/b.txt": "1", "a-b/x.txt": "2", "a.b": "3", ".hidden": "4", "a/.c/d.md": "5",
                      "deep/er/est.csv": "6", "big.txt": "x" * 101, "bin.dat": "ab\0cd", "Z.txt": "7",
                      "meetings/m.yaml": "8", "é.txt": "9"}.items():
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).write_text(body, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.txt").write_text("out", encoding="utf-8")
    (data / "link-dir").symlink_to(outside)
    (data / "link-file").symlink_to(data / "a.b")
    (data / "dangling").symlink_to(tmp_path / "nothing")
    (data / "empty").mkdir()
    skip = {"data/meetings/m.yaml"}
    expected = list(_text_files_by_rglob(root, data, skip))
    assert [f for f, _ in expected][:3] == ["data/.hidden", "data/Z.txt", "data/a/.c/d.md"]
    assert list(privacy._text_files(root, data, skip)) == expected
    assert list(privacy._text_files(root, data)) == list(_text_files_by_rglob(root, data))
    assert list(privacy._text_files(root, root / "missing")) == []
