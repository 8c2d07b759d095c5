"""The kind of a link (book, course, video, paper, article, docs, repo, notebook), from
its address and the words around it. One rule, in this order; the first that applies
wins (docs/roadmap-format.md gives it to learners):

1. A marker in the link's words: "(video)", "(book)", "(paper)", "(course)".
2. The address: a notebook file or a notebook host; a paper host or a PDF named a paper;
   a video host; a course host; a book publisher; a code host's repository; a
   documentation host or path; a blog host or path.
3. A word around the link: "book"/"textbook", "course"/"MOOC"/"specialization",
   "lecture"/"video"/"playlist", "paper", "docs"/"documentation"/"reference",
   "tutorial"/"article"/"blog"/"post"/"guide", "notebook".
4. Otherwise a plain link ("link").
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

KINDS = ("book", "course", "video", "paper", "article", "docs", "repo", "notebook")

_MARKER = re.compile(r"\((video|videos|book|paper|course|notebook|article|docs)\)", re.I)
_MARKERS = {"videos": "video"}

#: (kind, host pattern, path pattern): the host is matched at its end ("www." aside).
_ADDRESSES: tuple[tuple[str, str, str], ...] = (
    ("notebook", r"colab\.research\.google\.com", r""),
    ("notebook", r"nbviewer\.org|nbviewer\.jupyter\.org", r""),
    ("notebook", r"kaggle\.com", r"^/code/"),
    ("notebook", r"", r"\.ipynb$"),
    (
        "paper",
        r"arxiv\.org|openreview\.net|aclanthology\.org|papers\.nips\.cc|"
        r"proceedings\.neurips\.cc|proceedings\.mlr\.press|jmlr\.org|dl\.acm\.org|"
        r"ieeexplore\.ieee\.org|semanticscholar\.org|paperswithcode\.com",
        r"",
    ),
    ("video", r"youtube\.com|youtu\.be|vimeo\.com|twitch\.tv|videolectures\.net", r""),
    ("video", r"archive\.org", r"^/details/"),
    (
        "course",
        r"coursera\.org|edx\.org|udacity\.com|udemy\.com|ocw\.mit\.edu|"
        r"khanacademy\.org|course\.fast\.ai|fast\.ai|deeplearning\.ai|datacamp\.com|"
        r"codecademy\.com|freecodecamp\.org|cs50\.harvard\.edu|pll\.harvard\.edu|"
        r"online\.stanford\.edu|lagunita\.stanford\.edu|classroom\.udacity\.com|"
        r"learn\.microsoft\.com",
        r"^/(training|learn|course|courses|specializations?)(/|$)",
    ),
    (
        "course",
        r"coursera\.org|edx\.org|udacity\.com|udemy\.com|ocw\.mit\.edu|"
        r"khanacademy\.org|course\.fast\.ai|datacamp\.com|cs50\.harvard\.edu",
        r"",
    ),
    (
        "book",
        r"oreilly\.com|manning\.com|nostarch\.com|pragprog\.com|amazon\.[a-z.]+|"
        r"d2l\.ai|deeplearningbook\.org|goodreads\.com|packtpub\.com|leanpub\.com|"
        r"greenteapress\.com|inferentialthinking\.com|mml-book\.github\.io|"
        r"automatetheboringstuff\.com|link\.springer\.com|cambridge\.org",
        r"",
    ),
    ("repo", r"github\.com|gitlab\.com|codeberg\.org|bitbucket\.org", r"^/[^/]+/[^/]+/?$"),
    (
        "docs",
        r"readthedocs\.io|readthedocs\.org|docs\.[a-z0-9.-]+|developer\.mozilla\.org|"
        r"pytorch\.org|tensorflow\.org|scikit-learn\.org|numpy\.org|pandas\.pydata\.org|"
        r"huggingface\.co",
        r"/(docs?|documentation|reference|api|stable|latest)(/|$)",
    ),
    ("docs", r"docs\.[a-z0-9.-]+|[a-z0-9-]+\.readthedocs\.io", r""),
    (
        "article",
        r"medium\.com|towardsdatascience\.com|substack\.com|dev\.to|"
        r"hashnode\.dev|distill\.pub|lilianweng\.github\.io|jalammar\.github\.io|"
        r"wikipedia\.org|geeksforgeeks\.org|freecodecamp\.org|kdnuggets\.com",
        r"",
    ),
    ("article", r"", r"/(blog|posts?|articles?|news)/"),
    ("article", r"blog\.[a-z0-9.-]+|[a-z0-9.-]*blog[a-z0-9.-]*", r""),
)
_COMPILED = tuple(
    (
        kind,
        re.compile(rf"(^|\.)({host})$") if host else None,
        re.compile(path, re.I) if path else None,
    )
    for kind, host, path in _ADDRESSES
)
_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("book", re.compile(r"\b(book|textbook|e-?book)\b", re.I)),
    ("course", re.compile(r"\b(course|mooc|specialization|bootcamp|class)\b", re.I)),
    ("video", re.compile(r"\b(video|videos|lecture|lectures|playlist|talk|webinar)\b", re.I)),
    ("paper", re.compile(r"\b(paper|preprint)\b", re.I)),
    ("docs", re.compile(r"\b(docs|documentation|reference|manual|api)\b", re.I)),
    ("notebook", re.compile(r"\b(notebook|colab)\b", re.I)),
    ("article", re.compile(r"\b(tutorial|article|blog|post|guide|cheat ?sheet)\b", re.I)),
)


def kind_of(url: str, words: str = "") -> str:
    """The kind of the resource at ``url``, named by ``words`` (its title and the text
    around it); "link" when nothing says."""
    marker = _MARKER.search(words)
    if marker:
        found = marker.group(1).lower()
        return _MARKERS.get(found, found)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path
    for kind, host_rule, path_rule in _COMPILED:
        if host_rule is not None and not host_rule.search(host):
            continue
        if path_rule is not None and not path_rule.search(path):
            continue
        if kind == "paper" and not host_rule:
            continue
        return kind
    if path.lower().endswith(".pdf") and re.search(r"\bpaper\b", words, re.I):
        return "paper"
    for kind, rule in _WORDS:
        if rule.search(words):
            return kind
    return "link"
