"""Links to a talk's recording or slides: notes that list a session and notes that discuss it
often link the same video, which says they are the same talk (a blog's "all the sessions I
went to" list and its paragraphs about some of them)."""

from __future__ import annotations

import re

_URL = re.compile(r"https?://[^\s)\]>\"'<]+")
# Where recordings and slides live: a declarative table of hosts and paths.
_RECORDING = re.compile(
    r"(youtube\.com/watch|youtu\.be/|vimeo\.com/\d|media\.ccc\.de/v/|infoq\.com/presentations/"
    r"|speakerdeck\.com/|slideshare\.net/|docs\.google\.com/presentation/|\.pdf$)",
    re.I,
)
# Query parameters that place a video in a playlist or at a time, not which video it is.
_PLAYLIST = re.compile(r"[&?](list|index|t|start|feature)=[^&#]*")


def recording_links(text: str) -> list[str]:
    """The recording and slide links in `text`, normalised (scheme, 'www.', playlist and time
    parameters dropped), sorted and distinct."""
    found = set()
    for url in _URL.findall(text):
        url = url.rstrip(".,;:")
        if not _RECORDING.search(url):
            continue
        url = _PLAYLIST.sub("", url).rstrip("/")
        found.add(re.sub(r"^https?://(www\.)?", "", url).replace("watch&", "watch?").lower())
    return sorted(found)
