"""Deal rooms: one link for one deal's buyer holding several assets, and what the buyer read in it.

models (rooms, items, viewers, visits, page views, notifications), services (every write), selectors
(reads), views and urls (the rep's forms, the buyer's `/r/<token>/`), admin, tasks (summary emails,
idle visits, retention).
"""
