"""The renderer: sandboxed, autoescaping, strict, and kind to templates edited in Word."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from recordskit.documents.rendering.render import Stamp
from recordskit.errors import TemplateError
from recordskit.service import LetterTemplate
from tests.conftest import docx_text, examples

STAMP = Stamp(title="t", subject="s", law_version="v", template_name="x.docx",
              recordskit_version="0")


def _template(tmp_path: Path, *paragraphs: str, header: str = "") -> LetterTemplate:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    path = tmp_path / "t.docx"
    document.save(path)
    return LetterTemplate(path)


def test_values_are_escaped_in_body_and_header(tmp_path: Path) -> None:
    template = _template(tmp_path, "Dear {{ name }},", "Static R&D {{ note }}",
                         header="Header: {{ name }}")
    data = template.render({"name": "Smith & Sons <x>", "note": "a < b & c > d"}, STAMP)
    text = docx_text(data)
    assert "Dear Smith & Sons <x>," in text
    assert "Static R&D a < b & c > d" in text
    import io

    header = Document(io.BytesIO(data)).sections[0].header.paragraphs[0].text
    assert header == "Header: Smith & Sons <x>"


def test_ampersand_inside_a_tag_means_ampersand(tmp_path: Path) -> None:
    template = _template(tmp_path, "{{ 'A & B' }}|{% if v == 'x & y' %}MATCH{% endif %}")
    assert "A & B|MATCH" in docx_text(template.render({"v": "x & y"}, STAMP))


def test_line_breaks_become_line_breaks(tmp_path: Path) -> None:
    template = _template(tmp_path, "{{ address }}")
    text = docx_text(template.render({"address": "1 Main St\nBoston, MA"}, STAMP))
    assert "1 Main St\nBoston, MA" in text


@pytest.mark.parametrize("payload", [
    "{{ cycler.__init__.__globals__.os.getcwd() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ request.__class__ }}",
    "{{ '{0.__class__}'.format(request) }}{{ '{0.__class__.__mro__}'.format(request) }}",
])
def test_template_payloads_are_refused(tmp_path: Path, payload: str) -> None:
    template = _template(tmp_path, payload)
    with pytest.raises(TemplateError, match="the sandbox forbids"):
        template.render({"request": {"a": 1}}, STAMP)


def test_huge_range_is_refused(tmp_path: Path) -> None:
    template = _template(tmp_path, "{% for i in range(10**9) %}{% endfor %}")
    with pytest.raises(TemplateError, match=r"t\.docx"):
        template.render({}, STAMP)


def test_misspelt_variable_is_an_error_not_a_blank(tmp_path: Path) -> None:
    template = _template(tmp_path, "Dear {{ nmae }},")
    with pytest.raises(TemplateError, match="'nmae' is undefined"):
        template.render({"name": "Ana"}, STAMP)


def test_syntax_error_names_template_and_text(tmp_path: Path) -> None:
    template = _template(tmp_path, "Dear {{ name }", "{% if %}")
    with pytest.raises(TemplateError, match=r"t.docx: template syntax error"):
        template.render({"name": "Ana"}, STAMP)


def test_not_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    path.write_text("not a zip")
    with pytest.raises(TemplateError, match="not a Word"):
        LetterTemplate(path)
    with pytest.raises(TemplateError, match="cannot read"):
        LetterTemplate(tmp_path / "missing.docx")


def test_tags_split_across_runs_by_word(tmp_path: Path) -> None:
    document = Document()
    paragraph = document.add_paragraph()
    for piece, bold in (("Dear {{ na", False), ("me }", True), ("}!", False)):
        paragraph.add_run(piece).bold = bold
    path = tmp_path / "split.docx"
    document.save(path)
    assert "Dear Ana!" in docx_text(LetterTemplate(path).render({"name": "Ana"}, STAMP))


@pytest.mark.parametrize("name", ["request.docx", "follow_up.docx", "appeal.docx",
                                  "appeal_cover.docx"])
def test_fast_path_writes_what_docxtpl_writes(name: str) -> None:
    import io

    from recordskit.documents.rendering.render import template
    from recordskit.service import SAMPLE_CONTEXTS

    letter = template(name)
    assert letter.fast_path  # the shipped templates all take the fast path
    context = SAMPLE_CONTEXTS[name]()
    fast, full = letter.render(context, STAMP), letter.render_with_docxtpl(context, STAMP)
    assert docx_text(fast) == docx_text(full)
    fast_props = Document(io.BytesIO(fast)).core_properties
    full_props = Document(io.BytesIO(full)).core_properties
    for field in ("title", "subject", "author", "keywords", "comments", "version"):
        assert getattr(fast_props, field) == getattr(full_props, field), field


def test_templates_with_tags_in_the_footer_take_the_full_path(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("Dear {{ name }},")
    document.sections[0].footer.paragraphs[0].text = "Page for {{ name }}"
    path = tmp_path / "footer.docx"
    document.save(path)
    letter = LetterTemplate(path)
    assert not letter.fast_path
    import io

    rendered = Document(io.BytesIO(letter.render({"name": "A & B"}, STAMP)))
    assert rendered.sections[0].footer.paragraphs[0].text == "Page for A & B"


def test_docxtpl_brace_escapes_never_touch_answers(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("Literal {_{ braces }_} and {{ value }}")
    document.sections[0].footer.paragraphs[0].text = "{{ value }}"  # forces the full path
    path = tmp_path / "braces.docx"
    document.save(path)
    value = "{_{ typed }_} {_% as is %_}"
    letter = LetterTemplate(path)
    assert not letter.fast_path
    text = docx_text(letter.render({"value": value}, STAMP))
    assert f"Literal {{{{ braces }}}} and {value}" in text
    fast_path = tmp_path / "fast.docx"
    document.sections[0].footer.paragraphs[0].text = ""
    document.save(fast_path)
    fast = LetterTemplate(fast_path)
    assert fast.fast_path
    assert f"Literal {{{{ braces }}}} and {value}" in docx_text(fast.render({"value": value},
                                                                          STAMP))


def test_templates_cannot_change_their_data(tmp_path: Path) -> None:
    template = _template(tmp_path, "{{ law.update({'x': 1}) }}{{ items.append(2) }}")
    with pytest.raises(TemplateError, match="sandbox forbids"):
        template.render({"law": {"a": 1}, "items": [1]}, STAMP)


@pytest.mark.parametrize("value", ["one line", "two\nlines", "a\ttab", "new\aparagraph",
                                   "page\fbreak", "all\n\t\a\fof them\n"])
def test_listing_resolved_paragraph_by_paragraph_as_docxtpl_resolves_it(
        tmp_path: Path, value: str) -> None:
    from docxtpl import DocxTemplate

    from recordskit.documents.rendering.render import _resolve_listing

    document = Document()
    document.add_paragraph("Dear {{ name }},").runs[0].bold = True
    document.add_paragraph("No tag here.")
    document.add_paragraph("Address: {{ address }}")
    document.add_paragraph("{{ name }} and {{ address }}")
    path = tmp_path / "listing.docx"
    document.save(path)
    helper = DocxTemplate(path)
    helper.init_docx()
    body = helper.render_xml_part(helper.patch_xml(helper.get_xml()), None,
                                  {"name": "Ana", "address": value})
    # The body before the listing is resolved: the template with its values put in, as Jinja
    # would (the last assertion checks that docxtpl's own render agrees).
    source = helper.patch_xml(helper.get_xml()).replace("{{ name }}", "Ana").replace(
        "{{ address }}", value)
    assert _resolve_listing(helper, source) == helper.resolve_listing(source)
    assert body == helper.resolve_listing(source)


def test_the_same_data_again_gives_the_document_made_before(tmp_path: Path) -> None:
    template = _template(tmp_path, "Dear {{ name }}, {{ items }} {{ flag }}")
    first = template.render({"name": "Ana", "items": [1, 2], "flag": 1}, STAMP)
    assert template.render({"name": "Ana", "items": [1, 2], "flag": 1}, STAMP) is first


def test_a_template_whose_renders_never_repeat_stops_looking_them_up(tmp_path: Path) -> None:
    from recordskit.documents.rendering.render import _UNREPEATED_RENDERS

    letter = _template(tmp_path, "Dear {{ name }},")
    for number in range(_UNREPEATED_RENDERS):
        letter.render({"name": f"Family {number}"}, STAMP)
    last = letter.render({"name": "Ana"}, STAMP)
    again = letter.render({"name": "Ana"}, STAMP)
    assert again is not last  # rendered again
    assert docx_text(again) == docx_text(last) == "Dear Ana,"
    # A template whose renders repeat (a schedule page, one per agency and date) keeps them.
    (tmp_path / "schedule").mkdir()
    schedule = _template(tmp_path / "schedule", "Due {{ day }}.")
    first = schedule.render({"day": "Monday"}, STAMP)
    for number in range(2 * _UNREPEATED_RENDERS):
        schedule.render({"day": f"day {number}"}, STAMP)
        schedule.render({"day": "Monday"}, STAMP)
    assert schedule.render({"day": "Monday"}, STAMP) is first


@pytest.mark.parametrize(("one", "other", "one_text", "other_text"), [
    ([1, 2], (1, 2), "[1, 2]", "(1, 2)"),  # equal as JSON, printed differently
    (1, True, "= 1.", "= True."),
    ("Ana", "Ana\u00a0", "= Ana.", "= Ana\u00a0."),
])
def test_data_that_differs_in_any_way_is_rendered_again(
        tmp_path: Path, one: object, other: object, one_text: str, other_text: str) -> None:
    template = _template(tmp_path, "= {{ value }}.")
    assert one_text in docx_text(template.render({"value": one}, STAMP))
    assert other_text in docx_text(template.render({"value": other}, STAMP))
    assert one_text in docx_text(template.render({"value": one}, STAMP))


def test_changed_data_and_a_changed_stamp_are_rendered_again(tmp_path: Path) -> None:
    import io

    template = _template(tmp_path, "Dear {{ name }},")
    data = {"name": "Ana"}
    first = template.render(data, STAMP)
    data["name"] = "Bea"  # the same dictionary, changed after its first render
    assert "Dear Bea," in docx_text(template.render(data, STAMP))
    retitled = Stamp(title="another", subject="s", law_version="v", template_name="x.docx",
                     recordskit_version="0")
    again = template.render({"name": "Ana"}, retitled)
    assert again != first
    assert Document(io.BytesIO(again)).core_properties.title == "another"


def test_data_that_cannot_be_kept_is_rendered_every_time(tmp_path: Path) -> None:
    class Local:  # defined in a function: pickle cannot name it
        def __str__(self) -> str:
            return "local value"

    template = _template(tmp_path, "{{ value }}")
    first = template.render({"value": Local()}, STAMP)
    assert "local value" in docx_text(first)
    assert template.render({"value": Local()}, STAMP) is not first


def test_a_failed_render_is_not_kept(tmp_path: Path) -> None:
    template = _template(tmp_path, "{{ missing }}")
    for _ in range(2):
        with pytest.raises(TemplateError, match="missing"):
            template.render({}, STAMP)


def _body(docx: bytes) -> bytes:
    """The document's body in canonical XML: equal bodies, however their characters were
    escaped, give equal bytes."""
    import io
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    body = root.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}body")
    return bytes(etree.tostring(body, method="c14n"))


def _hostile(value: object) -> object:
    """A context with every string given characters that XML escapes."""
    if isinstance(value, str):
        return f"{value} O'Brien \"&\" <b>"
    if isinstance(value, dict):
        return {key: _hostile(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_hostile(item) for item in value]
    return value


@pytest.mark.parametrize("name", ["request.docx", "summary.docx", "schedule.docx",
                                  "follow_up.docx", "appeal.docx", "student_records.docx"])
def test_fast_path_body_is_the_body_docxtpl_writes(name: str) -> None:
    # The fast path writes a body without tables as rendered, not parsed and written out again:
    # the XML must still say exactly what docxtpl's own path says.
    from recordskit.documents.rendering.render import template
    from recordskit.service import SAMPLE_CONTEXTS
    from tests.conftest import FROZEN_TEMPLATES

    letter = template(name, FROZEN_TEMPLATES)
    assert letter.fast_path
    context = _hostile(SAMPLE_CONTEXTS[name]())
    assert isinstance(context, dict)
    fast, full = letter.render(context, STAMP), letter.render_with_docxtpl(context, STAMP)
    assert _body(fast) == _body(full)
    assert "O'Brien \"&\" <b>" in docx_text(fast)


@pytest.mark.parametrize("name", ["request.docx", "summary.docx", "student_records.docx",
                                  "table", "broken"])
def test_the_body_kept_with_a_render_is_the_part_written(tmp_path: Path, name: str) -> None:
    # An email's text is taken from the body part kept with the render, not read back from the
    # DOCX: it must be that very part, on the fast path (with a table, with a broken body) and
    # on docxtpl's own.
    import io
    import zipfile

    from recordskit.documents.rendering.render import Rendered, template
    from recordskit.service import SAMPLE_CONTEXTS
    from tests.conftest import FROZEN_TEMPLATES

    if name == "table":
        letter = _template(tmp_path, "{%p for x in items %}", "{{ x }}", "{%p endfor %}")
        context: object = {"items": ["a & b", "<c>"]}
    elif name == "broken":
        letter = _template(tmp_path, "Dear {{ name }},", "{{ '<w:r><w:t>unclosed' | safe }}")
        context = {"name": "Ana"}
    else:
        letter = template(name, FROZEN_TEMPLATES)
        context = _hostile(SAMPLE_CONTEXTS[name]())
    assert isinstance(context, dict) and letter.fast_path
    made = letter.render_document(context, STAMP)
    with zipfile.ZipFile(io.BytesIO(made.docx)) as archive:
        written = archive.read("word/document.xml").decode("utf-8")
    assert made.document_xml == written
    full = letter.render_with_docxtpl(context, STAMP)  # read back when not kept
    with zipfile.ZipFile(io.BytesIO(full)) as archive:
        assert Rendered(full).document_xml == archive.read("word/document.xml").decode("utf-8")


def test_a_table_that_gains_cells_is_widened_on_the_fast_path(tmp_path: Path) -> None:
    document = Document()
    row = document.add_table(rows=1, cols=3).rows[0]
    for cell, text in zip(row.cells, ("{%tc for x in items %}", "{{ x }}", "{%tc endfor %}"),
                          strict=True):
        cell.text = text
    path = tmp_path / "table.docx"
    document.save(path)
    letter = LetterTemplate(path)
    assert letter.fast_path
    context = {"items": ["a", "b", "c", "d", "e"]}
    fast = letter.render(context, STAMP)
    assert _body(fast) == _body(letter.render_with_docxtpl(context, STAMP))
    assert _body(fast).count(b"<w:gridCol ") == 5  # docxtpl's widening: one column per cell


def test_a_body_the_template_leaves_broken_is_recovered_as_docxtpl_recovers_it(
        tmp_path: Path) -> None:
    # A template can write raw markup (``|safe``); a broken body is not written as it is, which
    # Word would refuse to open, but recovered as docxtpl recovers it.
    import io

    template = _template(tmp_path, "Dear {{ name }},", "{{ '<w:r><w:t>unclosed' | safe }}")
    made = template.render({"name": "Ana"}, STAMP)
    assert _body(made) == _body(template.render_with_docxtpl({"name": "Ana"}, STAMP))
    assert "Dear Ana," in [p.text for p in Document(io.BytesIO(made)).paragraphs]


@pytest.mark.parametrize("missing", ["[Content_Types].xml", "_rels/.rels"])
def test_a_word_file_missing_a_part_is_refused_in_words_a_volunteer_can_act_on(
        tmp_path: Path, missing: str) -> None:
    # The template is opened once, by the fast path's own document: its failure reads as the
    # full path's does.
    import zipfile

    from tests.conftest import FROZEN_TEMPLATES

    path = tmp_path / "request.docx"
    with zipfile.ZipFile(FROZEN_TEMPLATES / "request.docx") as source, \
            zipfile.ZipFile(path, "w") as broken:
        for name in source.namelist():
            if name != missing:
                broken.writestr(name, source.read(name))
    with pytest.raises(TemplateError, match=r"request.docx: not a Word \(.docx\) document: "):
        LetterTemplate(path)


def test_each_fast_render_is_a_whole_zip_of_the_template_with_its_two_parts_new(
        tmp_path: Path) -> None:
    # The unchanged parts are compressed once and listed as they were made; every render (the
    # listing is shared) must still be a zip whose every entry reads back, CRC checked, with the
    # template's own bytes for each part the render does not change.
    import io
    import zipfile

    from tests.conftest import FROZEN_TEMPLATES

    source = FROZEN_TEMPLATES / "summary.docx"
    letter = LetterTemplate(source)
    assert letter.fast_path
    from recordskit.service import SAMPLE_CONTEXTS

    with zipfile.ZipFile(source) as original:
        parts = {name: original.read(name) for name in original.namelist()}
    for number in range(3):
        context = {**SAMPLE_CONTEXTS["summary.docx"](), "title": f"Summary {number}"}
        with zipfile.ZipFile(io.BytesIO(letter.render(context, STAMP))) as made:
            assert made.testzip() is None
            names = made.namelist()
            assert sorted(names) == sorted(parts) and len(set(names)) == len(names)
            assert names[-2:] == ["word/document.xml", "docProps/core.xml"]
            for name in names[:-2]:
                assert made.read(name) == parts[name], name
            assert f"Summary {number}".encode() in made.read("word/document.xml")


_TEXTS = st.lists(st.sampled_from(["a", "B", " ", "&amp;", "\n", "\t", "\a", "\f", "é"]),
                  max_size=6).map("".join)


@st.composite
def _bodies(draw: st.DrawFn, depth: int = 0) -> str:
    """WordprocessingML bodies as a template's render leaves them: paragraphs with and without
    attributes and properties, runs, tables of paragraphs, a text box holding paragraphs inside a
    paragraph, and text (with the characters docxtpl's listing resolves) anywhere text goes."""
    pieces = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["p", "p-attributes", "table", "text-box", "loose"]))
        runs = "".join(
            f'<w:r>{draw(st.sampled_from(["", "<w:rPr><w:b/></w:rPr>"]))}'
            f'<w:t xml:space="preserve">{draw(_TEXTS)}</w:t></w:r>'
            for _ in range(draw(st.integers(0, 3))))
        if kind == "p":
            pieces.append(f"<w:p>{runs}</w:p>")
        elif kind == "p-attributes":
            pieces.append(f'<w:p w:rsidR="00A1"><w:pPr><w:jc w:val="left"/></w:pPr>{runs}</w:p>')
        elif kind == "table" and depth < 2:
            pieces.append(f"<w:tbl><w:tr><w:tc>{draw(_bodies(depth + 1))}</w:tc></w:tr></w:tbl>")
        elif kind == "text-box" and depth < 2:
            pieces.append(f"<w:p>{runs}<w:r><w:pict><v:textbox><w:txbxContent>"
                          f"{draw(_bodies(depth + 1))}</w:txbxContent></v:textbox></w:pict></w:r>"
                          f"{runs}</w:p>")
        else:
            pieces.append(draw(_TEXTS))
    return "".join(pieces)


@settings(max_examples=examples(400), deadline=None)
@given(body=_bodies())
def test_listing_searched_only_around_its_characters_resolves_as_docxtpl_over_the_body(
        body: str) -> None:
    from docxtpl import DocxTemplate

    from recordskit.documents.rendering.render import _resolve_listing
    from tests.conftest import FROZEN_TEMPLATES

    helper = DocxTemplate(FROZEN_TEMPLATES / "request.docx")
    xml = f"<w:body>{body}<w:sectPr/></w:body>"
    assert _resolve_listing(helper, xml) == helper.resolve_listing(xml)
