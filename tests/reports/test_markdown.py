"""A model's Markdown answer becomes Slack mrkdwn and HTML that carry only the formatting meant:
no mentions, no disguised links, nothing unescaped."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.markdown import SECTION_LIMIT, drop_mentions, parse, to_slack_mrkdwn
from reports.markdown_html import blocks_html

ANSWER = """# Weekly sales

Revenue rose **12%** to _€48,300_; see `region` below.

- North led
  - West grew fastest
1. First
2. Second

```
SELECT * FROM sales WHERE a < b
```
"""

# A link we emit: <url> with no spaces, brackets or bars inside.
EMITTED_LINK = re.compile(r"<(?:https?://|mailto:)[^<>|\s]+>")
ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def test_headings_bold_italic_lists_and_code_become_slack_formatting():
    text = to_slack_mrkdwn(ANSWER)
    assert text.splitlines()[:2] == ["*Weekly sales*", "Revenue rose *12%* to _€48,300_; see `region` below."]
    assert "• North led\n    • West grew fastest\n1. First\n2. Second" in text
    assert "```\nSELECT * FROM sales WHERE a &lt; b\n```" in text


def test_links_show_where_they_go():
    assert to_slack_mrkdwn("[https://example.com/a?x=1&y=2](https://example.com/a?x=1&y=2)") == \
        "<https://example.com/a?x=1&amp;y=2>"
    disguised = to_slack_mrkdwn("Log in at [the Slack login page](https://evil.example/login)")
    assert disguised == "Log in at the Slack login page (https://evil.example/login)"
    assert to_slack_mrkdwn("[click](javascript:alert(1))") == "[click](javascript:alert(1))"  # text, not a link
    assert to_slack_mrkdwn("<https://evil.example|the Slack login page>") == \
        "&lt;https://evil.example|the Slack login page&gt;"


def test_special_mentions_are_dropped_however_written():
    hostile = ("Hi <!channel> <!here|here> <!everyone> <@U123ABC> <#C42|general> <!subteam^S1|@team> "
               "&lt;!here&gt; &#60;!channel&#62; \\<!here\\> @channel ＠here @Everyone `<!here>` done")
    text = to_slack_mrkdwn(hostile)
    for bad in ("<!", "<@", "<#", "&lt;!", "@channel", "@here", "@everyone", "＠here"):
        assert bad.lower() not in text.lower()
    assert text.startswith("Hi ") and text.endswith("done")
    assert drop_mentions("<<!here>!channel>") == ""


def test_stray_formatting_characters_do_not_format():
    text = to_slack_mrkdwn(r"2 \* 3 \* 4 and \_x\_ and net_revenue and ~~x~~")
    assert "*" not in text and "_x_" not in text and "net_revenue" in text and "~" not in text


def test_long_answers_are_clipped_on_whole_blocks_with_a_note():
    answer = "\n\n".join(f"Paragraph {i} with <b> & more " + "x" * 80 for i in range(200))
    text = to_slack_mrkdwn(answer, clipped_note="The full answer is in the PDF.")
    assert len(text) <= SECTION_LIMIT
    assert text.endswith("… _The full answer is in the PDF._")
    assert "Paragraph 0 with &lt;b&gt; &amp; more" in text
    one_block = to_slack_mrkdwn("```\n" + "<&>" * 5_000 + "\n```", limit=100)
    assert len(one_block) <= 100 and one_block.count("```") == 2 and not ENTITY.search(one_block)


def test_tables_line_up_in_a_code_block():
    text = to_slack_mrkdwn("| region | revenue |\n|---|--:|\n| North | 1,200 |\n| West | 90 |")
    assert text == "```\nregion  revenue\n──────  ───────\nNorth     1,200\nWest         90\n```"


def test_html_from_the_same_parse_is_escaped():
    fragment = blocks_html(parse("# <script>\n**a & b** [site](https://x.example/?a=1&b=\"2\") <!here>"))
    assert "<script>" not in fragment and "&lt;script&gt;" in fragment
    assert "<strong>a &amp; b</strong>" in fragment
    assert 'site (<a href="https://x.example/?a=1&amp;b=&quot;2&quot;">' not in fragment  # quote rejects it
    assert "<!here>" not in fragment and "&lt;!here" not in fragment
    link = blocks_html(parse("[docs](https://docs.example/a?b=1&c=2)"))
    assert link == '<p style="margin:8px 0;">docs (<a href="https://docs.example/a?b=1&amp;c=2">' \
                   "https://docs.example/a?b=1&amp;c=2</a>)</p>"


HOSTILE_ALPHABET = st.sampled_from(
    list("<>&!@#*_~`[]()|:/\\ \n-+.1") + ["<!", "<@", "&lt;", "&#60;", "channel", "here", "everyone", "https://",
                                         "mailto:", "](", "```", "# ", "- ", "**", "＠", "subteam^", "U123", "x"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(HOSTILE_ALPHABET, max_size=80).map("".join), st.integers(min_value=20, max_value=4_000))
def test_no_output_ever_carries_a_mention_or_an_unescaped_bracket(markdown, limit):
    text = to_slack_mrkdwn(markdown, limit=limit)
    assert len(text) <= limit
    assert "<!" not in text and "<@" not in text and "<#" not in text
    assert not re.search(r"[@＠]\s*(channel|here|everyone)\b", text, re.IGNORECASE)
    bare = re.sub(r"(?m)^> ", "", EMITTED_LINK.sub("", text))  # quotes are the one ">" we write
    assert "<" not in bare and ">" not in bare
    assert not ENTITY.search(text), "every & starts one of the three escapes"


@settings(max_examples=200, deadline=None)
@given(st.lists(HOSTILE_ALPHABET, max_size=60).map("".join))
def test_html_never_carries_markup_from_the_input(markdown):
    fragment = blocks_html(parse(markdown))
    tags = re.findall(r"<(/?[a-z]+)", fragment)
    assert set(tags) <= {"p", "/p", "strong", "/strong", "em", "/em", "code", "/code", "pre", "/pre", "a", "/a",
                         "br", "hr", "table", "/table", "tr", "/tr", "th", "/th", "td", "/td"}
    assert "<!" not in fragment and "&lt;!" not in fragment
