"""Web push subscriptions, the outbox (push, e-mail, inbox) and its delivery worker."""
