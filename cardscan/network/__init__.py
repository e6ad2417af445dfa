"""Cultivating the network: follow-ups, introductions, search and stats over the book.

Pure functions over ``list[Contact]`` (no files): the CLI loads the book and prints.
"""

from cardscan.network.followups import (
    HORIZONS,
    FollowUp,
    due_followups,
    mark_done,
    pending_date,
    to_ics,
    write_ics,
)
from cardscan.network.introductions import Introduction, Match, suggest_introductions
from cardscan.network.search import SearchHit, search
from cardscan.network.stats import Stats, stats

__all__ = [
    "HORIZONS",
    "FollowUp",
    "Introduction",
    "Match",
    "SearchHit",
    "Stats",
    "due_followups",
    "mark_done",
    "pending_date",
    "search",
    "stats",
    "suggest_introductions",
    "to_ics",
    "write_ics",
]
