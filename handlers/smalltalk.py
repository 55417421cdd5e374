"""Greetings, thanks, "who are you", help: recognised on the folded text, answered in Vietnamese."""
from __future__ import annotations

import re

from handlers import texts
from knowledge.normalize import fold

_W = r"[\s!.?,~]*"
PATTERNS: list[tuple[str, str]] = [
    ("help", rf"^(/?help|/?giup|giup do|huong dan su dung|tro giup|menu|ban lam duoc gi|bot lam duoc gi|"
             rf"ban giup duoc gi|lam duoc nhung gi|co the hoi gi|hoi gi duoc){_W}$"),
    ("who", rf"^(ban|bot|em|may|tro ly)?\s*(la ai|la gi|ten gi|ten la gi)(\s*(vay|the|a|ha))?{_W}$"),
    ("thanks", rf"^(ok\s*)?(cam on|cam ơn|thanks?|thank you|tks|thanks ad|cam on ad|cam on ban|"
               rf"cam on nhieu|cam on nhe|cam on a|camon|c on|ok cam on)(\s*\w+){{0,3}}{_W}$"),
    ("greeting", rf"^(xin chao|chao|hello|hi|helo|alo|chao ban|chao ad|chao bot|hey)"
                 rf"(\s*(ban|ad|admin|bot|em|anh|chi|tro ly|buoi sang|buoi chieu|ca nha))*{_W}$"),
    ("goodbye", rf"^(tam biet|bye|bye bye|hen gap lai|chao nhe){_W}$"),
    # "ok", "vâng", "dạ", "ừ", "hiểu rồi": an acknowledgement, not a question to log as unanswered
    ("ack", rf"^(ok|oke|okay|okie|ok ok|vang|da|da vang|u|uh|um|duoc|duoc roi|ro roi|hieu roi|da hieu|"
            rf"toi hieu roi|em hieu roi|minh hieu roi)(\s*(a|nhe|nha|ad|ban|bot|a a))?{_W}$"),
]

ANSWERS = {
    "help": texts.HELP,
    "who": texts.WHO_AM_I,
    "thanks": texts.THANKS,
    "greeting": texts.GREETING,
    "goodbye": texts.GOODBYE,
    "ack": texts.ACK,
}


def classify(text: str) -> str | None:
    """The small-talk kind of `text`, or None when it is (probably) a real question."""
    folded = fold(text).strip()
    if len(folded) > 60:
        return None
    for kind, pattern in PATTERNS:
        if re.match(pattern, folded):
            return kind
    return None
