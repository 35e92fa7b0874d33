"""Names the demo organisation is made of."""

from __future__ import annotations

DEMO_PASSWORD = "demo1234"
INDUSTRIES = ["Manufacturing", "Healthcare", "Financial services", "Retail", "Software", "Logistics"]
PRODUCTS = ["Insight Cloud", "Insight Edge", "Connect API", "Forecast Pro"]
CUSTOMERS = ["Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Umbrella", "Tailspin", "Wingtip"]
FIRST = [
    "Ana",
    "Ben",
    "Chloé",
    "Dev",
    "Emma",
    "Farid",
    "Grace",
    "Hugo",
    "Iris",
    "Jonas",
    "Kemi",
    "Luca",
    "Maya",
    "Noah",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
]
LAST = ["Silva", "Okafor", "Martin", "Patel", "Novak", "Haddad", "Kim", "Laurent", "Berg", "Costa"]
REGIONS = ["North America", "EMEA", "APAC", "LATAM"]
