"""The chatter copies of a batch of reminders, sanitised as Odoo sanitises ``mail.message.body``
once per shape of body rather than once per reminder.

Odoo sanitises every message body it stores (``mail.message.body`` is a sanitised Html field);
for a batch of reminders that was a third of the sending time, though their bodies differ
only in the customers' values: one template, rendered by QWeb, whose ``t-out`` escapes every
value. A body is cut here into its markup and its values: each text between two tags, and
each ``http(s)`` link, is replaced by a numbered mark when it is *plain* (below). The bodies
that give the same markup (the same template, language and branches, the same number of
invoice rows) share their *shape*: Odoo's own sanitiser runs once on that shape, and each
body's values are put back into its output where their marks came out, written as the
sanitiser writes them (lxml's serialisation: ``&``, ``<``, ``>`` escaped in text, ``&`` in
attributes, no-break spaces as ``&nbsp;``).

A plain value cannot change what the sanitiser does, which acts on tags, attributes and
styles (all in the shape) and, in text, only on e-mail quotes and signatures (lines starting
with ``>`` or ``--``): a plain text has no ``<``, ``>``, ``--`` or control characters and is
not only whitespace (which the parser may move or drop); a plain link is ``http(s)://`` with
only the characters libxml2 writes as they are. Anything else stays in the shape, which then
matches fewer bodies but is sanitised as written. The shape's sanitised output must hold each
mark exactly once, and the first body of each shape is also sanitised alone and compared: a
shape failing either is not used, and its bodies are sanitised one by one, as before.
"""

import html
import re

from odoo.tools.mail import html_sanitize

_TAG = re.compile(r"(<[^<>]*>)")
_HREF = re.compile(r'(\shref=")([^"]*)(")')
_MARK = re.compile(r"dunningmark(\d+)x")
_PLAIN_LINK = re.compile(r"https?://[A-Za-z0-9\-_.!~*()@/:=?;#%&,+]*")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Inside these the parser keeps raw text: nothing in them is taken out.
_RAW_TEXT = re.compile(
    r"<(script|style|textarea|title|xmp|iframe|noembed|noframes|noscript)\b", re.I
)


def _plain_text(text):
    return (
        text.strip()
        and "<" not in text
        and ">" not in text
        and "--" not in text
        and not _CONTROL.search(text)
    )


def shape(body):
    """(shape, values) of ``body``: the shape with numbered marks in place of its plain
    texts and links, and those values as the sanitiser writes them; None when the body is
    kept whole (marks already in it, comments, raw-text elements)."""
    if "dunningmark" in body or "<!" in body or "<?" in body or _RAW_TEXT.search(body):
        return None
    parts = _TAG.split(body)
    values = []

    def link(match):
        url = html.unescape(match.group(2))
        if not _PLAIN_LINK.fullmatch(url):
            return match.group(0)
        values.append(url.replace("&", "&amp;"))
        return f"{match.group(1)}dunningmark{len(values) - 1}x{match.group(3)}"

    for index, part in enumerate(parts):
        if index % 2:  # a tag
            if "href" in part:
                parts[index] = _HREF.sub(link, part)
            continue
        text = html.unescape(part)
        if not _plain_text(text):
            continue
        values.append(
            text.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("\xa0", "&nbsp;")
        )
        parts[index] = f"dunningmark{len(values) - 1}x"
    return "".join(parts), values


def sanitize_options(field):
    """The options ``field`` (an Html field) gives Odoo's ``html_sanitize`` when it stores."""
    return {
        "silent": True,
        "sanitize_tags": field.sanitize_tags,
        "sanitize_attributes": field.sanitize_attributes,
        "sanitize_style": field.sanitize_style,
        "sanitize_form": field.sanitize_form,
        "sanitize_conditional_comments": field.sanitize_conditional_comments,
        "output_method": field.sanitize_output_method,
        "strip_style": field.strip_style,
        "strip_classes": field.strip_classes,
    }


def sanitize_bodies(bodies, field):
    """The bodies, each as ``field`` (an Html field, ``mail.message.body``) stores it."""
    options = sanitize_options(field)
    if not field.sanitize:
        return list(bodies)
    shapes = {}  # shape -> its sanitised output, or None when it is not used
    results = []
    for body in bodies:
        cut = shape(body) if body else None
        if cut is None:
            results.append(html_sanitize(body, **options) if body else body)
            continue
        form, values = cut
        if form not in shapes:
            shapes[form] = _sanitized_shape(form, values, body, options)
        output = shapes[form]
        if output is None:
            results.append(html_sanitize(body, **options))
        else:
            results.append(_fill(output, values))
    return results


def _sanitized_shape(form, values, body, options):
    output = str(html_sanitize(form, **options))
    marks = [int(number) for number in _MARK.findall(output)]
    if sorted(marks) != list(range(len(values))):
        return None
    if _fill(output, values) != str(html_sanitize(body, **options)):
        return None
    return output


def _fill(output, values):
    return _MARK.sub(lambda match: values[int(match.group(1))], output)
