"""Usage events: a rep using an asset in a deal, and the one path that records them."""
