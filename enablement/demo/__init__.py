"""The demo organisation behind `manage.py seed_demo`."""
