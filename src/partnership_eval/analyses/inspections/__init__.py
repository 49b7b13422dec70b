"""``03_inspection_transitions``: how Ofsted grades move for partnership schools and others."""

from partnership_eval.analyses.inspections.transitions import (
    GRADES,
    GradeTransitions,
    grade_transitions,
)

__all__ = ["GRADES", "GradeTransitions", "grade_transitions"]
