"""The guided walk through an incident's checklist, apart from any terminal."""
