"""Find the document citations inside a question ("theo Điều lệ CĐVN ban hành kèm QĐ 174/QĐ-TLĐ năm 2020").

Officers often add where they read a rule. Those words name the edition (knowledge/editions.py reads them
for that) but say nothing about which rule is asked; left in, they pull the question towards the entries
that describe the documents themselves. The matcher drops them, unless little else is left (then the
question is about the document).
"""
from __future__ import annotations

from knowledge.editions import named_editions

# Words that open a citation (folded). "Điều lệ" always does; the others only before a number
# ("Quyết định 174", "HD 03"), since "ai quyết định kết nạp" or "hướng dẫn thủ tục" cite nothing.
_ALWAYS = {("dieu", "le")}
_NUMBERED_2 = {("huong", "dan"), ("quyet", "dinh"), ("ke", "hoach"), ("cong", "van")}
_NUMBERED_1 = {"hd", "kh", "qd", "cv"}
# Words a citation is made of after its opener.
_CITATION_WORDS = set("""
cong viet nam cdvn khoa xi xii xiii ban hanh kem theo quyet dinh qd so tong lien lao dong tld tldld
ld nam hd kh huong dan ke hoach dieu le cv van ngay thang thi cua va
""".split())


_ASKING = {"nao", "gi", "may", "so"}
# "tiểu ban Điều lệ", "góp ý dự thảo Điều lệ", "sửa đổi Điều lệ", "thông qua Điều lệ": the Điều lệ is the
# subject, not a citation.
_DISCUSSED = {"ban", "thao", "doi", "y", "qua"}
# Outside the citation, these say the question is about the document itself.
_ABOUT_DOCUMENT = [("ban", "hanh"), ("ky", "ngay"), ("ra", "ngay"), ("noi", "ve"), ("de", "cap"), ("le", "nao"),
                   ("dan", "nao"), ("dan", "thi", "hanh"), ("hieu", "luc"), ("van", "ban"), ("noi", "dung"),
                   ("thay", "the"), ("co", "bao", "nhieu", "chuong")]


def about_document(words: list[str], cited: set[int]) -> bool:
    """The words outside the citations ask about the document (its date, content, validity)."""
    rest = " ".join(w for i, w in enumerate(words) if i not in cited)
    return any(f" {' '.join(marker)} " in f" {rest} " for marker in _ABOUT_DOCUMENT)


def citation_positions(words: list[str]) -> set[int]:
    """Positions of the words that belong to a document citation."""
    found: set[int] = set()
    i = 0
    while i < len(words):
        pair = (words[i], words[i + 1]) if i + 1 < len(words) else None
        if pair in _ALWAYS and not (i > 0 and words[i - 1] in _DISCUSSED):
            start, i = i, i + 2
        elif pair in _NUMBERED_2 and _numbered(words, i + 2):
            start, i = i, i + 2
        elif words[i] in _NUMBERED_1 and _numbered(words, i + 1):
            start, i = i, i + 1
        else:
            i += 1
            continue
        if start > 0 and words[start - 1] == "theo":
            start -= 1
        while i < len(words) and (words[i] in _CITATION_WORDS or words[i].isdigit()
                                  or (words[i] == "doan" and words[i - 1] in ("cong", "lien"))):
            i += 1
        if i < len(words) and words[i] in _ASKING:
            continue  # "điều lệ và hướng dẫn nào": the question asks which document
        if pair not in _ALWAYS and not named_editions(" ".join(words[start:i])):
            continue  # a local document ("hướng dẫn số 08 của CĐVC Hà Nội") may be what is asked
        found.update(range(start, i))
    return found


def _numbered(words: list[str], i: int) -> bool:
    if i < len(words) and words[i] == "so":
        i += 1
    return i < len(words) and words[i].isdigit()


def is_citation_word(word: str) -> bool:
    return word in _CITATION_WORDS or word.isdigit()
