"""The vendor staff console at /console: accounts, sessions, the queue, tickets, codes, contracts, reports."""
