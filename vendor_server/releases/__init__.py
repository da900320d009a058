"""Release health: the shops' update events, rollouts paused or changed (and re-signed), the automatic stop."""
