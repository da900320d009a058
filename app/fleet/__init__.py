"""What this till tells the vendor about itself: heartbeats and update events, through their own outbox (Qt-free)."""
