"""What this till tells the vendor: the telemetry box, its preview, and the window's heartbeat job."""
