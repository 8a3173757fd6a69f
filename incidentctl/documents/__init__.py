"""YAML documents read safely and checked against the JSON Schemas in ``schemas/``.

Runbooks, drill scenarios, ``config.yaml`` and business-day calendars all
come in through here: :mod:`~incidentctl.documents.yamlsafe` loads a file
without YAML's surprises and remembers where every value came from, and
:mod:`~incidentctl.documents.schemas` turns schema errors into problems that
point at ``FILE:LINE:COL``.
"""
