"""Renditions: each asset version made viewable page by page (a PDF, its page count, a thumbnail of
page 1), in a Celery task. App label `renditions`."""
