"""core.markdown: one converter per thread, reset between documents, so nothing
of one document (reference links, footnote-like state, stashed HTML) leaks into
the next; excerpts render only the start of a long text."""

from __future__ import annotations

import threading

from core import markdown
from core.templatetags.markdown import markdown_excerpt


def test_reference_links_do_not_leak_between_documents():
    first = markdown.render_markdown("[home][site]\n\n[site]: https://example.com/")
    assert 'href="https://example.com/"' in first
    # Same converter, next document: [site] is not defined here.
    second = markdown.render_markdown("[home][site]")
    assert "href" not in second
    assert "[home][site]" in second


def test_raw_html_is_removed_on_every_call():
    for _ in range(3):
        html = markdown.render_markdown("hi <script>alert(1)</script> <b>bold</b>")
        assert "<script" not in html
        assert "<b>bold</b>" in html


def test_each_thread_has_its_own_converter():
    converters = []

    def convert():
        markdown._to_html("*x*")
        converters.append(markdown._converters.markdown)

    threads = [threading.Thread(target=convert) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(converters) == 2
    assert converters[0] is not converters[1]


def test_plain_text_of_markdown():
    assert markdown.markdown_to_text("# Title\n\n**bold** & <i>x</i>") == "Title bold & x"


def test_excerpt_renders_only_the_start_of_a_long_text():
    long_text = "word " * 20_000 + "THE-END"
    text = markdown.markdown_excerpt_text(long_text, 100)
    assert "THE-END" not in text
    assert len(text) <= max(markdown.EXCERPT_SOURCE_MIN, 100 * markdown.EXCERPT_SOURCE_FACTOR)
    assert markdown_excerpt(long_text, 100).endswith("…")
    assert len(markdown_excerpt(long_text, 100)) == 100


def test_excerpt_of_a_short_text_is_the_whole_text():
    assert markdown_excerpt("Hello **world**", 120) == "Hello world"
    assert markdown_excerpt(None, 120) == ""


def test_an_edited_text_is_rendered_again_not_served_from_the_cache():
    markdown.render_markdown.cache_clear()
    assert "<em>one</em>" in markdown.render_markdown("*one*")
    assert "<em>one</em>" in markdown.render_markdown("*one*")
    assert markdown.render_markdown.cache_info().hits == 1
    assert "<strong>one</strong>" in markdown.render_markdown("**one**")


def test_long_texts_are_rendered_without_being_kept():
    markdown.markdown_to_text.cache_clear()
    long_text = "x" * (markdown.CACHED_TEXT_MAX + 1)
    assert markdown.markdown_to_text(long_text) == long_text
    assert markdown.markdown_to_text.cache_info().currsize == 0
