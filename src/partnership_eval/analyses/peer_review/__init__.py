"""07_peer_review: where schools' self-reviews and their peers' reviews disagree (blind
spots), and which better predicts the next inspection.

:func:`peer_review` returns a :class:`PeerReviewResult`; see :mod:`.analysis` for the
estimands and their uncertainty, :mod:`.agreement` for the vectorised statistics.
"""

from partnership_eval.analyses.peer_review.analysis import ReviewSpec, peer_review
from partnership_eval.analyses.peer_review.result import PeerReviewResult, theme_label

__all__ = ["PeerReviewResult", "ReviewSpec", "peer_review", "theme_label"]
