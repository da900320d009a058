"""What the shops report about themselves: heartbeats, the silent-shop alarm, proactive tickets, the fleet view."""
