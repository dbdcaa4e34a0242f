"""What kind of reply it is, from weighted signals in the agency's own words.

Each kind has phrases that agencies use for it ("given the reference number", "no responsive
records", "a good faith estimate"). A kind's score is the weight of its phrases found, each
counted once, plus a few signals from the rest of the reading (an exemption cited, a sum of
money, an attachment). The reader is sure only when the best kind is strong and clearly ahead
of the next; otherwise it ranks the candidates and says it is not sure, because logging the
wrong kind moves the wrong deadlines.

Phrases are matched on the text with the echoed request already removed (see ``echo``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from recordskit.replies.extract import Sentences
from recordskit.replies.reading import (
    Attachment,
    CitedExemption,
    KindCandidate,
    MoneyAmount,
    ReplyKind,
    StatedDate,
)

__all__ = ["SURE_MARGIN", "SURE_SCORE", "classify"]

SURE_SCORE = 3.0
"""The least score a kind needs before the reader is sure of it."""
SURE_MARGIN = 1.5
"""How far the best kind must be ahead of the next for the reader to be sure."""


@dataclass(frozen=True)
class _Signal:
    kind: ReplyKind
    weight: float
    pattern: re.Pattern[str]


def _signals(kind: ReplyKind, *weighted: tuple[float, str]) -> list[_Signal]:
    return [_Signal(kind, weight, re.compile(pattern, re.IGNORECASE))
            for weight, pattern in weighted]


_RECORDS = r"(?:records?|documents?|materials?|files?|information|emails?|data)"
K = ReplyKind
_SIGNALS: tuple[_Signal, ...] = (
    *_signals(
        K.ACKNOWLEDGMENT,
        (2.0, r"\brequest (?:was|has been|is) received\b"),
        (2.0, r"\breceived (?:in|by) (?:this|our) office\b"),
        (3.0, r"\bgiven the (?:reference|tracking) number\b"),
        (2.0, r"\b(?:assigned|given) (?:the )?(?:reference|tracking|request) (?:number|#)"),
        (3.0, r"\b(?:confirm|acknowledge)s? (?:the )?receipt\b|\bconfirm(?:s|ing)? receipt\b"),
        (1.5, r"\bfor tracking purposes\b"),
        (1.0, r"\bthank you for your (?:interest in public records|public records request)\b"),
        (1.0, r"\b(?:is|are) being processed\b"),
        (2.5, r"\b(?:is|are|am) in receipt of\b"),
        (1.5, r"\bwill (?:respond|be in touch|contact you) (?:within|in) (?:10|ten)\b"),
    ),
    *_signals(
        K.CLOSURE_INACTIVITY,
        (6.0, r"\bno recent activity\b"),
        (2.0, r"\b(?:encourage|invite|ask) you to (?:file|submit|make) a new request\b"),
        (1.0, r"\b(?:request|it) (?:has been|is|will be) (?:now )?closed\b"),
    ),
    *_signals(
        K.CLARIFICATION_REQUEST,
        (3.0, r"\bplease clarify\b|\bclarif(?:y|ication) (?:of|regarding|about|as to)\b"),
        (2.0, r"\bclarif(?:y|ication)\b"),
        (3.0, r"\b(?:void of|without|does not (?:include|specify|contain|state)|lacks?|"
              r"did not (?:include|specify|state)|is missing) (?:a |any )?(?:specific )?"
              r"(?:time ?frame|time period|date range|period of time|range of dates)"),
        (3.0, r"\b(?:provide|specify|indicate|identify|narrow|give) (?:us )?(?:with )?"
              r"(?:a |the )?(?:specific |reasonable )?(?:time ?frame|time period|date range|"
              r"period of time|range of dates)"),
        (2.0, r"\bnarrow (?:the scope|your request|the request|the search)\b"),
        (2.0, r"\b(?:more|additional) (?:specific|specificity|detail|details|information) "
              r"(?:is|are)? ?(?:needed|required|would help)|\bbe more specific\b"),
    ),
    *_signals(
        K.REFERRAL,
        (3.0, r"\b(?:forwarded|referred|redirected|re-directed|transferred|routed) "
              r"(?:your request |this request |it |the request )?to (?:the )?"),
        (3.0, r"\b(?:submit|direct|send|address|forward) (?:your|the|a|this) (?:request|"
              r"inquiry)[^.]{0,20}? to (?:the )?"),
        (2.0, r"\b(?:should|may|will need to|must|would need to) (?:be )?(?:directed|"
              r"submitted|sent|addressed|made|forwarded) (?:directly )?to (?:the )?"),
        (1.5, r"\b(?:please )?(?:contact|reach out to) (?:the )?[a-z' ]{0,40}"
              r"(?:department|office|agency|unit|division|clerk|custodian)\b"),
        (3.0, r"\b(?:is|are|am) not (?:the )?(?:records? )?(?:custodian|keeper)\b"),
        (2.0, r"\b(?:maintained|kept|held) by (?:the )?(?!this\b|our\b)[a-z]"),
        (1.5, r"\b(?:records? )?custodian (?:for|of) (?:these|those|such|the)\b"),
    ),
    *_signals(
        K.NO_RECORDS,
        (4.0, r"\bno (?:responsive|such|relevant|matching) " + _RECORDS),
        (4.0, r"\bno " + _RECORDS + r" (?:responsive|were found|was found|exist|matching|"
              r"could be (?:found|located))"),
        (3.5, r"\b(?:did not|could not|was unable to|were unable to|unable to|cannot) "
              r"(?:locate|find|identify) (?:any )?(?:responsive )?" + _RECORDS),
        (3.0, r"\b(?:does|do) not (?:have|possess|maintain|keep|hold) (?:any )?"
              r"(?:responsive |such |the requested )?" + _RECORDS),
        (3.0, r"\bnot in (?:the|its|our|this office's) (?:possession|custody)\b"),
        (2.0, r"\b(?:does|do) not (?:exist|have a standard)\b"),
        (2.0, r"\b(?:search|searches) (?:did not|yielded no|returned no|found no|produced no)\b"),
    ),
    *_signals(
        K.STATUS_UPDATE,
        (2.5, r"\bstill (?:working|processing|reviewing|gathering|searching|waiting|compiling|"
              r"collecting|in the process)\b"),
        (2.0, r"\b(?:is|remains|are) (?:currently |still )?(?:in progress|pending|under review|"
              r"being reviewed|open)\b"),
        (2.5, r"\bstatus (?:update|of your request)\b|\bupdate (?:on|regarding) (?:the status|"
              r"your request)"),
        (2.5, r"\b(?:apologi[sz]e|sorry|regret) for (?:the|any) delay\b"),
        (1.0, r"\b(?:overdue|past due)\b"),
        (2.0, r"\b(?:have not|haven't) forgotten\b|\bwanted to (?:update|let you know)\b"),
    ),
    *_signals(
        K.EXTENSION,
        (3.0, r"\b(?:need|needs|require|requires|requiring) (?:additional|more|further) time\b"),
        (3.0, r"\b(?:extend|extending|extension of) (?:the |its |our |this |their )?(?:time|"
              r"deadline|response|date)\b"),
        (1.5, r"\bwill (?:provide|produce|release|send|respond)\b[^.]{0,80}\b(?:by|on or before|"
              r"no later than)\b"),
        (3.0, r"\b(?:cannot|can not|will not be able to|is unable to|are unable to|(?:not|is "
              r"not|isn't) (?:be )?(?:able|possible|feasible) to)(?: \w+){0,5} within (?:the )?"
              r"(?:10|ten|statutory)"),
        (2.0, r"10\s*\(\s*b\s*\)\s*\(\s*vi\s*\)"),
        (1.5, r"\b(?:anticipate|expect)s? (?:to )?(?:that )?(?:we will )?(?:produc|provid|"
              r"releas|complet|respond|send)\w*"),
        (2.0, r"\bpetition(?:ed)? the supervisor\b"),
        (1.0, r"\b(?:on or before|no later than)\b"),
    ),
    *_signals(
        K.FEE_ESTIMATE,
        (3.5, r"\b(?:fee|cost) estimate\b|\bestimated (?:fee|cost|charge)s?\b"),
        (3.5, r"\bgood[- ]faith estimate\b"),
        (2.0, r"\bestimate (?:that )?(?:it will|the search|the cost|(?:\w+ ){0,3}hours?)"),
        (3.0, r"\b(?:fee|cost|charge|total)s? (?:of|is|are|will be|totals?|amounts? to) "
              r"(?:approximately |about )?\$"),
        (2.5, r"\b(?:payment|check|money order)s? (?:is|are|must be|should be|can be|may be) "
              r"(?:made|received|sent|mailed|payable)"),
        (2.0, r"\bpayable to\b"),
        (3.0, r"\b(?:fee|cost|charge)s?\b[^.$]{0,40}\$\s?\d"),
        (2.5, r"\b(?:remit|submit|send|mail) (?:the |your |a )?payment\b"),
        (2.5, r"\b(?:upon|after|once) (?:receipt of )?(?:your |the )?payment\b"),
        (1.5, r"\bhourly rate\b|\bper hour\b|/\s?hour\b"),
        (-2.5, r"\b(?:no|without) (?:fee|charge|cost)s?\b"),
        (-1.5, r"\bwaiv(?:e|ed|ing) (?:the |any |all )?fees?\b"),
    ),
    *_signals(
        K.DENIED,
        (3.0, r"\b(?:is|are|has been|have been|must be|will be) (?:respectfully )?"
              r"(?:denied|withheld)\b"),
        (3.5, r"\b(?:deny|denies|denying|must deny|decline|declines|declining) (?:your|the|this) "
              r"request\b"),
        (2.5, r"\bexempt(?:ed)? from (?:public )?disclosure\b"),
        (3.0, r"\b(?:withhold|withholding) (?:\w+ ){0,2}?(?:" + _RECORDS[3:-1]
              + r"|them|in full|in (?:its|their) entirety)"),
        (1.5, r"\bin (?:its|their) entirety\b"),
        (2.0, r"\b(?:cannot|can not|will not|is unable to|are unable to) (?:be )?(?:release|"
              r"disclose|provide|produce)d?\b"),
        (2.5, r"\bnot (?:a )?public records?\b"),
        (3.0, r"\brequest is (?:hereby )?(?:denied|rejected)\b"),
        (-3.0, r"\bnot (?:being )?(?:withheld|denied)\b"),
    ),
    *_signals(
        K.PARTIAL,
        (2.5, r"\bredact\w*"),
        (3.0, r"\b(?:released|produced|provided|disclosed|granted) in part\b"),
        (3.5, r"\b(?:portions?|parts?|some) of (?:the |these |those )?" + _RECORDS
              + r" (?:are|is|have been|has been|were|was) (?:withheld|redacted)"),
        (1.5, r"\bremaining " + _RECORDS),
        (1.0, r"\bin part\b|\bpartial(?:ly)?\b"),
    ),
    *_signals(
        K.PRODUCED,
        (3.0, r"\b(?:please find|please see|you will find|you'll find) (?:the )?(?:attached|"
              r"enclosed)"),
        (3.0, r"\b(?:attached|enclosed) (?:please find|are|is|you will find|you'll find|"
              r"herewith)\b"),
        (2.5, r"\bavailable for (?:download|pick-?up|inspection|review)\b"),
        (2.0, r"\b" + _RECORDS + r" (?:are|is) (?:now )?available\b"),
        (3.0, r"\b(?:responsive )?" + _RECORDS + r" (?:are|is|have been|has been) (?:attached|"
              r"enclosed|provided|released|produced|uploaded)\b"),
        (2.0, r"\b(?:can|may) be (?:downloaded|accessed|retrieved|viewed)\b"),
        (2.5, r"\b(?:this|which) (?:completes|concludes|fulfills|satisfies) (?:the|our|your|this)"
              r"(?: [\w'’]+){0,2}? (?:response|request)\b"),
        (2.0, r"\b(?:request|it) (?:has been|is now|is) (?:completed?|fulfilled)\b"),
        (2.0, r"\bhere (?:is|are) the\b"),
        (2.0, r"\b(?:am|are|is) (?:providing|producing|releasing|enclosing|attaching)\b"),
    ),
)


def classify(text: str, sentences: Sentences, *, exemptions: Sequence[CitedExemption],
             amounts: Sequence[MoneyAmount], dates: Sequence[StatedDate],
             attachments: Sequence[Attachment]) -> tuple[ReplyKind | None,
                                                          tuple[KindCandidate, ...]]:
    """The kind when sure (else None), and every candidate with a positive score, best first."""
    scores: dict[ReplyKind, float] = {}
    evidence: dict[ReplyKind, list[str]] = {}

    def add(kind: ReplyKind, weight: float, quote: str | None) -> None:
        scores[kind] = scores.get(kind, 0.0) + weight
        if quote and weight > 0 and quote not in evidence.setdefault(kind, []):
            evidence[kind].append(quote)

    for signal in _SIGNALS:
        match = signal.pattern.search(text)
        if match is not None:
            add(signal.kind, signal.weight, sentences.around(match.start(), match.end()))

    if exemptions:
        quote = exemptions[0].evidence
        add(K.DENIED, 1.5, quote)
        add(K.PARTIAL, 1.0, quote)
    fee_words = scores.get(K.FEE_ESTIMATE, 0.0) > 0
    if amounts and fee_words:
        add(K.FEE_ESTIMATE, 1.0, amounts[0].evidence)
    if any(_is_record(attachment) for attachment in attachments):
        add(K.PRODUCED, 1.5, None)
    until = [found for found in dates if found.role == "until"]
    if until and scores.get(K.EXTENSION, 0.0) > 0:
        add(K.EXTENSION, 1.0, until[0].evidence)
    # Records given and records kept back (withheld or redacted), both strongly: that is a
    # partial response, whatever else the letter says.
    produced, denied = scores.get(K.PRODUCED, 0.0), scores.get(K.DENIED, 0.0)
    if produced >= 2.5 and (denied >= 2.5 or scores.get(K.PARTIAL, 0.0) >= 2.5):
        add(K.PARTIAL, max(produced, denied) + 1.5, None)

    # "We do not hold these; ask the Clerk": a referral says more than "no records".
    if scores.get(K.REFERRAL, 0.0) >= 2.5 and scores.get(K.NO_RECORDS, 0.0) >= 2.5:
        add(K.REFERRAL, 1.5, None)

    ranked = sorted(((kind, score) for kind, score in scores.items() if score > 0),
                    key=lambda item: (-item[1], list(ReplyKind).index(item[0])))
    candidates = tuple(KindCandidate(kind, score, tuple(evidence.get(kind, ())))
                       for kind, score in ranked)
    if not candidates:
        return None, candidates
    best = candidates[0].score
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    sure = best >= SURE_SCORE and best - runner_up >= SURE_MARGIN
    if candidates[0].kind is K.FEE_ESTIMATE and not amounts:
        sure = False  # "a fee estimate may follow" is not an estimate: an estimate has a sum
    return (candidates[0].kind if sure else None), candidates


def _is_record(attachment: Attachment) -> bool:
    """An attached file that can be records, not a signature's logo or a calendar invite."""
    if attachment.content_type.startswith("image/") and attachment.size < 50_000:
        return False
    return attachment.content_type not in ("text/calendar", "message/rfc822",
                                           "message/delivery-status")
