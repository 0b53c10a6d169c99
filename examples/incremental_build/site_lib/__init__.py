"""Helpers the pages share: layout, menu, cards, text formatting, dates."""
