"""Text put together from pieces takes the punctuation of the user's language."""

import pytest
from django.template import Context, Template
from django.utils import translation

from portal.text import aside, bracketed, join_list, labelled


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", ["甲、乙、丙", "状态：已完成", "区医院（东院）", "（60%）"]),
        ("en", ["甲, 乙, 丙", "状态: 已完成", "区医院 (东院)", " (60%)"]),
    ],
)
def test_pieces_are_joined_in_the_users_language(language, expected):
    with translation.override(language):
        assert [
            join_list(["甲", "乙", "丙"]),
            labelled("状态", "已完成"),
            aside("区医院", "东院"),
            bracketed("60%"),
        ] == expected


def test_template_filters_escape_the_pieces():
    template = Template(
        "{% load text %}{{ items|join_list }} {{ a|labelled:b }} {{ a|aside:b }} {{ b|bracketed }}"
    )
    with translation.override("en"):
        out = template.render(Context({"items": ["<b>", "乙"], "a": "A&B", "b": "<i>"}))
    assert out == "&lt;b&gt;, 乙 A&amp;B: &lt;i&gt; A&amp;B (&lt;i&gt;)  (&lt;i&gt;)"


def test_workbook_sheet_titles_are_ones_excel_accepts():
    import io

    from openpyxl import load_workbook

    from portal.xlsx import workbook_bytes

    title = "Joint meeting 2026/3: members [all]? *draft* back\\slash and a long tail"
    book = load_workbook(io.BytesIO(workbook_bytes([(title, ["a"], [[1]])])))
    (name,) = book.sheetnames
    assert name == "Joint meeting 2026-3- members -"
    assert len(name) == 31


def test_a_place_names_its_community_once():
    from portal.text import place_name

    assert place_name("兰苑社区", "兰苑社区第1网格") == "兰苑社区第1网格"
    assert place_name("兰苑社区", "1号网格") == "兰苑社区 · 1号网格"
    assert place_name("兰苑社区") == place_name("兰苑社区", "兰苑社区") == "兰苑社区"
