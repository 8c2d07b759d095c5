"""Work that reaches outside the home: sync through git, and curricula imported from
Markdown."""
