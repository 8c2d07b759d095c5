"""The pure core: the roadmap model, the progress rules (each once), pace, plans,
review, search, the value rules and the errors. No I/O, no clock, no typer/rich."""
