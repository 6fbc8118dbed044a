"""The directory the helpdesk works from: contacts, queues, users, quick answers and company-wide settings."""
