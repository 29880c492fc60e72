"""Text that goes into a CSV a person opens in Excel or LibreOffice.

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return,
which some versions skip before looking) is read as a formula: a visitor's
"=HYPERLINK(…)" typed into a public form would run on an operator's machine
(CSV injection). A leading apostrophe makes the spreadsheet show it as text.
And without a UTF-8 byte order mark, Excel reads the file in the system's
legacy code page and garbles Korean.
"""

from __future__ import annotations

UTF8_BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: object) -> str:
    """``value`` as cell text that a spreadsheet never evaluates."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text
