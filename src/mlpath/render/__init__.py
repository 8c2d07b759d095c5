"""Every output: plain text and JSON documents, the Rich views, the HTML page and SVG
picture, Mermaid and DOT graphs, the calendar file."""
