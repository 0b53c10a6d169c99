"""The site's pages: one module per page, each with ``TITLE`` and ``render()``."""
