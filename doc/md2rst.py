"""Turn the Markdown of ``benchmarks/results/*.md`` into reStructuredText.

The benchmark scripts write their tables as GitHub-flavoured Markdown (they
are read on the repository too); the documentation shows the same files,
rendered, on the "Reproducing the papers" page. Only what those files use is
supported: ATX headings, paragraphs (a line ending in two spaces breaks it),
pipe tables, ``-`` / ``*`` bullet lists, indented and fenced code blocks,
inline code, bold, italics and links. Anything else is passed through as
escaped text, so a new file never breaks the build (``sphinx -W``).
"""

import re

# Adornment of the 1st, 2nd, 3rd ... heading level of one file; the including
# page must use none of these above the included text.
HEADING_CHARS = "-^\"'`"

_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^([-*+])\s+(.*)$")
_LIST_START = re.compile(r"^([-*+]|\d+[.)]|[#a-zA-Z][.)])(\s|$)")
_FENCE = re.compile(r"^(```|~~~)\s*([\w+-]*)\s*$")
_INLINE = re.compile(
    r"(?P<code>`+)(?P<code_text>.+?)(?P=code)"
    r"|\[(?P<link_text>[^\]]+)\]\((?P<url>[^)\s]+)\)"
    r"|\*\*(?P<bold>[^*]+?)\*\*"
    r"|(?<![\w*])\*(?P<italic>[^*\s][^*]*?)\*(?![\w*])"
)


def _escape(text):
    """Escape reST markup characters in plain text."""
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([*`|])", r"\\\1", text)
    # ``word_`` is a reference in reST; ``_word`` at a word start a target.
    text = re.sub(r"(\w)_(?=\W|$)", r"\1\\_", text)
    return text


def inline(text):
    """Convert the inline Markdown of one line or table cell to reST."""
    out, pos = [], 0
    for match in _INLINE.finditer(text):
        out.append(_escape(text[pos : match.start()]))
        if match.group("code") is not None:
            code = match.group("code_text").strip()
            markup = f"``{code}``" if "``" not in code else _escape(code)
        elif match.group("url") is not None:
            label = match.group("link_text").replace("`", "").replace("<", "")
            markup = f"`{label} <{match.group('url')}>`__"
        elif match.group("bold") is not None:
            markup = f"**{match.group('bold').strip()}**"
        else:
            markup = f"*{match.group('italic').strip()}*"
        # reST inline markup must stand between spaces or punctuation.
        before = text[match.start() - 1] if match.start() else " "
        after = text[match.end()] if match.end() < len(text) else " "
        out.append(("\\ " if before.isalnum() else "") + markup
                   + ("\\ " if after.isalnum() else ""))
        pos = match.end()
    out.append(_escape(text[pos:]))
    return "".join(out)


def _cells(line):
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line)]


def _table(rows):
    """A pipe table (header row first, rule removed) as a list-table."""
    width = max(len(row) for row in rows)
    lines = [".. list-table::", "   :header-rows: 1", "   :class: benchmark-table", ""]
    for row in rows:
        row = row + [""] * (width - len(row))
        for j, cell in enumerate(row):
            marker = "   * -" if j == 0 else "     -"
            text = inline(cell)
            if _LIST_START.match(text):
                text = "\\" + text  # "-" alone would be a nested bullet list
            lines.append(f"{marker} {text}" if text else marker)
    return lines + [""]


def markdown_to_rst(text):
    """Convert one Markdown document to reST.

    Parameters
    ----------
    text : str
        Markdown text.

    Returns
    -------
    rst : str
        reStructuredText; headings use ``HEADING_CHARS`` by their nesting in
        this document (a ``###`` right under a ``#`` takes the second
        character), so consecutive documents can be included in one page.
    """
    lines = text.replace("\t", "    ").splitlines()
    out, i, open_depths = [], 0, []

    def blank():
        if out and out[-1] != "":
            out.append("")

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        heading = _HEADING.match(line)
        fence = _FENCE.match(stripped)
        if not stripped:
            blank()
            i += 1
        elif heading:
            # The level is the nesting in this document, never a skip: a
            # "###" right under a "#" is the second level.
            depth = len(heading.group(1))
            while open_depths and open_depths[-1] >= depth:
                open_depths.pop()
            char = HEADING_CHARS[min(len(open_depths), len(HEADING_CHARS) - 1)]
            open_depths.append(depth)
            title = inline(heading.group(2))
            blank()
            out += [title, char * len(title), ""]
            i += 1
        elif fence:
            end = i + 1
            while end < len(lines) and not lines[end].strip().startswith(fence.group(1)):
                end += 1
            blank()
            language = fence.group(2) or "text"
            out += [f".. code-block:: {language}", ""]
            out += ["   " + code if code.strip() else "" for code in lines[i + 1 : end]]
            out.append("")
            i = end + 1
        elif line.startswith("    "):
            block = []
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                block.append(lines[i][4:])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            blank()
            out += ["::", ""] + ["   " + code if code.strip() else "" for code in block]
            out.append("")
        elif (
            stripped.startswith("|")
            and i + 1 < len(lines)
            and _TABLE_RULE.match(lines[i + 1])
        ):
            rows = [_cells(line)]
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            blank()
            out += _table(rows)
        elif _BULLET.match(stripped) and not line.startswith(" "):
            blank()
            while i < len(lines):
                bullet = _BULLET.match(lines[i].strip())
                if bullet and not lines[i].startswith(" "):
                    out.append("- " + inline(bullet.group(2)))
                elif lines[i].startswith(" ") and lines[i].strip():
                    out.append("  " + inline(lines[i].strip()))
                else:
                    break
                i += 1
            out.append("")
        else:
            # A paragraph: consecutive text lines; two trailing spaces break it.
            blank()
            while i < len(lines):
                current = lines[i]
                if not current.strip() or _HEADING.match(current) or (
                    current.strip().startswith("|")
                    and i + 1 < len(lines)
                    and _TABLE_RULE.match(lines[i + 1])
                ) or _FENCE.match(current.strip()) or (
                    _BULLET.match(current.strip()) and not current.startswith(" ")
                ):
                    break
                out.append(inline(current.strip()))
                i += 1
                if current.endswith("  "):
                    out.append("")
            out.append("")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"
