"""Alerts: scheduled deadline checks, the inbox, and delivery by email, webhook and Web Push."""
