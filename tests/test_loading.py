"""The YAML loader: positions, YAML 1.1 surprises turned off, hostile input refused."""

import datetime as dt

import pytest

from generator.loading.textfile import TextFileProblem, decode
from generator.loading.yamlfile import YamlProblem, locate, parse_yaml


def test_values_and_positions():
    data = parse_yaml("a: 1\nlist:\n  - x: 2019-05-01\n    y: [1, 2]\n")
    assert data == {"a": 1, "list": [{"x": dt.date(2019, 5, 1), "y": [1, 2]}]}
    assert data.pos["list"] == (2, 1)
    assert locate(data, ("list", 0, "y", 1)) == (4, 12)
    # a missing key points at the deepest existing parent
    assert locate(data, ("list", 0, "nope")) == (3, 5)


@pytest.mark.parametrize("text, expected", [
    ("v: no", "no"), ("v: on", "on"), ("v: yes", "yes"),  # the "Norway problem"
    ("v: 19:00", "19:00"),  # not the base-60 integer 1140
    ("v: 0755", 755), ("v: true", True), ("v: ~", None), ("v: 1.5", 1.5),
])
def test_yaml_1_2_scalars(text, expected):
    assert parse_yaml(text)["v"] == expected


@pytest.mark.parametrize("text, code, line", [
    ("a: &x [1]\nb: *x\n", "yaml.alias", 1),
    ("a: 1\nb: 2\na: 3\n", "yaml.duplicate-key", 3),
    ("a: [1\n", "yaml.syntax", 2),
    ("a: 1\n---\nb: 2\n", "yaml.multiple-documents", 2),
    ("a:\n\t- x\n", "yaml.syntax", 2),
    ("a: !!python/object/apply:os.system [ls]\n", "yaml.syntax", 1),
    ("? [1, 2]\n: x\n", "yaml.bad-key", 1),
])
def test_bad_yaml_is_a_located_problem(text, code, line):
    with pytest.raises(YamlProblem) as info:
        parse_yaml(text)
    assert (info.value.code, info.value.line) == (code, line)


def test_billion_laughs_is_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)
    )
    with pytest.raises(YamlProblem) as info:
        parse_yaml(bomb)
    assert info.value.code == "yaml.alias"


def test_deep_nesting_is_a_problem_not_a_crash():
    deep = "a: " + "[" * 3000 + "]" * 3000 + "\n"
    with pytest.raises(YamlProblem) as info:
        parse_yaml(deep)
    assert info.value.code in ("yaml.too-deep", "yaml.syntax")


@pytest.mark.parametrize("raw, code", [
    ("名称: 值\n".encode("gbk"), "file.encoding"),
    ("a: 1\n".encode("utf-16"), "file.encoding"),
    (b"PK\x03\x04\x00\x00binary", "file.binary"),
])
def test_undecodable_files(raw, code):
    with pytest.raises(TextFileProblem) as info:
        decode(raw)
    assert info.value.code == code


def test_gbk_is_named_as_such():
    with pytest.raises(TextFileProblem) as info:
        decode("标题: 通知\n".encode("gbk"))
    assert info.value.params["encoding"] == "GBK/GB18030"


def test_bom_and_crlf_are_accepted():
    assert decode("\ufeffa: 1\r\nb: 2\r\n".encode()) == "a: 1\nb: 2\n"


@pytest.mark.parametrize("text", [
    "a: " + "[" * 400 + "]" * 400 + "\n",  # under the events pre-check's bound: refused while building
    "a:\n" + "".join("  " * i + "- \n" for i in range(20)) + "  " * 20 + "- " + "{b: " * 90 + "}" * 90 + "\n",
    "a: " + "[" * 3000 + "]" * 3000 + "\n",  # over it: the events are counted first
])
def test_too_deep_wherever_the_limit_is_passed(text):
    from generator.loading.yamlfile import MAX_DEPTH

    with pytest.raises(YamlProblem) as info:
        parse_yaml(text)
    assert info.value.code == "yaml.too-deep" and info.value.params["limit"] == MAX_DEPTH
    assert info.value.line is not None
