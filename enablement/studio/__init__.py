"""The content studio at /studio/: where marketing uploads, edits, publishes and archives assets and
watches their renditions. Every write goes through the catalogue's services (assets.services)."""
