from generator.messages import render


def test_minimal_project_checks_clean(minimal):
    report = minimal.check()
    assert report.problems == []
    assert report.files_checked == 13


def test_table_type_error_names_cell_line_and_column(minimal):
    minimal.replace("data/budgets/2024.csv", "2000,1800,", '2000,"1,800元",')
    p = minimal.only("table.type")
    assert (p.file, p.line, p.col) == ("data/budgets/2024.csv", 2, 9)
    zh, zh_hint = render(p, "zh")
    en, en_hint = render(p, "en")
    assert "“1,800元”" in zh and "数字" in zh and zh_hint == "只填数字，如 1800"
    assert "is not a number" in en and en_hint == "digits only, e.g. 1800"
