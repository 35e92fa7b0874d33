"""The default funnel and buyer roles a new installation starts with (all editable afterwards)."""

from __future__ import annotations

# (slug, name, outcome, definition, entry criteria)
STAGES = [
    (
        "inquiry",
        "Inquiry",
        "open",
        "Someone showed interest: a form fill, a call, an event scan.",
        "A named contact with a way to reach them.",
    ),
    (
        "mql",
        "MQL",
        "open",
        "Marketing-qualified lead: fits the ideal customer profile and has engaged enough to hand to sales.",
        "Fit score and engagement score over the agreed thresholds.",
    ),
    (
        "sql",
        "SQL",
        "open",
        "Sales-qualified lead: a rep accepted it and confirmed a real problem worth a conversation.",
        "Rep accepted within two working days; pain and rough timing confirmed.",
    ),
    (
        "discovery",
        "Discovery",
        "open",
        "The rep and buyer map the problem, the people involved and how a decision is made.",
        "First meeting held; economic buyer and champion identified.",
    ),
    (
        "proposal",
        "Proposal",
        "open",
        "A written proposal with scope and price is in the buyer's hands.",
        "Proposal sent; technical fit confirmed by the evaluator.",
    ),
    (
        "negotiation",
        "Negotiation",
        "open",
        "Terms, price and paperwork are being agreed; procurement and legal are involved.",
        "Verbal yes from the economic buyer; contract in review.",
    ),
    ("closed-won", "Closed Won", "won", "The contract is signed.", "Signed order form."),
    (
        "closed-lost",
        "Closed Lost",
        "lost",
        "The buyer chose someone else, nothing, or went silent past the agreed time.",
        "Reason for loss recorded.",
    ),
]

ROLES = [
    ("economic-buyer", "Economic buyer", "Owns the budget and signs; cares about return and risk."),
    ("technical-evaluator", "Technical evaluator", "Checks fit, security and integration; can say no."),
    ("champion", "Champion", "Wants us to win and sells internally when we are not in the room."),
    ("end-user", "End user", "Will use the product every day; cares about ease and time saved."),
    ("executive-sponsor", "Executive sponsor", "Senior backer who ties the purchase to a strategic goal."),
    ("procurement", "Procurement", "Runs the buying process; cares about terms, price and compliance."),
]


def catalogue_defaults_ensure(stage_model, role_model) -> None:
    """Create the default funnel and roles where there are none (never touching existing ones)."""
    if not stage_model.objects.exists():
        for order, (slug, name, outcome, definition, criteria) in enumerate(STAGES, start=1):
            stage_model.objects.create(
                slug=slug,
                name=name,
                order=order * 10,
                outcome=outcome,
                definition=definition,
                entry_criteria=criteria,
            )
    if not role_model.objects.exists():
        for slug, name, description in ROLES:
            role_model.objects.create(slug=slug, name=name, description=description)


def catalogue_defaults_after_migrate(sender, **kwargs) -> None:
    """Also after a flush (which sends post_migrate): an emptied database gets its funnel back.
    `sender` is the assets app (connected in AssetsConfig.ready), which gives its models."""
    catalogue_defaults_ensure(sender.get_model("FunnelStage"), sender.get_model("BuyerRole"))
