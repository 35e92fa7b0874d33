"""Deals from the CRM, their accounts and stage history, and the stage maps that translate CRM stage names."""
