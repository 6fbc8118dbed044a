"""Internal notes: what agents leave each other on a ticket, never sent to WhatsApp."""
