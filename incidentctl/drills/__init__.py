"""Drills: scenarios with timed injects on an incident's own clock, scripted responders
and scores.

A drill is an incident whose log says it is one (``drill`` in its opening, an id
starting ``DRILL-``) and carries its clock; see :mod:`incidentctl.drills.play`.
"""
