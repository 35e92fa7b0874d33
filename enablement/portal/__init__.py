"""The rep portal: every page that puts the catalogue together with the rep's deals."""
