"""Date formats of the site and the admin: one style, 2026-12-31, whatever the language.

Django's own zh_Hans formats write 2026年12月31日 in the admin while the pages wrote 2026-12-31;
these override both languages so that a date reads the same everywhere. Documents (通报) write
their dates in words themselves (``plans.words.date_words``).
"""
