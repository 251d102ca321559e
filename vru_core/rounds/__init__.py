"""Funding rounds: rounds and their published criteria (`rounds`), applications (`applications`), the
need criterion (`need`), assessment (`assessment`), the panel paper (`paper`), decisions (`decisions`),
example rounds (`examples`) and the command line (`python -m vru_core.rounds`)."""

from vru_core.rounds.decisions import award_ids

__all__ = ["award_ids"]
