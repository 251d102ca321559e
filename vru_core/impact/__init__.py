"""Did it work? Place-based impact estimates for awards, streams, objectives (and, later, funding rounds).

* :mod:`vru_core.impact.panel`: the monthly ward series (offences per 1,000 residents).
* :mod:`vru_core.impact.synth`: synthetic control (pysyncon) with placebo-in-space inference, and the
  refusals (too few months, too few comparison wards, too few offences, a poor pre-period fit).
* :mod:`vru_core.impact.awards`: the register's awards as designs; ``estimate_award`` and
  ``estimate_for_awards`` (any set of awards, e.g. a stream, an objective or a funding round).
* :mod:`vru_core.impact.validation`: injected-effect and placebo Monte Carlo (the method's benchmark).
* :mod:`vru_core.impact.chart`: the Altair chart, its description and its table.
* ``python -m vru_core.impact``: the command line (vru_core.impact.cli).
"""
