"""Share links: a tracked link to one asset for one deal's buyer, and the views it records."""
