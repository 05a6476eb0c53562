"""How notes hang list items under a line: "Build aims:" then "1. safety", "2. ease by
default"; "Acme in 2012: one big service and one team" then "- two applications and
one database ...". The items say what the line names without naming it again, and a claim
that sums up the list ("its build aims are safety, ease and reach") says what the line
and its items say together, not what any one item says. Sentences do not keep how deep an
item is nested, so an item that ends with ":" or "?" ("* How do you write untestable
code?" above "* Hidden global state") introduces the items right below it as a line
does, for a claim summing them up (`items_under`, `list_text`). Used by the support check
(answer/citations.py, answer/relevance.py)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from recapqa.sentences import Sentence, same_talk_rows


def _introduces(sentence: Sentence) -> bool:
    """An item that ends with ":" or "?" introduces the items below it."""
    return sentence.list_item and sentence.text.rstrip().endswith((":", "?"))


def items_under(sentences: Sequence[Sentence], row: int, limit: int) -> list[int]:
    """The rows of the list items right below the line `row` (not an item, or an item that
    introduces others), of the same talk, at most `limit`; [] when `row` is another item or
    no item follows it."""
    if not sentences[row].list_item:
        below = same_talk_rows(sentences, row, 1, limit)
        return list(itertools.takewhile(lambda r: sentences[r].list_item, below))
    if not _introduces(sentences[row]):
        return []
    below = same_talk_rows(sentences, row, 1, limit)
    return list(itertools.takewhile(lambda r: sentences[r].list_item and not _introduces(sentences[r]), below))


def line_above(sentences: Sequence[Sentence], row: int, limit: int) -> int | None:
    """The row of the line (not an item) the list item `row` hangs under: the first row above
    it, of the same talk, that is not an item, with at most `limit` items between; None when
    `row` is not an item or no such line is near. (An item ending with ":" is not taken for
    such a line here: whether the items below it are nested in it or its siblings is not
    kept, and "Chris (Pepsi Co):" is not the line "Focuses on revenue" answers under when it
    is "Ian (Acme):"'s sibling.)"""
    if not sentences[row].list_item:
        return None
    return next((r for r in same_talk_rows(sentences, row, -1, limit) if not sentences[r].list_item), None)


def list_text(sentences: Sequence[Sentence], row: int, limit: int) -> str:
    """The text of the items hanging under the line `row` ("" when none do)."""
    return " ".join(sentences[r].text for r in items_under(sentences, row, limit))
