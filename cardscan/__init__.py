"""cardscan: turn a folder of business-card photos into contacts worth having."""

__version__ = "0.1.0"
